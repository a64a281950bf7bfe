import { DEFAULT_DIRECTORY, type TokenRecord } from './auth';

const DAY_MS = 86_400_000;
/** What a directory whose newest live token never expires reports: ten years, the CLI's longest lifetime. */
export const NEVER_EXPIRES_DAYS = 3650;

/**
 * Whole days left on the newest live token of each directory (a directory's identity provider
 * keeps working while any of its tokens does, so the newest is the one that matters). A
 * `registered` directory (lambda/http/directories.ts) with no live token is 0: its provider
 * is locked out. Any other directory with no live token is absent; the caller reports that as 0.
 */
export function daysLeftByDirectory(records: readonly TokenRecord[], now: Date, registered: readonly string[] = []): Map<string, number> {
  const newest = new Map<string, number>();
  for (const record of records) {
    const expires = record.expiresAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(record.expiresAt);
    if (!(expires > now.getTime())) continue; // expired, or an unreadable expiry: not live
    const directory = record.directory ?? DEFAULT_DIRECTORY;
    newest.set(directory, Math.max(newest.get(directory) ?? Number.NEGATIVE_INFINITY, expires));
  }
  return new Map([
    ...[...newest].map(([directory, expires]): [string, number] => [directory, expires === Number.POSITIVE_INFINITY ? NEVER_EXPIRES_DAYS : Math.floor((expires - now.getTime()) / DAY_MS)]),
    ...registered.filter((directory) => !newest.has(directory)).map((directory): [string, number] => [directory, 0]),
  ]);
}

/** The metric's namespace and name, shared with the alarms in lib/constructs/token-alarms.ts. */
export const TOKEN_METRIC = { namespace: 'ScimEndpoint', name: 'TokenDaysLeft' } as const;

/**
 * CloudWatch embedded-metric-format lines (the log line is the metric; no cloudwatch:PutMetricData,
 * which IAM cannot restrict to a resource): one for the stack, the least of its directories'
 * days (0 when no token is live at all), and one per directory.
 */
export function expiryMetricLines(stack: string, days: ReadonlyMap<string, number>, now: Date): string[] {
  const line = (dimensions: string[], values: Record<string, string | number>) =>
    JSON.stringify({
      _aws: {
        Timestamp: now.getTime(),
        CloudWatchMetrics: [{ Namespace: TOKEN_METRIC.namespace, Dimensions: [dimensions], Metrics: [{ Name: TOKEN_METRIC.name, Unit: 'None' }] }],
      },
      ...values,
    });
  const least = days.size === 0 ? 0 : Math.min(...days.values());
  return [
    line(['Stack'], { Stack: stack, [TOKEN_METRIC.name]: least }),
    ...[...days].map(([directory, value]) => line(['Stack', 'Directory'], { Stack: stack, Directory: directory, [TOKEN_METRIC.name]: value })),
  ];
}
