/**
 * DynamoDB expressions from lists: what an update SETs, ADDs, REMOVEs and DELETEs, and the
 * clauses a condition requires (all of them). Every attribute name and value goes through a
 * placeholder, so no name is ever a reserved word and no value is spliced into text.
 */

/** One clause of a condition; a condition holds when all its clauses do. */
export type Clause =
  | { readonly exists: string }
  | { readonly notExists: string }
  | { readonly equals: readonly [name: string, value: unknown] }
  /** The set or list attribute is absent or has fewer than `limit` elements. */
  | { readonly sizeBelow: readonly [name: string, limit: number] }
  /** The set (or string) attribute holds `value`. */
  | { readonly contains: readonly [name: string, value: unknown] };

/** What an Update changes. */
export interface Changes {
  readonly set?: Readonly<Record<string, unknown>>;
  /** Numbers added to, or sets merged into, attributes. */
  readonly add?: Readonly<Record<string, unknown>>;
  readonly remove?: readonly string[];
  /** Elements taken out of set attributes. */
  readonly delete?: Readonly<Record<string, unknown>>;
}

/** The expression parameters of a DynamoDB request (none of them empty). */
export interface Expressions {
  UpdateExpression?: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** Builds an UpdateExpression (and the condition, when given). */
export function updateExpression(changes: Changes, condition: readonly Clause[] = []): Expressions {
  const p = new Placeholders();
  const parts: string[] = [];
  const set = Object.entries(changes.set ?? {}).filter(([, v]) => v !== undefined);
  if (set.length) parts.push(`SET ${set.map(([n, v]) => `${p.name(n)} = ${p.value(v)}`).join(', ')}`);
  const add = Object.entries(changes.add ?? {});
  if (add.length) parts.push(`ADD ${add.map(([n, v]) => `${p.name(n)} ${p.value(v)}`).join(', ')}`);
  if (changes.remove?.length) parts.push(`REMOVE ${changes.remove.map((n) => p.name(n)).join(', ')}`);
  const del = Object.entries(changes.delete ?? {});
  if (del.length) parts.push(`DELETE ${del.map(([n, v]) => `${p.name(n)} ${p.value(v)}`).join(', ')}`);
  if (parts.length === 0) throw new Error('An update needs at least one change.');
  return p.done({ UpdateExpression: parts.join(' '), ConditionExpression: p.condition(condition) });
}

/** Builds a ConditionExpression alone (for a Put, Delete or ConditionCheck). */
export function conditionExpression(condition: readonly Clause[]): Expressions {
  const p = new Placeholders();
  return p.done({ ConditionExpression: p.condition(condition) });
}

class Placeholders {
  private readonly names: Record<string, string> = {};
  private readonly values: Record<string, unknown> = {};
  private readonly aliases = new Map<string, string>();
  private valueCount = 0;

  name(name: string): string {
    let alias = this.aliases.get(name);
    if (!alias) {
      alias = `#n${this.aliases.size}`;
      this.aliases.set(name, alias);
      this.names[alias] = name;
    }
    return alias;
  }

  value(value: unknown): string {
    const alias = `:v${this.valueCount++}`;
    this.values[alias] = value;
    return alias;
  }

  condition(clauses: readonly Clause[]): string | undefined {
    if (clauses.length === 0) return undefined;
    return clauses.map((c) => this.clause(c)).join(' AND ');
  }

  private clause(c: Clause): string {
    if ('exists' in c) return `attribute_exists(${this.name(c.exists)})`;
    if ('notExists' in c) return `attribute_not_exists(${this.name(c.notExists)})`;
    if ('equals' in c) return `${this.name(c.equals[0])} = ${this.value(c.equals[1])}`;
    if ('contains' in c) return `contains(${this.name(c.contains[0])}, ${this.value(c.contains[1])})`;
    const [name, limit] = c.sizeBelow;
    return `(attribute_not_exists(${this.name(name)}) OR size(${this.name(name)}) < ${this.value(limit)})`;
  }

  done(e: Expressions): Expressions {
    const out: Expressions = {};
    if (e.UpdateExpression) out.UpdateExpression = e.UpdateExpression;
    if (e.ConditionExpression) out.ConditionExpression = e.ConditionExpression;
    if (this.aliases.size) out.ExpressionAttributeNames = this.names;
    if (this.valueCount) out.ExpressionAttributeValues = this.values;
    return out;
  }
}
