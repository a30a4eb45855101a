// `kbadm reset phase preflight`: the confirmation (unless --force or --dry-run), then the one
// check reset has, IsPrivilegedUser.
import { KbadmError, PreflightError } from '../../errors.js';
import type { Phase } from '../../workflow/index.js';
import type { ResetData } from './data.js';

const CHECK = 'IsPrivilegedUser';

async function confirm(d: ResetData): Promise<void> {
  d.out.warn("[reset] Changes made to this host by 'kbadm init' or 'kbadm join' will be reverted.");
  const answer = await d.ask('[reset] Are you sure you want to proceed?');
  if (answer === 'not-interactive') {
    throw new KbadmError(
      'refusing to reset without confirmation: standard input is not a terminal; pass --force to reset anyway',
    );
  }
  if (answer === 'no') throw new KbadmError('reset aborted: the answer was not "y" or "yes"');
}

/** kubeadm's root check; an ignored failure becomes a warning. */
async function checkPrivilegedUser(d: ResetData): Promise<void> {
  const uid = (await d.host.facts()).effectiveUid;
  if (uid === 0) return;
  const problem =
    uid === undefined ? 'could not tell whether the user is root' : 'user is not running as root';
  const ignored = d.config.ignorePreflightErrors.map((s) => s.toLowerCase());
  if (ignored.includes('all') || ignored.includes(CHECK.toLowerCase())) {
    d.out.print(`\t[WARNING ${CHECK}]: ${problem}`);
    return;
  }
  throw new PreflightError(
    `[preflight] Some fatal errors occurred:\n\t[ERROR ${CHECK}]: ${problem}\n` +
      '[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`',
  );
}

export const preflightPhase: Phase<ResetData> = {
  name: 'preflight',
  aliases: ['pre-flight'],
  short: 'Ask for confirmation and check that kbadm runs as root',
  inheritFlags: ['ignore-preflight-errors', 'force', 'dry-run'],
  async run(d) {
    if (!d.force && !d.dryRun) await confirm(d);
    d.out.progress('preflight', 'Running pre-flight checks');
    await checkPrivilegedUser(d);
  },
};
