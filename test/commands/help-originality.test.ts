// kbadm's help is written here, not copied: walks the live command tree (every command, phase
// subcommand, flag and argument, plus the rendered help with its long texts and examples) and
// fails when a description repeats a sentence of kubeadm's help. New commands are covered as
// soon as they are registered in the root command.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Command } from 'commander';
import { completionScript } from '../../src/commands/completion.js';
import { createContext } from '../../src/commands/context.js';
import { initFlags } from '../../src/commands/init.js';
import { buildProgram } from '../../src/commands/root.js';
import { oneLine } from '../../src/commands/completion/shell-quote.js';
import { KUBEADM_HELP_TEXTS } from '../fixtures/kubeadm-help-texts.js';

/**
 * One way of writing for both sides: case, whitespace and quote marks do not count, `e.g.` does not
 * end a sentence, and `kbadm` reads as `kubeadm`, so that a sentence copied with the name swapped
 * is still a copy.
 */
function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/\bkbadm\b/g, 'kubeadm')
    .replace(/[‘’`"]/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/e\.g\./g, 'eg')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Sentences and clauses of a text, without their closing punctuation. */
function sentences(text: string): string[] {
  return normalize(text)
    .split(/(?<=[.!?;:])\s+/)
    .map((s) => s.replace(/[.;:!?]+$/, '').trim())
    .filter((s) => s !== '');
}

interface KubeadmSentence {
  area: string;
  sentence: string;
}

const KUBEADM: KubeadmSentence[] = Object.entries(KUBEADM_HELP_TEXTS).flatMap(([area, texts]) =>
  texts.flatMap((t) => sentences(t).map((sentence) => ({ area, sentence }))),
);

// Sentences this short say too little to be anyone's prose ("Options are"); they only count when
// a whole description is nothing else.
const MIN_WORDS_TO_CONTAIN = 3;

function containsPhrase(haystack: string, needle: string): boolean {
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
    const before = haystack[at - 1];
    const after = haystack[at + needle.length];
    if (
      (before === undefined || !/[a-z0-9]/.test(before)) &&
      (after === undefined || !/[a-z0-9]/.test(after))
    )
      return true;
  }
  return false;
}

/** The kubeadm sentences a piece of kbadm text repeats. */
function copiedSentences(text: string): KubeadmSentence[] {
  const whole = normalize(text);
  const bare = whole.replace(/[.;:!?]+$/, '');
  return KUBEADM.filter(({ sentence }) =>
    sentence.split(' ').length >= MIN_WORDS_TO_CONTAIN ? containsPhrase(whole, sentence) : bare === sentence,
  );
}

// kbadm keeps this heading byte for byte: it is part of the phase table's layout.
const PHASE_TABLE_HEADING = /^The "[^"]+" command executes the following phases:$/gm;

interface Piece {
  where: string;
  text: string;
}

function pathOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function renderedHelp(cmd: Command): string {
  let text = '';
  cmd.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  cmd.outputHelp();
  return text.replace(PHASE_TABLE_HEADING, '');
}

/** Every human-facing text of the tree, hidden commands and flags included. */
function pieces(root: Command): Piece[] {
  const out: Piece[] = [];
  const walk = (cmd: Command): void => {
    const at = pathOf(cmd);
    out.push({ where: `${at} (summary)`, text: cmd.summary() });
    out.push({ where: `${at} (description)`, text: cmd.description() });
    for (const o of cmd.options) out.push({ where: `${at} ${o.flags}`, text: o.description });
    for (const a of cmd.registeredArguments) out.push({ where: `${at} <${a.name()}>`, text: a.description });
    out.push({ where: `${at} (--help)`, text: renderedHelp(cmd) });
    for (const c of cmd.commands) walk(c);
  };
  walk(root);
  return out.filter((p) => p.text.trim() !== '');
}

async function liveTree(): Promise<Command> {
  const sink = { write: () => undefined };
  const ctx = createContext({
    stdout: sink,
    stderr: sink,
    env: {},
    globals: () => ({ rootfs: '/', verbosity: 0 }),
  });
  // `help` loads every command, as completion and `kbadm help` do.
  return buildProgram(ctx, ['help']);
}

describe('help originality', () => {
  test('the comparison data covers every kubeadm command area', () => {
    for (const area of [
      'root',
      'init',
      'init phases',
      'join',
      'reset',
      'token',
      'certs',
      'config',
      'kubeconfig',
      'upgrade',
    ]) {
      assert.ok((KUBEADM_HELP_TEXTS[area]?.length ?? 0) > 0, area);
    }
    assert.ok(KUBEADM.length > 300, `only ${KUBEADM.length} sentences`);
  });

  test('the check catches a copied sentence, also with kbadm in place of kubeadm', () => {
    const copy = new Command('sample')
      .description('Reads flags.')
      .option('--config <path>', 'Path to a kbadm configuration file.');
    copy.command('child').summary('Mark a node as a control-plane');
    const found = pieces(copy).flatMap((p) => copiedSentences(p.text).map((k) => k.sentence));
    assert.ok(found.includes('path to a kubeadm configuration file'), found.join('\n'));
    assert.ok(found.includes('mark a node as a control-plane'), found.join('\n'));
    assert.deepEqual(copiedSentences('Create a stable endpoint'), []);
  });

  test('no command, phase, flag or argument description repeats a sentence of kubeadm', async () => {
    const all = pieces(await liveTree());
    assert.ok(all.length > 200, `only ${all.length} texts walked`);
    const copies = all.flatMap((p) =>
      copiedSentences(p.text).map((k) => `${p.where}: "${k.sentence}" (kubeadm ${k.area})`),
    );
    assert.deepEqual([...new Set(copies)], []);
  });

  test('every short description is one line', async () => {
    const root = await liveTree();
    const multiLine: string[] = [];
    const walk = (cmd: Command): void => {
      if (cmd.summary().includes('\n')) multiLine.push(pathOf(cmd));
      cmd.commands.forEach(walk);
    };
    walk(root);
    assert.deepEqual(multiLine, []);
  });

  test('completion scripts carry the new descriptions and none of kubeadm', async () => {
    const root = await liveTree();
    const ttl = initFlags.find((f) => f.name === 'token-ttl')!.description;
    for (const shell of ['bash', 'zsh', 'fish']) {
      const script = completionScript(root, shell);
      assert.ok(script.includes(oneLine(ttl)), `${shell} lacks the --token-ttl description`);
      assert.deepEqual(
        copiedSentences(script).map((k) => k.sentence),
        [],
        shell,
      );
    }
  });
});
