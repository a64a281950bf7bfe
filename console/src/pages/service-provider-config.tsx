import { AttributeList } from '../components/attributes';
import { Failure, Loading } from '../components/status';
import { useLoad } from '../components/use-load';
import { ScimRequestError, type ScimClient } from '../scim-client';

/** RFC 7643 §5: the features a service provider declares. */
interface ServiceProviderConfig {
  documentationUri?: string;
  patch?: { supported?: boolean };
  bulk?: { supported?: boolean; maxOperations?: number; maxPayloadSize?: number };
  filter?: { supported?: boolean; maxResults?: number };
  changePassword?: { supported?: boolean };
  sort?: { supported?: boolean };
  etag?: { supported?: boolean };
  authenticationSchemes?: Record<string, unknown>[];
  [attribute: string]: unknown;
}

const FEATURES: readonly { key: 'patch' | 'bulk' | 'filter' | 'changePassword' | 'sort' | 'etag'; label: string }[] = [
  { key: 'patch', label: 'PATCH' },
  { key: 'filter', label: 'Filtering' },
  { key: 'etag', label: 'ETags' },
  { key: 'sort', label: 'Sorting' },
  { key: 'bulk', label: 'Bulk' },
  { key: 'changePassword', label: 'Change password' },
];

/** What the endpoint says it supports, or a clear word when it does not publish it. */
export function ServiceProviderConfigPage({ client }: { client: ScimClient }) {
  const load = useLoad(() => client.get<ServiceProviderConfig>('/ServiceProviderConfig'), 'spc');
  return (
    <>
      <h1 tabIndex={-1}>Service provider</h1>
      {load.state === 'loading' ? <Loading what="the ServiceProviderConfig" /> : null}
      {load.state === 'failed' && load.error instanceof ScimRequestError && load.error.status === 404 ? (
        <div class="notice" role="status">
          <p>
            <strong>This endpoint does not publish a ServiceProviderConfig</strong> (<code>GET /ServiceProviderConfig</code> answered 404 Not Found).
          </p>
          <p>Discovery (RFC 7644 §4) tells a client which features the endpoint has; without it, the users and groups pages still work.</p>
        </div>
      ) : null}
      {load.state === 'failed' && !(load.error instanceof ScimRequestError && load.error.status === 404) ? <Failure error={load.error} /> : null}
      {load.state === 'done' ? <ConfigView config={load.value} /> : null}
    </>
  );
}

function ConfigView({ config }: { config: ServiceProviderConfig }) {
  return (
    <>
      <table class="list features" aria-label="Features">
        <thead>
          <tr>
            <th scope="col">Feature</th>
            <th scope="col">Supported</th>
            <th scope="col">Limits</th>
          </tr>
        </thead>
        <tbody>
          {FEATURES.map(({ key, label }) => {
            const feature = config[key] as Record<string, unknown> | undefined;
            const limits = Object.entries(feature ?? {}).filter(([name]) => name !== 'supported');
            return (
              <tr key={key}>
                <th scope="row">{label}</th>
                <td>{feature?.supported === true ? 'Yes' : feature?.supported === false ? 'No' : 'Not stated'}</td>
                <td>{limits.map(([name, value]) => `${name}: ${String(value)}`).join(', ')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <section aria-labelledby="auth">
        <h2 id="auth">Authentication schemes</h2>
        {(config.authenticationSchemes ?? []).length === 0 ? (
          <p class="empty">None declared.</p>
        ) : (
          (config.authenticationSchemes ?? []).map((scheme, i) => <AttributeList key={i} value={scheme} />)
        )}
      </section>
      <details>
        <summary>Raw JSON</summary>
        <pre>{JSON.stringify(config, null, 2)}</pre>
      </details>
    </>
  );
}
