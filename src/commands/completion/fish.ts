// fish completion: the same tree and walker as the bash/zsh script, in fish's own syntax.
import { flagsAt, type CompletionModel, type FlagCompletion } from './model.js';
import { fishQuote as q, oneLine } from './shell-quote.js';

function described(items: { name: string; description: string }[]): string[] {
  return items.map((i) => `        printf '%s\\t%s\\n' ${q(i.name)} ${q(oneLine(i.description))}`);
}

function flagItems(flags: FlagCompletion[]): { name: string; description: string }[] {
  return flags.flatMap((f) => f.names.map((name) => ({ name, description: f.description })));
}

function valueCase(patterns: string[], f: FlagCompletion): string {
  const values =
    f.values && f.values.length > 0 ? [`        printf '%s\\n' ${f.values.map(q).join(' ')}`] : [];
  return [`    case ${patterns.map(q).join(' ')}`, ...values, '        return 0'].join('\n');
}

export function fishCompletion(prog: string, model: CompletionModel): string {
  const fn = `__${prog.replace(/\W/g, '_')}`;
  const seenSub = (children: { name: string; description: string }[]) => {
    const seen = new Set<string>();
    return children.filter((c) => !seen.has(c.name) && seen.add(c.name));
  };
  const childCases = model.commands.flatMap((c) =>
    c.children.map((ch) => `    case ${q(`${c.path}|${ch.name}`)}\n        echo ${q(ch.canonical)}`),
  );
  const subCases = model.commands
    .filter((c) => c.children.length > 0)
    .map((c) => [`    case ${q(c.path)}`, ...described(seenSub(c.children))].join('\n'));
  const flagCases = model.commands.map((c) =>
    [`    case ${q(c.path)}`, ...described(flagItems(flagsAt(model, c)))].join('\n'),
  );
  const valueCases = [
    ...model.commands.flatMap((c) =>
      c.flags
        .filter((f) => f.values)
        .map((f) =>
          valueCase(
            f.names.map((n) => `${c.path}|${n}`),
            f,
          ),
        ),
    ),
    // fish matches '*' in case patterns, which makes root flags valid at every level.
    ...model.globalFlags
      .filter((f) => f.values)
      .map((f) =>
        valueCase(
          f.names.map((n) => `*|${n}`),
          f,
        ),
      ),
  ];
  return `# fish completion for ${prog}
#
# Load it in the current shell:  ${prog} completion fish | source
# Or install it: ${prog} completion fish > ~/.config/fish/completions/${prog}.fish

function ${fn}_child --argument-names p w
    switch "$p|$w"
${childCases.join('\n')}
    end
end

function ${fn}_subcommands --argument-names p
    switch "$p"
${subCases.join('\n')}
    end
end

function ${fn}_flags --argument-names p
    switch "$p"
${flagCases.join('\n')}
    end
end

# Succeeds for a flag that takes a value, printing the allowed values (none: any value, e.g. a file).
function ${fn}_flag_values --argument-names p f
    switch "$p|$f"
${valueCases.join('\n')}
    end
    return 1
end

function ${fn}_complete
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l cur (commandline -ct)
    set -l p ''
    while set -q tokens[1]
        set -l w $tokens[1]
        set -e tokens[1]
        switch $w
            case '-*=*'
                continue
            case '-*'
                set -l values (${fn}_flag_values "$p" $w)
                if test $status -eq 0
                    if not set -q tokens[1]
                        if set -q values[1]
                            printf '%s\\n' $values
                        else
                            __fish_complete_path $cur
                        end
                        return 0
                    end
                    set -e tokens[1]
                end
                continue
        end
        set -l c (${fn}_child "$p" $w)
        if test -n "$c"
            if test -z "$p"
                set p $c
            else
                set p "$p $c"
            end
        end
    end
    switch $cur
        case '-*=*'
            set -l parts (string split -m1 = -- $cur)
            set -l values (${fn}_flag_values "$p" $parts[1])
            if test $status -eq 0
                if set -q values[1]
                    printf "$parts[1]=%s\\n" $values
                else
                    for f in (__fish_complete_path $parts[2])
                        echo "$parts[1]=$f"
                    end
                end
            end
        case '-*'
            ${fn}_flags "$p"
        case '*'
            ${fn}_subcommands "$p"
    end
end

complete -c ${prog} -f -a '(${fn}_complete)'
`;
}
