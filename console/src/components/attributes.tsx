import { isActive } from '../format';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Every attribute of a SCIM object as a description list, whatever its schema: the console
 * shows what the endpoint returned, including attributes it does not know about. `first`
 * names attributes to show before the others, which keep the endpoint's order.
 */
export function AttributeList({ value, omit = [], first = [] }: { value: Record<string, unknown>; omit?: readonly string[]; first?: readonly string[] }) {
  const rank = (name: string) => (first.includes(name) ? first.indexOf(name) : first.length);
  const entries = Object.entries(value)
    .filter(([name]) => !omit.includes(name))
    .sort(([a], [b]) => rank(a) - rank(b));
  if (entries.length === 0) return <p class="empty">No attributes.</p>;
  return (
    <dl class="attributes">
      {entries.map(([name, v]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>
            <Value value={v as Json} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

function Value({ value }: { value: Json }) {
  if (value === null || value === undefined) return <span class="empty">null</span>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span class="empty">none</span>;
    if (value.every((item) => item !== null && typeof item === 'object' && !Array.isArray(item))) {
      return <ObjectTable rows={value as { [key: string]: Json }[]} />;
    }
    return (
      <ul class="plain">
        {value.map((item, i) => (
          <li key={i}>
            <Value value={item} />
          </li>
        ))}
      </ul>
    );
  }
  if (typeof value === 'object') return <AttributeList value={value} />;
  return <span>{String(value)}</span>;
}

/** A multi-valued complex attribute (emails, phoneNumbers, addresses) as a small table. */
function ObjectTable({ rows }: { rows: { [key: string]: Json }[] }) {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return (
    <table class="compact">
      <thead>
        <tr>
          {columns.map((c) => (
            <th scope="col" key={c}>
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={i}>
            {columns.map((c) => (
              <td key={c}>{c in row ? <Value value={row[c]} /> : ''}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** "Active" or "Inactive" in words (not colour alone), or "—" when the endpoint does not say. */
export function ActiveState({ value }: { value: unknown }) {
  const active = isActive(value);
  if (active === undefined) return <span class="empty">—</span>;
  return <span class={active ? 'badge active' : 'badge inactive'}>{active ? 'Active' : 'Inactive'}</span>;
}
