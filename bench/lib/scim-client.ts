/**
 * A minimal SCIM client for the benchmarks: JSON in, JSON out, and any status of 300 or
 * more is an error (a benchmark that meets a refusal has measured the wrong thing).
 */
export function scimClient(baseUrl: string, token: string) {
  return async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : undefined;
  };
}
