// Preloaded with --require: records every module a process loads (ESM through a resolve hook,
// CommonJS through require.cache, and the scripts kbadm's own loader reads, through readFileSync)
// into $MODULE_TRACE_FILE, to prove what a command imports.
const { register } = require('node:module');
const fs = require('node:fs');

const out = process.env.MODULE_TRACE_FILE;
if (!out) throw new Error('MODULE_TRACE_FILE is not set');
const hooks = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(out)}, r.url + '\\n');
  return r;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
const read = [];
const readFileSync = fs.readFileSync;
fs.readFileSync = function (file, ...rest) {
  if (typeof file === 'string') read.push(file);
  return readFileSync.call(this, file, ...rest);
};
process.on('exit', () => fs.appendFileSync(out, [...Object.keys(require.cache), ...read].join('\n') + '\n'));
