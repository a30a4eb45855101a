// Structured logs on stderr through pino, loaded by the first message shown, so that commands which
// log nothing at their verbosity (kbadm version, most commands at --v=0) never load it.
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

const LEVEL_ORDER = ['trace', 'debug', 'info', 'warn', 'error'] as const;

export function createLogger(verbosity: number, sink: TextSink): Logger {
  const threshold = LEVEL_ORDER.indexOf(levelFor(verbosity));
  // pino is loaded by the first message that will be shown, so that a command which logs nothing at
  // this verbosity never pays for it.
  let p: import('pino').Logger | undefined;
  const load = (): import('pino').Logger => {
    // pino is CommonJS; require keeps the load synchronous.
    const pino = createRequire(import.meta.url)('pino') as typeof import('pino');
    return pino.pino(
      {
        level: levelFor(verbosity),
        base: undefined,
        timestamp: pino.stdTimeFunctions.isoTime,
        // "level":"debug" reads better on a terminal than pino's numbers.
        formatters: { level: (label) => ({ level: label }) },
      },
      { write: (line: string) => sink.write(line) },
    );
  };
  const at =
    (level: keyof Logger) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      if (LEVEL_ORDER.indexOf(level) < threshold) return;
      p ??= load();
      if (fields) p[level](fields, msg);
      else p[level](msg);
    };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), trace: at('trace') };
}
