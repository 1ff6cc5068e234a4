// Encrypts every payload (workflow inputs, results, activity arguments, signals, queries, failures' details)
// before it leaves the process, so the Temporal server and its database only ever hold ciphertext.
// AES-256-GCM with a fresh 96-bit nonce per payload; the key id travels in the payload's metadata (not
// secret) so a key can be rotated: the first configured key encrypts, all of them decrypt.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type Payload, type PayloadCodec, ValueError } from '@temporalio/common';
import protos from '@temporalio/proto';
import type { PayloadKey } from '../../shared/config.ts';

// A CommonJS package: its namespaces come off the default export.
const { Payload: PayloadProto } = protos.temporal.api.common.v1;

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

const text = new TextEncoder();
const untext = new TextDecoder();

export class AesGcmCodec implements PayloadCodec {
  readonly #keys: Map<string, Buffer>;
  readonly #current: PayloadKey;

  constructor(keys: readonly PayloadKey[]) {
    if (keys.length === 0) throw new ValueError('AesGcmCodec needs at least one key');
    this.#current = keys[0]!;
    this.#keys = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const { id, key } = this.#current;
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      // The key id is authenticated too: moving a ciphertext under another id fails to decrypt.
      cipher.setAAD(text.encode(id));
      const plain = PayloadProto.encode(payload).finish();
      const sealed = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: text.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: text.encode(id) }, data: sealed };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // Plaintext payloads pass through: runs started before encryption was turned on stay readable.
      if (untext.decode(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
      const id = untext.decode(payload.metadata?.[KEY_ID_METADATA]);
      const key = this.#keys.get(id);
      if (!key) throw new ValueError(`payload encrypted with key id "${id}", which is not among PAYLOAD_ENCRYPTION_KEYS`);
      const sealed = Buffer.from(payload.data ?? new Uint8Array());
      if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new ValueError('encrypted payload is too short to be AES-GCM output');
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES));
      decipher.setAAD(text.encode(id));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      try {
        return PayloadProto.decode(Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]));
      } catch {
        throw new ValueError(`payload with key id "${id}" failed authentication: altered, or encrypted with another key of that id`);
      }
    });
  }
}
