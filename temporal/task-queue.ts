// Whether a worker is polling a task queue: used to explain why a workflow is not moving yet.
import type { Client } from '@temporalio/client';
import protos from '@temporalio/proto';

/** A look, not a wait: a server that does not answer within this is treated as unable to say. */
const DEADLINE_MS = 2_000;

/** undefined when the server could not say. */
export async function workerIsPolling(client: Client, taskQueue: string): Promise<boolean | undefined> {
  const { TaskQueueKind, TaskQueueType } = protos.temporal.api.enums.v1;
  try {
    const response = await client.connection.withDeadline(Date.now() + DEADLINE_MS, () =>
      client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      }),
    );
    return response.pollers.length > 0;
  } catch {
    return undefined;
  }
}
