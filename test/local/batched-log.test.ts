import { batchedJsonLogger } from '../../lib/local/batched-log';

const nextTurn = () => new Promise((r) => setImmediate(r));

describe("the local endpoint's batched log", () => {
  const sinks = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, sinks: { out: { write: (t: string) => out.push(t) }, err: { write: (t: string) => err.push(t) } } };
  };

  it("writes one turn's info lines in one write, in order, as the JSON lines the functions write", async () => {
    const { out, sinks: s } = sinks();
    const log = batchedJsonLogger(s);
    log.info('request', { status: 200, path: '/Users' });
    log.info('request', { status: 201 });
    expect(out).toEqual([]);
    await nextTurn();
    expect(out).toEqual(['{"level":"INFO","message":"request","status":200,"path":"/Users"}\n{"level":"INFO","message":"request","status":201}\n']);
    log.info('request', { status: 204 });
    await nextTurn();
    expect(out).toHaveLength(2);
    expect(JSON.parse(out[1])).toEqual({ level: 'INFO', message: 'request', status: 204 });
  });

  it('writes what is pending before an error line, and on flush', async () => {
    const { out, err, sinks: s } = sinks();
    const log = batchedJsonLogger(s);
    log.info('request', { status: 200 });
    log.error('local server error', { name: 'Error' });
    expect(out).toEqual(['{"level":"INFO","message":"request","status":200}\n']);
    expect(err).toEqual(['{"level":"ERROR","message":"local server error","name":"Error"}\n']);
    log.info('request', { status: 503 });
    log.flush();
    expect(out).toHaveLength(2);
    await nextTurn();
    // Nothing is written twice, and an empty turn writes nothing.
    expect(out).toHaveLength(2);
  });
});
