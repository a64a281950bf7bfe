import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

/**
 * Stands in for `@smithy/core/checksum` in the function bundles only
 * (lib/constructs/bundling.ts aliases that module to this file). What the bundled SDK takes
 * from that module is one name: each client's runtime config imports `Sha256`, the hash
 * SigV4 signs with. There it is `Sha256Node`, node:crypto's SHA-256 and HMAC, which falls back
 * to `Sha256Js`, a SHA-256 in JavaScript (3.3 KB of every bundle), if node:crypto has no
 * sha256. Node on Lambda always has it (FIPS mode included), so the fallback is never run; this
 * is Sha256Node without it: the same class over node:crypto, and a createHash that throws if
 * sha256 were ever missing.
 *
 * A static import of another name from the module (MD5, CRC32, stream hashers) fails the
 * build; the alias is then to be removed.
 */
export class Sha256 {
  readonly digestLength = 32;
  private readonly secret?: SourceData;
  private hash: Hash | Hmac;
  private readonly isHmac: boolean;
  private finished = false;

  constructor(secret?: SourceData) {
    this.secret = secret;
    this.isHmac = !!secret;
    this.hash = this.createHash();
  }

  update(data: string | NodeJS.ArrayBufferView): void {
    if (this.finished) throw new Error('Attempted to update an already finished hash.');
    this.hash.update(data);
  }

  async digest(): Promise<Uint8Array> {
    let buffer: Buffer;
    if (this.isHmac) {
      // An HMAC cannot be copied: its digest ends it.
      this.finished = true;
      buffer = this.hash.digest();
    } else {
      buffer = (this.hash as Hash).copy().digest();
    }
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  reset(): void {
    this.hash = this.createHash();
    this.finished = false;
  }

  private createHash(): Hash | Hmac {
    return this.secret ? createHmac('sha256', toBuffer(this.secret)) : createHash('sha256');
  }
}

/** What the SDK hashes and keys with (@smithy/types SourceData). */
type SourceData = string | ArrayBuffer | NodeJS.ArrayBufferView;

function toBuffer(data: SourceData): string | Buffer {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}
