// The configuration domain's adapter to the Host: reading a configuration file named on the
// command line. Everything else in src/config is pure.
import { errorMessage, KbadmError } from '../errors.js';
import type { Host } from '../host/host.js';
import { userPath } from '../host/paths.js';

/** The text of a configuration file named on the command line. */
export async function readConfigFile(host: Host, file: string): Promise<string> {
  try {
    return (await host.readFile(userPath(host.paths, file))).toString('utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code ? (READ_ERRORS[code] ?? code) : errorMessage(err);
    throw new KbadmError(`unable to read config from "${file}": ${reason}`, { cause: err });
  }
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
};
