import type { ComponentChildren } from 'preact';
import { ScimRequestError } from '../scim-client';

/** A polite "loading" line that screen readers announce. */
export function Loading({ what }: { what: string }) {
  return (
    <p class="status" role="status">
      Loading {what}…
    </p>
  );
}

/** A failed read, with the endpoint's own detail and status. */
export function Failure({ error, children }: { error: Error; children?: ComponentChildren }) {
  const status = error instanceof ScimRequestError && error.status > 0 ? ` (HTTP ${error.status}${error.scimType ? `, ${error.scimType}` : ''})` : '';
  return (
    <div class="failure" role="alert">
      <p>
        <strong>The endpoint refused this request{status}:</strong> {error.message}
      </p>
      {children}
    </div>
  );
}
