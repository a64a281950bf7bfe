import { useState } from 'preact/hooks';
import { basePathOf, ScimClient, ScimRequestError } from '../scim-client';

/**
 * Asks for the bearer token and checks it with one cheap read. The token is kept only in
 * page memory: not in the URL, not in localStorage or sessionStorage (browsers may write
 * either to disk), so a reload asks for it again.
 */
export function SignIn({ onConnect }: { onConnect: (client: ScimClient) => void }) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const connect = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      // The directory the token belongs to: the console reads that one.
      const client = new ScimClient(token.trim(), await basePathOf(token.trim()));
      await client.list('Users', { count: 1, attributes: 'userName' });
      setToken('');
      onConnect(client);
    } catch (error) {
      const status = error instanceof ScimRequestError ? error.status : 0;
      setProblem(status === 401 || status === 403 ? `The endpoint refused this token (HTTP ${status}).` : (error as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="sign-in">
      <h1 tabIndex={-1}>Connect to the SCIM endpoint</h1>
      <p>
        Paste the bearer token your identity provider uses. The console only reads, from the Base URL of the token's directory on this server
        (<code>/scim/v2</code>, or <code>/&lt;directory&gt;/scim/v2</code>), and keeps the token in this tab's memory until you close or reload it.
      </p>
      <form onSubmit={connect}>
        <label for="token">Bearer token</label>
        <input
          id="token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          value={token}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? 'token-problem' : undefined}
          onInput={(e) => setToken((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit" disabled={busy || !token.trim()}>
          {busy ? 'Connecting…' : 'Connect'}
        </button>
      </form>
      {problem ? (
        <p id="token-problem" class="failure" role="alert">
          {problem}
        </p>
      ) : null}
    </div>
  );
}
