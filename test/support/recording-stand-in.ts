import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { read } from './aws-doubles';
import type { ReceivedRequest } from './sigv4';

/**
 * An HTTP stand-in for Secrets Manager, DynamoDB and EventBridge that records every request
 * with its headers, so that a test can check how a bundled function signs them. It answers
 * GetSecretValue with `secretString`, every DynamoDB call with an empty result (no item, no
 * page) and PutEvents by accepting every entry.
 */
export async function startRecordingStandIn(secretString: string) {
  const requests: ReceivedRequest[] = [];
  const server = createServer(async (req, res) => {
    const body = await read(req);
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    const target = String(req.headers['x-amz-target']);
    res.setHeader('Content-Type', target.startsWith('DynamoDB') ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1');
    if (target === 'secretsmanager.GetSecretValue') {
      const { SecretId } = JSON.parse(body) as { SecretId: string };
      res.end(JSON.stringify({ ARN: SecretId, Name: 'tokens', SecretString: secretString, VersionId: 'v' }));
    } else if (target === 'DynamoDB_20120810.Query' || target === 'DynamoDB_20120810.Scan') {
      res.end(JSON.stringify({ Items: [], Count: 0, ScannedCount: 0 }));
    } else if (target.startsWith('DynamoDB_20120810.')) {
      res.end('{}');
    } else if (target === 'AWSEvents.PutEvents') {
      const { Entries } = JSON.parse(body) as { Entries: unknown[] };
      res.end(JSON.stringify({ FailedEntryCount: 0, Entries: Entries.map((_, i) => ({ EventId: `event-${i}` })) }));
    } else {
      res.writeHead(400).end(JSON.stringify({ __type: 'UnknownOperationException', message: `not stood in for: ${target}` }));
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
