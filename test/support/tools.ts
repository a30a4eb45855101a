// Tests that run a real tool fail, never skip, when it is missing: `npm test` installs every tool
// listed in scripts/test-tools.mjs before the tests run.
import assert from 'node:assert/strict';
import { TEST_TOOLS, which } from '../../scripts/test-tools.mjs';

/** The tool's absolute path; fails the test, naming its Debian package, when it is not installed. */
export function requireTool(command: string): string {
  const row = TEST_TOOLS.find((t) => t.command === command);
  assert.ok(row, `${command} is not listed in scripts/test-tools.mjs: add a row for it there`);
  const path = which(command);
  const present = row.present ? row.present() : path !== undefined;
  assert.ok(
    present && path,
    `${command} is not installed: npm test installs it (Debian package ${row.package})`,
  );
  return path;
}
