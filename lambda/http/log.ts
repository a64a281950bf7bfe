/**
 * Structured JSON logs, one line per event. Only what is passed is written: callers pass
 * no header, body or token, so none can reach CloudWatch.
 */
export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  info(message: string, fields: LogFields): void;
  error(message: string, fields: LogFields): void;
}

/** Writes JSON lines to stdout/stderr, as Lambda's log capture expects. */
export const jsonLogger: Logger = {
  info: (message, fields) => process.stdout.write(JSON.stringify({ level: 'INFO', message, ...fields }) + '\n'),
  error: (message, fields) => process.stderr.write(JSON.stringify({ level: 'ERROR', message, ...fields }) + '\n'),
};

/** Discards everything (tests that do not look at logs). */
export const silentLogger: Logger = { info: () => undefined, error: () => undefined };
