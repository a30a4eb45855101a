// Runs every test file with node's test runner, naming the files explicitly: a bare --test finds
// no .ts files on Node 20 and would pass with zero tests. First it makes sure the real tools the
// tests use are installed (test-tools.mjs). The tests get a temporary directory of their own as
// TMPDIR; anything a test leaves in it fails the run, and the directory is removed either way.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureTestTools } from './test-tools.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const path = join(dir, e.name);
      if (e.isDirectory()) return e.name === 'fixtures' ? [] : testFiles(path);
      return e.name.endsWith('.test.ts') ? [path] : [];
    })
    .sort();
}

const toolError = ensureTestTools();
if (toolError) {
  console.error(`npm test: ${toolError}`);
  process.exit(1);
}

// Arguments pick files by part of their path; `--skip <part>` leaves matching files out.
const only = [];
const skip = [];
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--skip') skip.push(process.argv[++i] ?? '');
  else only.push(process.argv[i]);
}
const files = testFiles(join(root, 'test'))
  .map((f) => relative(root, f))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .filter((f) => !skip.some((s) => s !== '' && f.includes(s)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

const testTmp = mkdtempSync(join(tmpdir(), 'kbadm-tests-'));
let status;
let leftovers;
try {
  // Most test files wait on processes (etcd, containerd, the lab's nodes, the built CLI) more than
  // they compute: two at a time keep a two-core machine busy, where node's default would run one.
  const concurrency = Math.max(2, availableParallelism() - 1);
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=tap', ...files],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, TMPDIR: testTmp },
    },
  );
  status = result.status ?? 1;
  // tsx keeps its compile cache in TMPDIR (tsx-<uid>): that one is not a test's.
  leftovers = readdirSync(testTmp).filter((name) => !name.startsWith('tsx-'));
} finally {
  rmSync(testTmp, { recursive: true, force: true });
}
if (leftovers.length > 0) {
  console.error(`tests left temporary files behind (removed now): ${leftovers.join(', ')}`);
  process.exit(status || 1);
}
process.exit(status);
