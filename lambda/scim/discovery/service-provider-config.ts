import { BULK_MAX_OPERATIONS, BULK_MAX_PAYLOAD_BYTES } from '../bulk/limits';
import { DEFAULT_COUNT, MAX_COUNT } from '../list';
import type { ProfileName } from '../profiles/profile';
import type { JsonObject } from '../schema/types';

export const SERVICE_PROVIDER_CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';

/** Where an operator reads how to obtain and send a token (the project README). */
export const DOCUMENTATION_URI = 'https://github.com/scim-endpoint/scim-endpoint/blob/main/README.md';

/** Largest page under the AWS IAM Identity Center profile (CLIENTS.md §1.3). */
export const IIC_MAX_COUNT = 100;

/**
 * The ServiceProviderConfig (RFC 7643 §5), advertising exactly what this deployment does:
 * each flag is tied to the constant or profile that decides the behaviour, so the two
 * cannot drift apart. `pagination` is RFC 9865 §4's block.
 */
export function serviceProviderConfig(baseUrl: string, profile: ProfileName): JsonObject {
  const iic = profile === 'aws-iam-identity-center';
  const maxResults = iic ? IIC_MAX_COUNT : MAX_COUNT;
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
    documentationUri: DOCUMENTATION_URI,
    patch: { supported: true },
    bulk: iic
      ? { supported: false, maxOperations: 0, maxPayloadSize: 0 }
      : { supported: true, maxOperations: BULK_MAX_OPERATIONS, maxPayloadSize: BULK_MAX_PAYLOAD_BYTES },
    filter: { supported: true, maxResults },
    changePassword: { supported: false },
    sort: { supported: !iic },
    // IIC does not support meta.version (CLIENTS.md §1.4).
    etag: { supported: !iic },
    pagination: {
      cursor: true,
      index: !iic,
      // IIC ignores startIndex, so cursors are its only paging (RFC 9865 §4: the default must be offered).
      defaultPaginationMethod: iic ? 'cursor' : 'index',
      defaultPageSize: DEFAULT_COUNT,
      maxPageSize: maxResults,
      // Our cursors are positions in the listing, not server state: they do not expire.
    },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'A bearer token (RFC 6750), sent as "Authorization: Bearer <token>"; the deployment keeps only its SHA-256.',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        documentationUri: DOCUMENTATION_URI,
        primary: true,
      },
    ],
    meta: {
      resourceType: 'ServiceProviderConfig',
      location: `${baseUrl}/ServiceProviderConfig`,
    },
  };
}
