import type { Filter } from './ast';

/** Every comparison, presence test and value filter of a filter, depth first. */
export function* leaves(filter: Filter): Generator<Exclude<Filter, { kind: 'and' | 'or' | 'not' }>> {
  switch (filter.kind) {
    case 'and':
    case 'or':
      yield* leaves(filter.left);
      yield* leaves(filter.right);
      return;
    case 'not':
      yield* leaves(filter.filter);
      return;
    default:
      yield filter;
  }
}

/** Whether a filter tests the top-level attribute `name` (core schema) anywhere. */
export function mentions(filter: Filter, name: string): boolean {
  for (const leaf of leaves(filter)) if (!leaf.path.uri && leaf.path.name === name) return true;
  return false;
}
