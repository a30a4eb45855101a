// Records which commit a build came from in dist/build-info.json, for `kbadm version`.
// The date is the commit's, not the clock's, so the same commit always builds the same bytes.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

function git(...args) {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

const gitCommit = git('rev-parse', 'HEAD');
const info = gitCommit
  ? {
      gitCommit,
      gitTreeState: git('status', '--porcelain', '--untracked-files=no') ? 'dirty' : 'clean',
      buildDate: new Date(Number(git('show', '-s', '--format=%ct', 'HEAD')) * 1000)
        .toISOString()
        .replace(/\.\d+Z$/, 'Z'),
    }
  : {};
writeFileSync(new URL('../dist/build-info.json', import.meta.url), `${JSON.stringify(info, null, 2)}\n`);
// The bin entry must be executable when run straight from dist/.
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/bundle/kbadm.js', import.meta.url), 0o755);
