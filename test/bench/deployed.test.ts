import { existsSync, readFileSync } from 'node:fs';
import { DEPLOYED_BUNDLE_DIR, runDeployed } from '../../bench/deployed';
import { apiGatewayEvent, functionOf } from '../../bench/lib/api-event';
import { README, renderSections, replaceSections } from '../../bench/lib/readme';
import { workloadPhases, type WorkloadSize } from '../../bench/lib/race-workload';
import { localEndpoint } from '../support/dynamo';

describe('bench/deployed.ts: the deployed bundles, one invocation at a time', () => {
  const TINY: WorkloadSize = { users: 6, groups: 2, membersPerGroup: 3, removals: 2, pageSize: 4, listPasses: 1 };

  it('routes a path to its function as FUNCTION_ROUTES does, and makes the event the stage would send', () => {
    expect(['/Users?filter=userName%20eq%20%22a%22', '/Groups/g1', '/.search', '/Nowhere'].map(functionOf)).toEqual(['Users', 'Groups', 'Bulk', undefined]);
    const event = apiGatewayEvent('GET', '/Users?count=5&startIndex=2', 'tok', 'req-1');
    expect(event).toMatchObject({ httpMethod: 'GET', path: '/scim/v2/Users', queryStringParameters: { count: '5', startIndex: '2' }, body: null, requestContext: { requestId: 'req-1', stage: 'v1' } });
    expect(event.headers.Authorization).toBe('Bearer tok');
    expect(apiGatewayEvent('POST', '/Users', 'tok', 'req-2', { userName: 'x' })).toMatchObject({ queryStringParameters: null, body: '{"userName":"x"}' });
  });

  it("serves every phase of the race's workload on the Users and Groups bundles without an error, and renders its block", async () => {
    const result = await runDeployed(await localEndpoint(), TINY);
    const phases = workloadPhases(TINY);
    expect(result.phases.map((p) => [p.phase, p.requests])).toEqual(phases.map((p) => [p.phase, p.requests]));
    expect(result.phases.filter((p) => p.errors > 0).map((p) => `${p.phase}: ${p.errorSamples.join('; ')}`)).toEqual([]);
    expect(result.requests).toBe(phases.reduce((a, p) => a + p.requests, 0));
    expect(result.cpuMsPerRequest).toBeGreaterThan(0);
    // The bundles it built are gone.
    expect(existsSync(DEPLOYED_BUNDLE_DIR)).toBe(false);
    const block = renderSections({ recordedAt: '2026-12-02T00:00:00Z', mode: 'full', node: 'v20', deployed: result, budgets: [] }).deployed;
    expect(block).toContain(`| **whole workload** | ${result.requests} | 0 | **${result.cpuMsPerRequest}** |`);
    expect(replaceSections(readFileSync(README, 'utf8'), { deployed: block })).toContain(`<!-- bench:deployed -->\n${block}\n<!-- /bench:deployed -->`);
  }, 90_000);
});
