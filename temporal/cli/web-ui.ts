// The client's link to a run in the Temporal Web UI, pointing at the UI of the server in use. With
// TEMPORAL_UI_URL set, that UI. Otherwise, for a local server, the candidates are the two UIs this
// project runs: the dev server's (frontend port + 1000, so 8233 for 7233) and Docker Compose's (7070).
// The one whose API knows this very run wins; the UI answers 200 for any page path, so only its API can tell.
import { devUiPort, isLocalAddress } from '../dev/dev-server.ts';

export const COMPOSE_UI_PORT = 7070;

export function webUiCandidates(address: string): string[] {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator);
  const port = Number(address.slice(separator + 1));
  return [`http://${host}:${devUiPort(port)}`, `http://${host}:${COMPOSE_UI_PORT}`];
}

/** The UI's API view of one run: 200 with the run when that UI's server has it, 404 when not. */
export function runApiUrl(uiUrl: string, namespace: string, workflowId: string, runId: string): string {
  return `${uiUrl}/api/v1/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}?execution.runId=${encodeURIComponent(runId)}`;
}

export function webUiLink(uiUrl: string, namespace: string, workflowId: string, runId: string): string {
  return `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}

/**
 * Without TEMPORAL_UI_URL: the first candidate whose UI knows the run. A server elsewhere (a cluster,
 * Temporal Cloud) has a UI this project cannot guess: it says what to set.
 */
export async function webUiLinkFor(address: string, configured: string | undefined, namespace: string, workflowId: string, runId: string): Promise<string> {
  if (configured) return webUiLink(configured, namespace, workflowId, runId);
  if (!isLocalAddress(address)) return '(set TEMPORAL_UI_URL to link to your Web UI)';
  const candidates = webUiCandidates(address);
  const answers = await Promise.all(
    candidates.map(async (ui) => {
      try {
        const response = await fetch(runApiUrl(ui, namespace, workflowId, runId), { signal: AbortSignal.timeout(2_000) });
        await response.body?.cancel();
        return response.ok;
      } catch {
        return false;
      }
    }),
  );
  // None: no UI running, or another server's.
  const ui = candidates[answers.indexOf(true)];
  return ui ? webUiLink(ui, namespace, workflowId, runId) : `(no Web UI found at ${candidates.join(' or ')}; set TEMPORAL_UI_URL)`;
}
