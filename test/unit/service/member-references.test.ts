import { parseFilter } from '../../../lambda/scim/filter/parser';
import { mentions } from '../../../lambda/scim/filter/walk';
import { groupResourceType, userResourceType } from '../../../lambda/scim/schema/registry';
import { memberReferences } from '../../../lambda/scim/members';

/** How group filters use members decides between a membership lookup and loading member lists. */
describe('memberReferences', () => {
  it.each([
    ['members eq "u1"', ['u1'], false],
    ['members.value eq "u1"', ['u1'], false],
    ['members[value eq "u1"]', ['u1'], false],
    ['id eq "g" and members eq "u1"', ['u1'], false],
    ['members eq "u1" or members[value eq "u2"]', ['u1', 'u2'], false],
    ['not (members eq "u1")', ['u1'], false],
    ['members pr', [], true],
    ['members.value sw "u"', [], true],
    ['members[type eq "User"]', [], true],
    ['members[value eq "u1" and type eq "User"]', [], true],
    ['displayName eq "x"', [], false],
  ])('%s', (text, values, other) => {
    const refs = memberReferences(parseFilter(groupResourceType, text));
    expect({ values: [...refs.values].sort(), other }).toEqual({ values, other: refs.other });
  });
});

describe('mentions', () => {
  it.each([
    ['groups.value eq "g"', true],
    ['userName eq "a" and not (groups[display eq "x"])', true],
    ['userName eq "a" or title pr', false],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "groups"', false],
  ])('%s mentions groups: %s', (text, expected) => {
    expect(mentions(parseFilter(userResourceType, text), 'groups')).toBe(expected);
  });
});
