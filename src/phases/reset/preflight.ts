// `kbadm reset phase preflight`: the confirmation (unless --force or --dry-run), then reset's checks
// (only IsPrivilegedUser) through the same runner as init's and join's.
import { KbadmError } from '../../errors.js';
import { resetPreflight } from '../../preflight/lists.js';
import { createNodeProbe } from '../../preflight/preflight-files.js';
import { ignoreSet, runPreflight } from '../../preflight/run.js';
import type { Phase } from '../../workflow/index.js';
import type { ResetData } from './data.js';

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

export const preflightPhase: Phase<ResetData> = {
  name: 'preflight',
  aliases: ['pre-flight'],
  short: 'Ask for confirmation and check that kbadm runs as root',
  inheritFlags: ['ignore-preflight-errors', 'force', 'dry-run'],
  async run(d) {
    if (!d.force && !d.dryRun) await confirm(d);
    d.out.progress('preflight', 'Running pre-flight checks');
    // Reset's only check reads no environment; the probe needs none.
    const probe = createNodeProbe(d.host, { env: {}, criSocket: d.config.criSocket, out: d.out });
    try {
      await runPreflight(resetPreflight(), probe, ignoreSet(d.config.ignorePreflightErrors), d.out);
    } finally {
      probe.close();
    }
  },
};
