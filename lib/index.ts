/**
 * The npm package's entry point (`import { ScimEndpoint } from 'scim-endpoint'`): the construct
 * to add to a CDK app of one's own, its props, the constructs its public properties expose,
 * and the whole stack this repository deploys. The functions come prebuilt in the package
 * (dist/functions/): a consumer needs neither esbuild nor these sources. README.md, "The
 * construct in your own CDK app".
 *
 * Everything exported here is jsii-compatible (classes, props interfaces, no free function,
 * constant or type alias), which test/package/jsii.test.ts checks with the jsii compiler.
 */
export { ScimEndpoint, type ScimCustomDomain, type ScimEndpointProps } from './constructs/scim-endpoint';
export type { FunctionObservability, ScimObservabilityProps } from './constructs/observability';
export { ScimDashboard, type ScimDashboardProps } from './constructs/dashboard';
export { Monitoring, type MonitoringProps } from './constructs/monitoring';
export { ChangeEvents, type ChangeEventsProps } from './constructs/change-events';
export { DirectoryOperator, type DirectoryOperatorProps } from './constructs/directory-operator';
export { ApiWebAcl, type ApiWebAclProps } from './constructs/api-protection';
export { EdgeAuth, type EdgeAuthProps } from './constructs/edge-auth';
export { TokenAlarms, type TokenAlarmsProps } from './constructs/token-alarms';
export { NodeFunction, type NodeFunctionSettings } from './constructs/node-function';
export { ScimEndpointStack, type ScimEndpointStackProps } from './scim-endpoint-stack';
