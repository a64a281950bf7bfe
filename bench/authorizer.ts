/**
 * What the edge authorizer itself costs, in-process (`npm run bench:authorizer`): its handler's
 * own time on API Gateway's cache miss, with the token list already in the container (warm) and
 * with a Secrets Manager read first (over loopback to a stand-in that speaks its protocol; a real
 * read in the region adds its network round trip). A cache hit never invokes the function: that
 * part is API Gateway's documented behaviour, not measured here (docs/security.md, docs/deploy.md).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { hashToken } from '../lambda/http/auth';
import { authorize } from '../lambda/http/edge-authorizer';
import { SecretTokenVerifier } from '../lambda/http/secret-tokens';
import { median, percentile } from './lib/timing';

const TOKEN = 'bench-token-0123456789abcdefghijklmnopqrstu';
const quick = process.argv.includes('--quick');
const N = quick ? 300 : 2000;

async function main(): Promise<void> {
  const secret = JSON.stringify({ tokens: [{ id: 'old', sha256: hashToken('old-token'), expiresAt: '2099-01-01T00:00:00Z' }, { id: 'tok-bench', sha256: hashToken(TOKEN), name: 'okta' }] });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('Content-Type', 'application/x-amz-json-1.1');
      res.end(JSON.stringify({ ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s', SecretString: secret, VersionId: 'v1' }));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const client = new SecretsManagerClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const event = {
    type: 'REQUEST',
    methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/GET/scim/v2/Users',
    headers: { Authorization: `Bearer ${TOKEN}` },
  } as unknown as APIGatewayRequestAuthorizerEvent;

  const time = async (fresh: () => SecretTokenVerifier, shared?: SecretTokenVerifier) => {
    const micros: number[] = [];
    for (let i = 0; i < N; i++) {
      const verifier = shared ?? fresh();
      const started = process.hrtime.bigint();
      await authorize(event, verifier, 'benchsalt0123456');
      micros.push(Number(process.hrtime.bigint() - started) / 1000);
    }
    return { medianMicros: +median(micros).toFixed(1), p99Micros: +percentile(micros, 99).toFixed(1) };
  };
  const make = () => new SecretTokenVerifier('s', client, Date.now, 30_000);
  const warmList = make();
  await authorize(event, warmList, 'benchsalt0123456');
  const warm = await time(make, warmList);
  const withRead = await time(make);
  server.close();
  client.destroy();

  console.log(`Edge authorizer, in-process, ${N} invocations each (node ${process.version})`);
  console.table({
    'cache miss, token list in the container': warm,
    'cache miss, token list read first (loopback stand-in)': withRead,
  });
  console.log('A cache hit (the same token within authorizerCacheSeconds) does not invoke the function: 0 µs of ours, no Lambda charge.');
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
