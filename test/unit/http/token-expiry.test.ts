import { hashToken } from '../../../lambda/http/auth';
import { daysLeftByDirectory, expiryMetricLines, NEVER_EXPIRES_DAYS, TOKEN_METRIC } from '../../../lambda/http/token-expiry';

const NOW = new Date('2026-11-28T12:00:00Z');
const inDays = (days: number) => new Date(NOW.getTime() + days * 86_400_000).toISOString();
const rec = (id: string, expiresAt: string | undefined, directory?: string) => ({ id, sha256: hashToken(id), expiresAt, ...(directory ? { directory } : {}) });

describe('daysLeftByDirectory', () => {
  test('the newest live token of each directory counts; expired ones and unreadable expiries do not', () => {
    const days = daysLeftByDirectory(
      [rec('old', inDays(-1)), rec('current', inDays(29.9)), rec('rotated-in', inDays(200)), rec('contractors', inDays(6.5), 'contractors'), rec('bad', 'never', 'x')],
      NOW,
    );
    expect(Object.fromEntries(days)).toEqual({ default: 200, contractors: 6 });
  });

  test('a registered directory whose tokens all expired (or that has none yet) is 0: its provider is locked out', () => {
    const days = daysLeftByDirectory([rec('c', inDays(-1), 'contractors'), rec('e', inDays(40), 'employees'), rec('d', inDays(90))], NOW, ['contractors', 'employees', 'new']);
    expect(Object.fromEntries(days)).toEqual({ default: 90, employees: 40, contractors: 0, new: 0 });
  });

  test('a directory without a live token is absent; a token without expiry reports ten years', () => {
    expect(daysLeftByDirectory([rec('gone', inDays(-3))], NOW).size).toBe(0);
    expect(daysLeftByDirectory([rec('dev', undefined)], NOW).get('default')).toBe(NEVER_EXPIRES_DAYS);
  });
});

describe('expiryMetricLines', () => {
  test('one EMF line for the stack (the least of its directories) and one per directory', () => {
    const lines = expiryMetricLines('ScimEndpoint', new Map([['default', 45], ['contractors', 6]]), NOW).map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({
      _aws: { Timestamp: NOW.getTime(), CloudWatchMetrics: [{ Namespace: TOKEN_METRIC.namespace, Dimensions: [['Stack']], Metrics: [{ Name: 'TokenDaysLeft', Unit: 'None' }] }] },
      Stack: 'ScimEndpoint',
      TokenDaysLeft: 6,
    });
    expect(lines.slice(1).map((l) => [l.Directory, l.TokenDaysLeft, l._aws.CloudWatchMetrics[0].Dimensions])).toEqual([
      ['default', 45, [['Stack', 'Directory']]],
      ['contractors', 6, [['Stack', 'Directory']]],
    ]);
  });

  test('no live token at all reports 0 days: both alarms fire, provisioning cannot work', () => {
    const [stack] = expiryMetricLines('S', new Map(), NOW).map((l) => JSON.parse(l));
    expect(stack.TokenDaysLeft).toBe(0);
  });
});
