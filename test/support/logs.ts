import type { LogFields, Logger } from '../../lambda/http/log';

/** A Logger that keeps every line as lambda/http/log.ts's jsonLogger would write it. */
export class CapturingLogger implements Logger {
  readonly lines: string[] = [];
  info(message: string, fields: LogFields): void {
    this.lines.push(JSON.stringify({ level: 'INFO', message, ...fields }));
  }
  error(message: string, fields: LogFields): void {
    this.lines.push(JSON.stringify({ level: 'ERROR', message, ...fields }));
  }
  /** Every line that contains `needle` (case-sensitive). */
  containing(needle: string): string[] {
    return this.lines.filter((line) => line.includes(needle));
  }
}

/** Fails naming the first secret found in any captured line (the lines themselves are not repeated). */
export function expectNoSecrets(lines: readonly string[], secrets: readonly string[]): void {
  for (const secret of secrets) {
    const hits = lines.filter((line) => line.includes(secret)).length;
    if (hits > 0) throw new Error(`A secret (${secret.length} characters, starting "${secret.slice(0, 4)}") appears in ${hits} log line(s).`);
  }
}
