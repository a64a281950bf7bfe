/**
 * What the audit trail costs each change: the same write operations through the local endpoint
 * (the deployed handlers) on DynamoDB Local, once as they run and once with the audit items
 * taken out of their transactions by SDK middleware, interleaved sample by sample. The
 * differences are the audit's: extra items written, write units (as DynamoDB Local reports
 * them, and as AWS's published rules give them for the entries' real sizes) and latency. No
 * switch in the product turns the audit off; only this benchmark's middleware can.
 */
import { randomBytes } from 'node:crypto';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentChanges } from '../lambda/scim/audit-changes';
import { userResourceType } from '../lambda/scim/schema/registry';
import type { JsonObject } from '../lambda/scim/schema/types';
import { auditItem } from '../lambda/store/audit';
import { AUDIT_PREFIX } from '../lambda/store/keys';
import { createDocumentClient } from '../lambda/store/client';
import { ensureTable, LOCAL_CREDENTIALS, LOCAL_REGION } from '../lib/local/dynamodb-local';
import { instrument, PRICES } from './dynamo-calls';
import { startBenchEndpoint } from './lib/scim-client';
import { median } from './lib/timing';
import { USER_SCHEMA as USER } from '../lambda/scim/schema/user';
import { GROUP_SCHEMA as GROUP } from '../lambda/scim/schema/group';
import { PATCH_OP_SCHEMA as PATCH_OP } from '../lambda/scim/patch/dialects';


export interface AuditOverheadRow {
  readonly operation: string;
  /** TransactWriteItems calls of one operation. */
  readonly transactions: number;
  /** Audit items those transactions hold (an entry, and a page for each later transaction). */
  readonly auditItems: number;
  /** Bytes of the audit items as DynamoDB sizes items (attribute names and values). */
  readonly auditBytes: number;
  /** Write units with and without the audit items, as DynamoDB Local reports them (median). */
  readonly wruWith: number;
  readonly wruWithout: number;
  /** Write units the audit items cost by AWS's published rules: 2 per KB transactional, plus the entry's listing-index copy and each item's directory-index copy. */
  readonly ruleWru: number;
  /** DynamoDB calls of the request, with and without the audit items (the audit adds none). */
  readonly callsWith: number;
  readonly callsWithout: number;
  /** Latency of the whole request (median ms), with and without the audit items. */
  readonly msWith: number;
  readonly msWithout: number;
  /** USD per million such changes for the audit's write units by the rules (on-demand list price). */
  readonly ruleCostPerMillion: number;
}

export interface AuditOverheadResult {
  readonly samples: number;
  readonly rule: string;
  readonly rows: AuditOverheadRow[];
  /** CPU time of our own code to make an entry (the document's changes and the item), per change, in microseconds (median of batches). */
  readonly entryMicros: { readonly replace: number; readonly create: number };
}

type Item = Record<string, unknown>;

/** Whether a transaction item is an audit Put, in the document client's form or the marshalled one. */
function isAuditPut(entry: Item): boolean {
  const item = (entry.Put as { Item?: Item } | undefined)?.Item;
  const sk = item?.sk as unknown;
  const text = typeof sk === 'string' ? sk : (sk as { S?: string } | undefined)?.S;
  return typeof text === 'string' && text.startsWith(AUDIT_PREFIX);
}

/** The size DynamoDB bills an item by: its attribute names and values, as the DynamoDB Developer Guide counts them. */
function itemBytes(entry: Item): number {
  const raw = (entry.Put as { Item: Item }).Item;
  const item = typeof (raw.sk as { S?: string }).S === 'string' ? unmarshall(raw as never) : raw;
  return Object.entries(item).reduce((n, [name, value]) => n + Buffer.byteLength(name, 'utf8') + valueBytes(value), 0);
}

/** Strings by their UTF-8 bytes, numbers about 1 byte per 2 digits plus 1, a map or list 3 bytes plus 1 per element and its contents. */
function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace(/[.-]/g, '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + valueBytes(v), 0);
  if (value instanceof Set) return [...value].reduce((n: number, v) => n + valueBytes(v), 0);
  return 3 + Object.entries(value as Item).reduce((n, [k, v]) => n + 1 + Buffer.byteLength(k, 'utf8') + valueBytes(v), 0);
}

/**
 * Write units of an audit item by the rules: 2 per KB in a transaction, an entry's copy in the
 * listing index (1 per KB; 2 if transactional), and every item's keys-only copy in the
 * directory index (byDirectory: its keys, under 1 KB, 1 unit; 2 if transactional).
 */
function ruleUnits(bytes: number, isEntry: boolean): number {
  const kb = Math.max(1, Math.ceil(bytes / 1024));
  return 2 * kb + (isEntry ? 2 * kb : 0) + 2;
}

/** Takes the audit items out of transactions while `strip.on`, and records those it sees. */
function auditMiddleware(client: DynamoDBDocumentClient, strip: { on: boolean }, seen: { bytes: number; entry: boolean }[], transactions: { n: number }) {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'TransactWriteItemsCommand') {
        transactions.n++;
        const input = args.input as { TransactItems?: Item[] };
        const items = input.TransactItems ?? [];
        if (strip.on) {
          input.TransactItems = items.filter((entry) => !isAuditPut(entry));
        } else {
          for (const entry of items.filter(isAuditPut)) {
            const sk = JSON.stringify((entry.Put as { Item: Item }).Item.sk);
            seen.push({ bytes: itemBytes(entry), entry: sk.split('#').length <= 3 });
          }
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchAuditItems', priority: 'high' },
  );
}

/** Runs every operation `samples` times with the audit and as many times without, interleaved. */
export async function runAuditOverhead(endpoint: string, quick: boolean): Promise<AuditOverheadResult> {
  const samples = quick ? 3 : 9;
  const tableName = `bench-audit-${randomBytes(4).toString('hex')}`;
  await ensureTable(endpoint, tableName);
  const units: { read: number; write: number }[] = [];
  const client = createDocumentClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  instrument(client, (u) => units.push(u));
  const strip = { on: false };
  const seen: { bytes: number; entry: boolean }[] = [];
  const transactions = { n: 0 };
  auditMiddleware(client, strip, seen, transactions);
  const { server, scim } = await startBenchEndpoint(client, tableName);
  let seq = 0;
  const newUser = async () => scim('POST', '/Users', { schemas: [USER], userName: `audit-${seq++}@example.com`, name: { givenName: 'Ada', familyName: 'Lovelace' }, emails: [{ value: `a${seq}@example.com`, type: 'work' }] });
  const newGroup = async (members: string[] = []) => scim('POST', '/Groups', { schemas: [GROUP], displayName: `Audit group ${seq++}`, members: members.map((value) => ({ value })) });
  const patch = (operations: unknown[]) => ({ schemas: [PATCH_OP], Operations: operations });
  const pool: string[] = [];
  for (let i = 0; i < 120; i++) pool.push((await newUser()).id);

  interface Operation {
    readonly name: string;
    readonly prepare: () => Promise<() => Promise<unknown>>;
  }
  const ops: Operation[] = [
    { name: 'create user (POST)', prepare: async () => () => newUser() },
    { name: 'PUT user', prepare: async () => { const u = await newUser(); return () => scim('PUT', `/Users/${u.id}`, { schemas: [USER], userName: u.userName, displayName: 'Put', title: 'Analyst' }); } },
    { name: 'PATCH user (2 attributes)', prepare: async () => { const u = await newUser(); return () => scim('PATCH', `/Users/${u.id}`, patch([{ op: 'replace', path: 'displayName', value: 'P' }, { op: 'replace', path: 'active', value: false }])); } },
    { name: 'delete user', prepare: async () => { const u = await newUser(); return () => scim('DELETE', `/Users/${u.id}`); } },
    { name: 'create group with 3 members', prepare: async () => () => newGroup(pool.slice(0, 3)) },
    { name: 'group: add 1 member', prepare: async () => { const g = await newGroup(); return () => scim('PATCH', `/Groups/${g.id}`, patch([{ op: 'add', path: 'members', value: [{ value: pool[0] }] }])); } },
    { name: 'group: rename', prepare: async () => { const g = await newGroup(); return () => scim('PATCH', `/Groups/${g.id}`, patch([{ op: 'replace', path: 'displayName', value: `Renamed ${seq++}` }])); } },
    { name: 'group: add 100 members (3 transactions)', prepare: async () => { const g = await newGroup(); return () => scim('PATCH', `/Groups/${g.id}`, patch([{ op: 'add', path: 'members', value: pool.slice(0, 100).map((value) => ({ value })) }])); } },
    { name: 'delete group', prepare: async () => { const g = await newGroup(pool.slice(0, 3)); return () => scim('DELETE', `/Groups/${g.id}`); } },
  ];

  const rows: AuditOverheadRow[] = [];
  try {
    for (const op of ops) {
      const measured = { with: [] as { ms: number; wru: number; calls: number }[], without: [] as { ms: number; wru: number; calls: number }[] };
      let shape = { transactions: 0, items: 0, bytes: 0, rule: 0 };
      for (let s = 0; s < samples; s++) {
        for (const mode of ['with', 'without'] as const) {
          const request = await op.prepare();
          strip.on = mode === 'without';
          const [u0, s0, t0] = [units.length, seen.length, transactions.n];
          const started = performance.now();
          await request();
          const ms = performance.now() - started;
          strip.on = false;
          measured[mode].push({ ms, wru: units.slice(u0).reduce((sum, u) => sum + u.write, 0), calls: units.length - u0 });
          if (mode === 'with') {
            const items = seen.slice(s0);
            shape = { transactions: transactions.n - t0, items: items.length, bytes: items.reduce((n, i) => n + i.bytes, 0), rule: items.reduce((n, i) => n + ruleUnits(i.bytes, i.entry), 0) };
          }
        }
      }
      rows.push({
        operation: op.name,
        transactions: shape.transactions,
        auditItems: shape.items,
        auditBytes: shape.bytes,
        wruWith: median(measured.with.map((m) => m.wru)),
        wruWithout: median(measured.without.map((m) => m.wru)),
        ruleWru: shape.rule,
        callsWith: median(measured.with.map((m) => m.calls)),
        callsWithout: median(measured.without.map((m) => m.calls)),
        msWith: round(median(measured.with.map((m) => m.ms))),
        msWithout: round(median(measured.without.map((m) => m.ms))),
        ruleCostPerMillion: round(shape.rule * PRICES.dynamoWriteRequestUnitPerMillion),
      });
    }
  } finally {
    await server.close();
    client.destroy();
  }
  return {
    samples,
    entryMicros: { replace: entryMicros('replace'), create: entryMicros('create') },
    rule: 'an audit item costs 2 WRU per KB (it is in a transaction), an entry as much again for its copy in the listing index, and every item 2 for its keys-only copy in the directory index (index copies counted at the transactional rate, the higher of the two readings of the rules); pages are not in the listing index',
    rows,
  };
}

/** Our CPU per entry: the changes of a typical Okta PUT (or create) of a user, and the item they make. */
function entryMicros(kind: 'replace' | 'create'): number {
  const before: JsonObject = {
    schemas: [USER],
    userName: 'ada@example.com',
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    displayName: 'Ada',
    active: true,
    emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Engines', employeeNumber: '1815' },
  };
  const after: JsonObject = { ...before, displayName: 'Ada Lovelace', title: 'Analyst' };
  const batch = 2_000;
  const times: number[] = [];
  for (let round = 0; round < 15; round++) {
    const started = process.cpuUsage();
    for (let i = 0; i < batch; i++) {
      const changes = documentChanges(userResourceType, kind === 'create' ? undefined : before, after);
      auditItem(
        { id: 'e', at: '2026-12-01T00:00:00.000Z', directory: 'default', actor: { tokenId: 'tok-1', name: 'okta' }, requestId: 'r', operation: kind, resourceType: 'User', resourceId: 'u', resourceName: 'ada@example.com', changes },
        400,
      );
    }
    const used = process.cpuUsage(started);
    times.push((used.user + used.system) / batch);
  }
  return round(median(times.slice(5)));
}

const round = (value: number) => Math.round(value * 100) / 100;
