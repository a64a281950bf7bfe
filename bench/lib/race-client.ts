/**
 * The race's load generator: HTTP/1.1 with keep-alive (node:http, lighter per request than
 * fetch, so the client is less of the figure), a fixed number of requests in flight, every
 * answer's status and body checked, and each request's latency from sending to the last byte.
 */
import http from 'node:http';

/** One request of a phase and what a SCIM server should answer to it. */
export interface RaceRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path and query under the Base URL (`/Users?filter=...`). */
  readonly path: string;
  readonly body?: unknown;
  /** The statuses a SCIM server may answer with (RFC 7644 §3); any other is an error. */
  readonly expect: readonly number[];
  /** What the answer's body must say; a string names what is wrong. */
  readonly check?: (body: any) => string | undefined;
  /** Takes what later phases need (a created resource's id) from a good answer. */
  readonly keep?: (body: any) => void;
}

/** What one phase did on one server, before summarising. */
export interface PhaseRun {
  readonly requests: number;
  readonly errors: number;
  /** The first few errors, as `METHOD path: what` (synthetic data only: no token, no PII). */
  readonly errorSamples: string[];
  readonly latenciesMs: number[];
  readonly seconds: number;
}

/** A keep-alive client of one server. */
export class RaceClient {
  private readonly agent: http.Agent;
  private readonly base: URL;

  constructor(
    baseUrl: string,
    private readonly token: string,
    concurrency: number,
  ) {
    this.base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  }

  /** Sends one request; resolves with its status and parsed body (undefined when empty). */
  send(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const url = new URL(path.replace(/^\//, ''), this.base);
    return new Promise((resolve, reject) => {
      const req = http.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            Authorization: `Bearer ${this.token}`,
            Accept: 'application/scim+json',
            ...(payload === undefined ? {} : { 'Content-Type': 'application/scim+json', 'Content-Length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
            } catch {
              resolve({ status: res.statusCode ?? 0, body: text });
            }
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /**
   * Runs `count` requests, `concurrency` in flight, and records each one's latency and outcome.
   * It starts on new connections: a server closes a connection idle for its keep-alive timeout
   * (5 s in Node) while other servers run their phases, and a request sent just as it does
   * would fail for no fault of the server's.
   */
  async run(count: number, concurrency: number, make: (i: number) => RaceRequest): Promise<PhaseRun> {
    for (const sockets of Object.values(this.agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
    const latenciesMs: number[] = [];
    const errorSamples: string[] = [];
    let errors = 0;
    let next = 0;
    const fail = (r: RaceRequest, what: string) => {
      errors++;
      if (errorSamples.length < 3) errorSamples.push(`${r.method} ${r.path.slice(0, 120)}: ${what.slice(0, 240)}`);
    };
    const started = performance.now();
    await Promise.all(
      Array.from({ length: Math.min(concurrency, count) }, async () => {
        while (next < count) {
          const request = make(next++);
          const t = performance.now();
          try {
            const { status, body } = await this.send(request.method, request.path, request.body);
            latenciesMs.push(performance.now() - t);
            const wrong = !request.expect.includes(status) ? `answered ${status} (expected ${request.expect.join(' or ')}): ${JSON.stringify(body)}` : request.check?.(body);
            if (wrong) fail(request, wrong);
            else request.keep?.(body);
          } catch (error) {
            latenciesMs.push(performance.now() - t);
            fail(request, (error as Error).message);
          }
        }
      }),
    );
    return { requests: count, errors, errorSamples, latenciesMs, seconds: (performance.now() - started) / 1000 };
  }

  close(): void {
    this.agent.destroy();
  }
}
