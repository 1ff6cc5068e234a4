// Decides, once for the whole test run, which Temporal server the workflow tests use:
//  1. TEMPORAL_ADDRESS set: an existing server there (it must answer, or the run fails);
//  2. otherwise a dev server (in memory, Web UI on its port + 1000) started from the CLI that
//     temporal/dev/temporal-cli.ts finds or makes: TEMPORAL_CLI_PATH, PATH, the project's cache, the
//     SDK's download, or a Go build of the pinned version (minutes the first time on a machine).
// When neither works, the tests that need a server are skipped and the run says why, unless
// TEMPORAL_REQUIRED=1 (CI sets it), which turns that into a failed run.
import { Connection } from '@temporalio/client';
import { startDevServer } from '../../temporal/dev/dev-server.ts';
import { freeDevServerPort } from '../../temporal/dev/free-port.ts';
import { ensureTemporalCli } from '../../temporal/dev/temporal-cli.ts';

export type TemporalTarget =
  { available: true; address: string; namespace: string; source: string; uiUrl: string | undefined } | { available: false; reason: string };

export interface FoundTemporal {
  target: TemporalTarget;
  teardown: () => Promise<void>;
}

export async function findTemporal(env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = () => {}): Promise<FoundTemporal> {
  const address = env.TEMPORAL_ADDRESS?.trim();
  if (address) {
    const namespace = env.TEMPORAL_NAMESPACE?.trim() || 'default';
    try {
      const connection = await Connection.connect({ address, connectTimeout: '5s' });
      await connection.close();
    } catch (error) {
      throw new Error(
        `TEMPORAL_ADDRESS=${address} is set, but no Temporal server answers there (${firstLine(error)}). ` +
          'Start that server, or unset TEMPORAL_ADDRESS to let the tests start their own.',
        { cause: error },
      );
    }
    const source = `existing server at ${address} (TEMPORAL_ADDRESS)`;
    const uiUrl = env.TEMPORAL_UI_URL?.trim() || undefined;
    return { target: { available: true, address, namespace, source, uiUrl }, teardown: async () => {} };
  }

  let cli;
  try {
    cli = await ensureTemporalCli({ explicitPath: env.TEMPORAL_CLI_PATH?.trim() || undefined, env, log });
  } catch (error) {
    return { target: { available: false, reason: (error as Error).message }, teardown: async () => {} };
  }
  // A port found free can be taken before the server binds it, or one of the ports it picks for its own
  // services can be (seen once in a full run: exit code 2 at once): such a start is tried again elsewhere.
  const failures: string[] = [];
  let server;
  for (let attempt = 0; !server && attempt < 3; attempt++) {
    server = await freeDevServerPort()
      .then((port) => startDevServer({ cli: cli.path, port, namespace: 'default' }))
      .catch((error: unknown) => void failures.push(firstLine(error)));
  }
  if (!server) {
    const reason = `the dev server from ${cli.path} did not start (3 tries): ${failures.join('; ')}`;
    return { target: { available: false, reason }, teardown: async () => {} };
  }
  const source = `dev server started from ${cli.path} (${cli.source})`;
  return {
    target: { available: true, address: server.address, namespace: 'default', source, uiUrl: server.uiUrl },
    teardown: server.stop,
  };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
}
