// bash and zsh completion: the tree as case tables plus one walker, both written in the subset of
// shell that bash and zsh read alike; each shell adds only the glue to its completion system.
import { flagsAt, type CompletionModel, type FlagCompletion } from './model.js';
import { oneLine, sq } from './shell-quote.js';

const FILES = '__files__';

function valueLines(f: FlagCompletion): string {
  return f.values && f.values.length > 0 ? `printf '%s\\n' ${f.values.map(sq).join(' ')}` : ':';
}

function describedLines(items: { name: string; description: string }[]): string {
  if (items.length === 0) return ':';
  return items.map((i) => `printf '%s\\t%s\\n' ${sq(i.name)} ${sq(oneLine(i.description))}`).join('; ');
}

function flagItems(flags: FlagCompletion[]): { name: string; description: string }[] {
  return flags.flatMap((f) => f.names.map((name) => ({ name, description: f.description })));
}

export function posixCompletionFunctions(prog: string, model: CompletionModel): string {
  const fn = `__${prog.replace(/\W/g, '_')}`;
  const childCases = model.commands.flatMap((c) =>
    c.children.map((ch) => `    ${sq(`${c.path}|${ch.name}`)}) echo ${sq(ch.canonical)} ;;`),
  );
  const subCases = model.commands
    .filter((c) => c.children.length > 0)
    .map((c) => `    ${sq(c.path)}) ${describedLines(uniqueByName(c.children))} ;;`);
  const flagCases = model.commands.map(
    (c) => `    ${sq(c.path)}) ${describedLines(flagItems(flagsAt(model, c)))} ;;`,
  );
  const valueCases = [
    ...model.commands.flatMap((c) =>
      c.flags
        .filter((f) => f.values)
        .map(
          (f) => `    ${f.names.map((n) => sq(`${c.path}|${n}`)).join('|')}) ${valueLines(f)}; return 0 ;;`,
        ),
    ),
    ...model.globalFlags
      .filter((f) => f.values)
      .map((f) => `    ${f.names.map((n) => `*${sq(`|${n}`)}`).join('|')}) ${valueLines(f)}; return 0 ;;`),
  ];
  return `${fn}_child() {
  case "$1|$2" in
${childCases.join('\n')}
  esac
}

${fn}_subcommands() {
  case "$1" in
${subCases.join('\n')}
  esac
}

${fn}_flags() {
  case "$1" in
${flagCases.join('\n')}
  esac
}

# Succeeds for a flag that takes a value, printing the allowed values (none: any value, e.g. a file).
${fn}_flag_values() {
  case "$1|$2" in
${valueCases.join('\n')}
  esac
  return 1
}

# $1: the word being completed; the rest: the words before it, without the command name.
# Prints "name<TAB>description" lines, or ${FILES} when file names fit.
${fn}_candidates() {
  local cur="$1" cmdpath='' w child values flag
  shift
  while [ $# -gt 0 ]; do
    w="$1"
    shift
    case "$w" in
      -*=*) continue ;;
      -*)
        if values=$(${fn}_flag_values "$cmdpath" "$w"); then
          if [ $# -eq 0 ]; then
            if [ -n "$values" ]; then printf '%s\\n' "$values"; else echo ${FILES}; fi
            return 0
          fi
          shift
        fi
        continue ;;
    esac
    child=$(${fn}_child "$cmdpath" "$w")
    if [ -n "$child" ]; then cmdpath="\${cmdpath:+$cmdpath }$child"; fi
  done
  case "$cur" in
    -*=*)
      flag="\${cur%%=*}"
      if values=$(${fn}_flag_values "$cmdpath" "$flag"); then
        if [ -n "$values" ]; then printf '%s\\n' "$values"; else echo ${FILES}; fi
      fi ;;
    -*) ${fn}_flags "$cmdpath" ;;
    *) ${fn}_subcommands "$cmdpath" ;;
  esac
}
`;
}

function uniqueByName<T extends { name: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => !seen.has(i.name) && seen.add(i.name));
}

export function bashCompletion(prog: string, model: CompletionModel): string {
  const fn = `__${prog.replace(/\W/g, '_')}`;
  return `# bash completion for ${prog}
#
# Load it in the current shell:  source <(${prog} completion bash)
# Or install it for every shell: ${prog} completion bash > /etc/bash_completion.d/${prog}

${posixCompletionFunctions(prog, model)}
_${prog.replace(/\W/g, '_')}() {
  local line="\${COMP_LINE:0:COMP_POINT}" cur='' words candidates c
  # Split the line ourselves: COMP_WORDS breaks "--flag=value" apart at '='.
  read -r -a words <<< "$line"
  if [[ "$line" != *[[:space:]] && \${#words[@]} -gt 1 ]]; then
    cur="\${words[\${#words[@]}-1]}"
    unset 'words[\${#words[@]}-1]'
  fi
  candidates=$(${fn}_candidates "$cur" "\${words[@]:1}")
  COMPREPLY=()
  if [[ "$candidates" == ${FILES} ]]; then
    local prefix=''
    [[ "$cur" == -*=* ]] && prefix="\${cur%%=*}=" && cur="\${cur#*=}"
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    return 0
  fi
  local value="$cur" prefix=''
  if [[ "$cur" == -*=* ]]; then
    value="\${cur#*=}"
    # bash replaces only the part after '=' when '=' breaks words.
    [[ "$COMP_WORDBREAKS" != *=* ]] && prefix="\${cur%%=*}="
  fi
  while IFS= read -r c; do
    c="\${c%%$'\\t'*}"
    [[ -n "$c" && "$c" == "$value"* ]] && COMPREPLY+=("$prefix$c")
  done <<< "$candidates"
  return 0
}

complete -F _${prog.replace(/\W/g, '_')} ${prog}
`;
}

export function zshCompletion(prog: string, model: CompletionModel): string {
  const fn = `__${prog.replace(/\W/g, '_')}`;
  return `#compdef ${prog}
# zsh completion for ${prog}
#
# Load it in the current shell:  source <(${prog} completion zsh)
# Or install it: ${prog} completion zsh > "\${fpath[1]}/_${prog}"

${posixCompletionFunctions(prog, model)}
_${prog.replace(/\W/g, '_')}() {
  local -a lines names descs
  local cur="\${words[CURRENT]}" l
  lines=("\${(@f)$(${fn}_candidates "$cur" "\${(@)words[2,CURRENT-1]}")}")
  if [[ "\${lines[1]}" == ${FILES} ]]; then
    if [[ "$cur" == -*=* ]]; then
      compset -P '*='
    fi
    _files
    return
  fi
  if [[ "$cur" == -*=* ]]; then
    compset -P '*='
  fi
  for l in "\${lines[@]}"; do
    [[ -z "$l" ]] && continue
    names+=("\${l%%$'\\t'*}")
    if [[ "$l" == *$'\\t'* ]]; then descs+=("\${l%%$'\\t'*} -- \${l#*$'\\t'}"); else descs+=("$l"); fi
  done
  compadd -l -d descs -a names
}

if [[ "\${funcstack[1]}" == _${prog.replace(/\W/g, '_')} ]]; then
  _${prog.replace(/\W/g, '_')} "$@"
else
  compdef _${prog.replace(/\W/g, '_')} ${prog}
fi
`;
}
