import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type { ProfileName } from '../../lambda/scim/profiles/profile';
import { GATEWAY_ANSWERS, gatewayErrorBody } from './gateway-answers';

/** Adds every {@link GATEWAY_ANSWERS} entry to `api`, rendered for `profile`. */
export function addGatewayResponses(api: apigateway.RestApi, profile: ProfileName): void {
  const contentType = profile === 'aws-iam-identity-center' ? 'application/json' : 'application/scim+json';
  for (const answer of GATEWAY_ANSWERS) {
    const template = gatewayErrorBody(profile, answer.status, answer.detail);
    const headers = Object.fromEntries(Object.entries(answer.headers ?? {}).map(([name, value]) => [name, `'${value}'`]));
    api.addGatewayResponse(answer.id, {
      type: apigateway.ResponseType.of(answer.type),
      statusCode: answer.status,
      responseHeaders: { 'Content-Type': `'${contentType}'`, ...headers },
      templates: { 'application/json': template, 'application/scim+json': template },
    });
  }
}
