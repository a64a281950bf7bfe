import type { LogFields, Logger } from '../../lambda/http/log';

/** Where a batched logger writes: process.stdout and process.stderr, or a test's stand-ins. */
export interface LogSinks {
  readonly out: { write(text: string): unknown };
  readonly err: { write(text: string): unknown };
}

/**
 * The local endpoint's logger: the same JSON lines as the functions' (lambda/http/log.ts
 * jsonLogger), but the info lines of one turn of the event loop go out in one write. A write
 * to a pipe is a system call that Node makes synchronously; with eight requests in flight it
 * was one per request. An error line first writes what is pending, so the order holds, and
 * `flush` (on exit) writes the rest.
 */
export function batchedJsonLogger(sinks: LogSinks = { out: process.stdout, err: process.stderr }): Logger & { flush(): void } {
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    sinks.out.write(text);
  };
  const line = (level: string, message: string, fields: LogFields) => JSON.stringify({ level, message, ...fields }) + '\n';
  return {
    info(message, fields) {
      pending.push(line('INFO', message, fields));
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    error(message, fields) {
      flush();
      sinks.err.write(line('ERROR', message, fields));
    },
    flush,
  };
}
