// Entry point: node temporal/codec-server.ts   (npm run codec-server)
// Decrypts payloads for the Temporal Web UI (and `temporal ... --codec-endpoint`), with the keys of
// PAYLOAD_ENCRYPTION_KEYS. Point the UI at it: the dev server's --ui-codec-endpoint (npm run temporal:dev
// does this when keys are set), or the UI's "Codec Server" setting.
import { loadConfig, orExit } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { runUntilSignal } from '../shared/service/serve.ts';
import { webUiCandidates } from './cli/web-ui.ts';
import { AesGcmCodec } from './codec/aes-gcm-codec.ts';
import { createCodecServerApp } from './codec/codec-server-app.ts';

const config = orExit(loadConfig);
const logger = createLogger('codec-server', config.logLevel, config.logFormat);
if (config.codec.keys.length === 0) {
  process.stderr.write('PAYLOAD_ENCRYPTION_KEYS is empty: payloads are not encrypted, so there is nothing to decode.\n');
  process.exit(2);
}
// CORS keeps other web pages out, not other HTTP clients: beyond this machine, only with a secret.
if (!['127.0.0.1', 'localhost', '::1'].includes(config.serviceHost) && config.codec.serverAuth === undefined) {
  process.stderr.write(
    `SERVICE_HOST is ${config.serviceHost}: the codec server would decrypt for anyone who reaches it. Set CODEC_SERVER_AUTH, or keep SERVICE_HOST on 127.0.0.1.\n`,
  );
  process.exit(2);
}
const app = createCodecServerApp({ codec: new AesGcmCodec(config.codec.keys), allowedOrigins: uiOrigins(), auth: config.codec.serverAuth, logger });
await runUntilSignal(app, config.serviceHost, config.codec.serverPort, logger);

/** TEMPORAL_UI_URL's origin, or the local UIs this project runs, under both names of this machine. */
function uiOrigins(): string[] {
  if (config.temporal.uiUrl) return [new URL(config.temporal.uiUrl).origin];
  const port = config.temporal.address.slice(config.temporal.address.lastIndexOf(':') + 1);
  return ['localhost', '127.0.0.1'].flatMap((host) => webUiCandidates(`${host}:${port}`).map((ui) => new URL(ui).origin));
}
