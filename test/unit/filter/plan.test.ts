import { parseFilter } from '../../../lambda/scim/filter/parser';
import { planFilter } from '../../../lambda/scim/filter/plan';
import { groupResourceType, userResourceType } from '../../../lambda/scim/schema/registry';
import cases from '../../fixtures/filter/plan.json';

type Case = { filter: string; resourceType?: string; plan: Record<string, unknown>; residual?: boolean };

describe('planFilter', () => {
  test.each((cases as Case[]).map((c) => [c.filter, c] as const))('%j', (_, c) => {
    const rt = c.resourceType === 'Group' ? groupResourceType : userResourceType;
    const filter = parseFilter(rt, c.filter);
    const plan = planFilter(filter, rt);
    if (c.plan.kind === 'scan') {
      expect(plan).toEqual({ kind: 'scan', filter });
    } else {
      // The lookup alone answers a lone predicate; anything more is re-checked on what it returns.
      expect(plan).toEqual(c.residual ? { ...c.plan, residual: filter } : c.plan);
      expect('residual' in plan).toBe(c.residual === true);
    }
  });
});
