// Structured logs on stderr through pino, created on first use so that commands which never log
// (kbadm version) never load it.
import { createRequire } from 'node:module';
import type { TextSink } from './output.js';

export interface Logger {
  error(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  trace(msg: string, fields?: Record<string, unknown>): void;
}

/** klog-style verbosity (0-5 and beyond) to a pino level: 0 errors and warnings only, 5 everything. */
export function levelFor(verbosity: number): 'warn' | 'info' | 'debug' | 'trace' {
  if (verbosity <= 0) return 'warn';
  if (verbosity <= 2) return 'info';
  if (verbosity <= 4) return 'debug';
  return 'trace';
}

export function createLogger(verbosity: number, sink: TextSink): Logger {
  // pino is CommonJS; require keeps the load synchronous and lazy.
  const pino = createRequire(import.meta.url)('pino') as typeof import('pino');
  const p = pino.pino(
    {
      level: levelFor(verbosity),
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      // "level":"debug" reads better on a terminal than pino's numbers.
      formatters: { level: (label) => ({ level: label }) },
    },
    { write: (line: string) => sink.write(line) },
  );
  const at =
    (level: keyof Logger) =>
    (msg: string, fields?: Record<string, unknown>): void =>
      fields ? p[level](fields, msg) : p[level](msg);
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), trace: at('trace') };
}
