// Checks on paths and executables (kubeadm's FileAvailable, DirAvailable, FileContent,
// FileExisting and its PATH lookups). Judges are pure; the checks read through the probe.
import { findings, NO_FINDINGS, pathLabel, type Check, type Findings, type PathState } from './check.js';

/** A file kbadm is about to write must not be there yet (an existing control plane, say). */
export function judgeFileAvailable(hostPath: string, state: PathState): Findings {
  return state === 'missing' ? NO_FINDINGS : findings({ errors: [`${hostPath} already exists`] });
}

export function fileAvailable(hostPath: string): Check {
  return {
    name: `FileAvailable-${pathLabel(hostPath)}`,
    run: async (p) => judgeFileAvailable(hostPath, await p.pathState(hostPath)),
  };
}

/** A directory kbadm will fill must be missing or empty. */
export function judgeDirAvailable(hostPath: string, state: PathState): Findings {
  if (state === 'missing' || state === 'empty-dir') return NO_FINDINGS;
  return findings({ errors: [`${hostPath} is not empty`] });
}

export function dirAvailable(hostPath: string): Check {
  return {
    name: `DirAvailable-${pathLabel(hostPath)}`,
    run: async (p) => judgeDirAvailable(hostPath, await p.pathState(hostPath)),
  };
}

/** A file (a sysctl under /proc/sys, say) must start with `content`. */
export function judgeFileContent(hostPath: string, content: string, actual: string | undefined): Findings {
  if (actual === undefined) return findings({ errors: [`${hostPath} does not exist`] });
  if (actual.slice(0, content.length) !== content)
    return findings({ errors: [`${hostPath} contents are not set to ${content}`] });
  return NO_FINDINGS;
}

export function fileContent(hostPath: string, content: string): Check {
  return {
    name: `FileContent-${pathLabel(hostPath)}`,
    run: async (p) => judgeFileContent(hostPath, content, await p.readFile(hostPath, content.length)),
  };
}

export function judgeFileExisting(hostPath: string, state: PathState): Findings {
  return state === 'missing' ? findings({ errors: [`${hostPath} doesn't exist`] }) : NO_FINDINGS;
}

/** A file that must exist; `label` replaces the derived name (ExternalEtcdClientCertificates). */
export function fileExisting(hostPath: string, label?: string): Check {
  return {
    name: label ?? `FileExisting-${pathLabel(hostPath)}`,
    run: async (p) => judgeFileExisting(hostPath, await p.pathState(hostPath)),
  };
}

/** An executable the node needs: missing is an error when mandatory, else a warning. */
export function judgeInPath(executable: string, mandatory: boolean, found: string | undefined): Findings {
  if (found !== undefined) return NO_FINDINGS;
  const message = `${executable} not found in system path`;
  return mandatory ? findings({ errors: [message] }) : findings({ warnings: [message] });
}

export function inPath(executable: string, mandatory: boolean): Check {
  return {
    name: `FileExisting-${pathLabel(executable)}`,
    run: async (p) => judgeInPath(executable, mandatory, await p.findExecutable(executable)),
  };
}
