// The data converter every client and worker of this project uses: the SDK's default, plus encryption
// when PAYLOAD_ENCRYPTION_KEYS is set. Both sides must agree, so they all take it from here.
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import type { PayloadKey } from '../../shared/config.ts';
import { AesGcmCodec } from './aes-gcm-codec.ts';

export const FAILURE_CONVERTER_PATH = fileURLToPath(new URL('./failure-converter.ts', import.meta.url));

export function dataConverterFor(keys: readonly PayloadKey[]): DataConverter | undefined {
  if (keys.length === 0) return undefined;
  return { payloadCodecs: [new AesGcmCodec(keys)], failureConverterPath: FAILURE_CONVERTER_PATH };
}
