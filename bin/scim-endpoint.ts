#!/usr/bin/env node
/** The CDK app: `cdk deploy` (cdk.json runs this file with tsx). Settings come from CDK context. */
import { App } from 'aws-cdk-lib';
import { ScimEndpointStack, stackPropsFromContext } from '../lib/scim-endpoint-stack';

const app = new App();
const props = stackPropsFromContext(app);

new ScimEndpointStack(app, 'ScimEndpointStack', {
  ...props,
  stackName: props.stackName ?? 'ScimEndpoint',
  description: 'SCIM 2.0 endpoint (scim-endpoint)',
  // Deploy to the account and region of the CLI's credentials; unset, the stack stays environment-agnostic.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
