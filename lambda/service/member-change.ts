import { invalidValue, tooMany } from '../scim/errors';
import type { MemberDelta } from '../scim/members';
import { MAX_GROUPS_PER_USER } from '../store/memberships';
import type { MemberChange, MemberFacts } from '../store/types';

/**
 * What a request's member delta writes, given what the store read about the users it names
 * (and, for a replace, the group's current members): only what changes something, since
 * adding a member or removing a non-member is a no-op. Refuses new members that are not
 * users, or that are already in as many groups as a user may be.
 */
export function effectiveChange(delta: MemberDelta, facts: MemberFacts, current?: ReadonlySet<string>): MemberChange {
  if (delta.kind === 'replace') {
    const now = current ?? new Set<string>();
    const wanted = new Set(delta.members);
    const add = delta.members.filter((id) => !now.has(id));
    refuseUnable(add, facts);
    return { add, remove: [...now].filter((id) => !wanted.has(id)) };
  }
  const add = delta.add.filter((id) => !facts.members.has(id));
  refuseUnable(add, facts);
  return { add, remove: delta.remove.filter((id) => facts.members.has(id)) };
}

/** The users whose facts a delta needs: all it names, or for a replace those that would join. */
export function usersToRead(delta: MemberDelta, current?: ReadonlySet<string>): string[] {
  if (delta.kind === 'changes') return [...delta.add, ...delta.remove];
  return delta.members.filter((id) => !current?.has(id));
}

function refuseUnable(adds: readonly string[], facts: MemberFacts): void {
  const missing = adds.filter((id) => !facts.users.has(id));
  if (missing.length > 0) {
    const shown = missing.slice(0, 3).map((id) => `"${id.slice(0, 64)}"`).join(', ');
    throw invalidValue(`No User with id ${shown}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}; members must be existing Users.`);
  }
  const full = adds.filter((id) => facts.full.has(id));
  if (full.length > 0) {
    throw tooMany(`User "${full[0].slice(0, 64)}" is in ${MAX_GROUPS_PER_USER} groups, the most one user may be in; remove it from another group first.`);
  }
}
