// Decides, once for the whole test run, which Temporal server the workflow tests use:
//  1. TEMPORAL_ADDRESS set: an existing server there (it must answer, or the run fails);
//  2. a Temporal CLI (TEMPORAL_CLI_PATH or `temporal` on PATH): a dev server started from it;
//  3. TEMPORAL_TEST_SERVER_PATH: the time-skipping test server from that binary;
//  4. otherwise the dev server @temporalio/testing downloads (and caches) itself.
// When none of these works, the tests that need a server are skipped and the run says so.
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { findTemporalCli } from '../../temporal/dev-server.ts';

export type TemporalTarget =
  | { available: true; address: string; namespace: string; source: string; timeSkipping: boolean }
  | { available: false; reason: string };

export interface FoundTemporal {
  target: TemporalTarget;
  teardown: () => Promise<void>;
}

export async function findTemporal(env: NodeJS.ProcessEnv = process.env): Promise<FoundTemporal> {
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
      );
    }
    const source = `existing server at ${address} (TEMPORAL_ADDRESS)`;
    return { target: { available: true, address, namespace, source, timeSkipping: false }, teardown: async () => {} };
  }

  const cli = findTemporalCli(env.TEMPORAL_CLI_PATH?.trim() || undefined, env.PATH);
  if (cli) {
    const server = { executable: { type: 'existing-path', path: cli }, ip: '127.0.0.1' } as const;
    return started(await TestWorkflowEnvironment.createLocal({ server }), `dev server started from ${cli}`);
  }

  const testServer = env.TEMPORAL_TEST_SERVER_PATH?.trim();
  if (testServer) {
    const testEnv = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServer } } });
    // The tests use plain clients and real-time retry backoffs; keep the clock running normally.
    await testEnv.connection.testService?.lockTimeSkipping({});
    return started(testEnv, `time-skipping test server started from ${testServer} (time skipping locked)`);
  }

  try {
    return started(await TestWorkflowEnvironment.createLocal({ server: { ip: '127.0.0.1' } }), 'dev server downloaded by @temporalio/testing');
  } catch (error) {
    return {
      target: {
        available: false,
        reason:
          'TEMPORAL_ADDRESS is not set, no `temporal` CLI is on PATH or in TEMPORAL_CLI_PATH, TEMPORAL_TEST_SERVER_PATH is not set, ' +
          `and @temporalio/testing could not download a dev server (${firstLine(error)})`,
      },
      teardown: async () => {},
    };
  }
}

function started(env: TestWorkflowEnvironment, source: string): FoundTemporal {
  return {
    target: { available: true, address: env.address, namespace: env.namespace ?? 'default', source, timeSkipping: env.supportsTimeSkipping },
    teardown: () => env.teardown(),
  };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
}
