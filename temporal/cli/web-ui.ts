// The client's link to a run in the Web UI of the Temporal server in use (docs/running.md says how that UI is found).
import { devUiPort, isLocalAddress } from '../dev/dev-server.ts';

export const COMPOSE_UI_PORT = 7070;

/** A local server's two UIs this project runs: the dev server's (its port + 1000) and Docker Compose's. */
export function webUiCandidates(address: string): string[] {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator);
  const port = Number(address.slice(separator + 1));
  return [`http://${host}:${devUiPort(port)}`, `http://${host}:${COMPOSE_UI_PORT}`];
}

/** The UI's API view of one run: 200 when that UI's server has the run, 404 when not (its pages answer 200 for any path). */
export function runApiUrl(uiUrl: string, namespace: string, workflowId: string, runId: string): string {
  return `${uiUrl}/api/v1/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}?execution.runId=${encodeURIComponent(runId)}`;
}

export function webUiLink(uiUrl: string, namespace: string, workflowId: string, runId: string): string {
  return `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}

/** Without TEMPORAL_UI_URL: the first candidate whose UI knows the run; a server elsewhere has a UI this project cannot guess. */
export async function webUiLinkFor(address: string, configured: string | undefined, namespace: string, workflowId: string, runId: string): Promise<string> {
  if (configured) return webUiLink(configured, namespace, workflowId, runId);
  if (!isLocalAddress(address)) return '(set TEMPORAL_UI_URL to link to your Web UI)';
  const candidates = webUiCandidates(address);
  const knows = async (ui: string) => {
    const response = await fetch(runApiUrl(ui, namespace, workflowId, runId), { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.ok;
  };
  const answers = await Promise.all(candidates.map((ui) => knows(ui).catch(() => false)));
  // None: no UI running, or another server's.
  const ui = candidates[answers.indexOf(true)];
  return ui ? webUiLink(ui, namespace, workflowId, runId) : `(no Web UI found at ${candidates.join(' or ')}; set TEMPORAL_UI_URL)`;
}

/** The run's page in this project's console, when the workflow API answers on this machine (npm start runs it). */
export async function consoleLinkFor(host: string, port: number, workflowId: string): Promise<string | undefined> {
  const base = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const ping = await fetch(`${base}/ping`, { signal: AbortSignal.timeout(1_000) })
    .then(async (res) => (res.ok ? ((await res.json()) as { service?: string }) : undefined))
    .catch(() => undefined);
  return ping?.service === 'api' ? `${base}/console/runs/${encodeURIComponent(workflowId)}` : undefined;
}
