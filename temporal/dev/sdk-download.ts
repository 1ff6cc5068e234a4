// node temporal/dev/sdk-download.ts <dir> <version>: has the Temporal SDK download the CLI into <dir>.
// The SDK downloads it only as part of starting a dev server, so this starts one and stops it at once.
// It runs as a child process of temporal-cli.ts because the SDK's runtime, once created, takes over
// SIGINT and SIGTERM for the rest of the process: a later Ctrl-C during a Go build would be swallowed.
import { mkdirSync } from 'node:fs';
import { TestWorkflowEnvironment } from '@temporalio/testing';

const [dir, version] = process.argv.slice(2);
if (!dir || !version) {
  process.stderr.write('Usage: npx node temporal/dev/sdk-download.ts <dir> <version>\n');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
try {
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'cached-download', downloadDir: dir, version, ttl: '3650d' }, ip: '127.0.0.1' },
  });
  await env.teardown();
  process.exit(0);
} catch (error) {
  process.stderr.write(`${(error as Error).message.split('\n')[0]}\n`);
  process.exit(1);
}
