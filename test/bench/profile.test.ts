import { groupProfile } from '../../bench/profile';

/** A CPU profile of a few frames: what each is and how many µs of samples it holds. */
function profileOf(frames: { url: string; functionName?: string; micros: number; parent?: number }[]) {
  const nodes = [{ id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 }, children: [] as number[] }];
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  frames.forEach((f, i) => {
    const id = i + 2;
    nodes.push({ id, callFrame: { functionName: f.functionName ?? 'fn', url: f.url, lineNumber: i, columnNumber: 0 }, children: [] });
    nodes.find((n) => n.id === (f.parent ?? 1))!.children.push(id);
    // Two samples per frame, the time split between them.
    samples.push(id, id);
    timeDeltas.push(f.micros / 2, f.micros / 2);
  });
  return { nodes, samples, timeDeltas };
}

describe('bench/profile.ts: grouping a CPU profile', () => {
  it('groups by the source each bundled frame maps to, gives builtins to their caller (JSON and writev aside) and leaves idle out', () => {
    const sources: Record<number, string> = {
      0: '/p/node_modules/@smithy/signature-v4/dist-es/SignatureV4.js',
      1: '/p/node_modules/@aws-sdk/lib-dynamodb/dist-es/commands/utils.js',
      2: '/p/lambda/scim/validate.ts',
      3: '/p/lambda/store/dynamo-users.ts',
      4: '/p/node_modules/@smithy/core/dist-es/submodules/protocols/json.js',
    };
    const profile = profileOf([
      { url: 'file:///p/dist/index.mjs', micros: 100 }, // 0 signing
      { url: 'file:///p/dist/index.mjs', micros: 200 }, // 1 marshalling
      { url: 'file:///p/dist/index.mjs', micros: 300 }, // 2 validation
      { url: 'file:///p/dist/index.mjs', micros: 400 }, // 3 store
      { url: 'file:///p/dist/index.mjs', micros: 500 }, // 4 serialization
      { url: '', functionName: 'stringify', micros: 60, parent: 4 }, // JSON stays JSON
      { url: '', functionName: 'set natives', micros: 70, parent: 5 }, // a builtin called by the store frame (id 5)
      { url: '', functionName: 'writev', micros: 80, parent: 4 },
      { url: '', functionName: '(garbage collector)', micros: 90 },
      { url: '', functionName: '(idle)', micros: 5000 },
      { url: 'node:internal/streams/readable', micros: 10 },
    ]);
    const groups = groupProfile(profile, (_url, line) => sources[line] ?? '/p/unknown.js');
    expect(Object.fromEntries(groups)).toEqual({
      'SigV4 signing and hashing (SDK signer, node:crypto: token hashes, ids)': 100,
      'SDK: marshalling (document client, attribute values)': 200,
      'validation (schemas, values, names, JSON body checks)': 300,
      'services and store (ours)': 400 + 70,
      'SDK: serialization (JSON protocol, schemas)': 500,
      'JSON.parse and JSON.stringify': 60,
      'socket writes (writev: samples count its wall time, see below)': 80,
      'garbage collection': 90,
      'Node: HTTP, sockets, streams': 10,
    });
  });
});
