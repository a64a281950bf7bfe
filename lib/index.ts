/**
 * The npm package's entry point (`import { ScimEndpoint } from 'scim-endpoint'`): the construct
 * to add to a CDK app of one's own, its props, the constructs its public properties expose,
 * and the whole stack this repository deploys. The functions come prebuilt in the package
 * (dist/functions/): a consumer needs neither esbuild nor these sources. README.md, "Use it
 * in your own CDK app".
 */
export { ScimEndpoint, TABLE_ACTIONS, type ScimCustomDomain, type ScimEndpointProps } from './constructs/scim-endpoint';
export type { ScimObservabilityProps } from './constructs/observability';
export { ScimDashboard, type ScimDashboardProps } from './constructs/dashboard';
export { Monitoring, type MonitoringProps } from './constructs/monitoring';
export { ChangeEvents, type ChangeEventsProps } from './constructs/change-events';
export { ApiWebAcl, type ApiWebAclProps } from './constructs/api-protection';
export { NodeFunction, type NodeFunctionSettings } from './constructs/node-function';
export { CONTEXT_KEYS, ScimEndpointStack, stackPropsFromContext, type ScimEndpointStackProps } from './scim-endpoint-stack';
export type { ProfileName } from '../lambda/scim/profiles/profile';
export { DIMENSIONS as METRIC_DIMENSIONS, METRICS as METRIC_NAMES, DEFAULT_NAMESPACE as DEFAULT_METRICS_NAMESPACE } from '../lambda/handlers/metric-names';
