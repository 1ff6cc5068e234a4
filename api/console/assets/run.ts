// One run: its steps, review and compensations as they happen (the API's event stream, through the
// browser's EventSource: no polling here), then its result or its failure in words; cancel for operators.
import type { CancelAnswer, RunDescription, RunSnapshot } from '../../../temporal/runs/contract.ts';
import type { Session } from '../../contract.ts';
import { api, can, el, failed, Refused, show, signedIn, time, webUiLink } from './common.ts';

let key = '';
/** Set once an operator asked: redrawing on the next event keeps the button off and the words on. */
let cancelSaid: string | undefined;

function steps(progress: RunDescription['progress']): Node {
  if (!progress) return el('p', { class: 'muted' }, 'No progress yet (no worker has answered).');
  if (!('steps' in progress)) {
    const { total, succeeded, rejected, failed: failures, running } = progress;
    return el('p', {}, `Batch: ${succeeded} succeeded, ${rejected} rejected, ${failures} failed, ${running} running, of ${total}.`);
  }
  const rows = progress.steps.map((s) =>
    el(
      'tr',
      { 'data-step': s.step, 'data-status': s.status },
      el('td', {}, s.step),
      el('td', {}, s.status),
      el('td', {}, s.durationMs === null ? '' : `${s.durationMs} ms`),
    ),
  );
  const undone = progress.compensations.map((c) => el('li', {}, `${c.name}: ${c.outcome} (${c.detail})`));
  return el(
    'section',
    {},
    el('h2', {}, 'Steps'),
    el('table', { id: 'steps' }, el('thead', {}, el('tr', {}, el('th', {}, 'Step'), el('th', {}, 'Status'), el('th', {}, 'Took'))), el('tbody', {}, ...rows)),
    ...(undone.length > 0 ? [el('h2', {}, 'Compensations'), el('ul', { id: 'compensations' }, ...undone)] : []),
  );
}

function review(status: RunDescription['review']): Node[] {
  if (!status || status.state === 'not-needed' || status.state === 'not-yet') return [];
  const decided = status.decision
    ? `${status.decision.decision === 'approve' ? 'Approved' : 'Rejected'} by ${status.decision.reviewer} at ${time(status.decision.decidedAt)}` +
      (status.decision.comment ? `: “${status.decision.comment}”` : '')
    : `Waiting for a reviewer; the current wait ends ${time(status.deadline)}.`;
  return [el('h2', {}, 'Review'), el('p', { id: 'review-state' }, `${status.state}. Reason: ${status.reason ?? '—'}. ${decided}`)];
}

function outcome(run: RunDescription): Node[] {
  if (run.failure) {
    const at = run.failure.step ? ` at step ${run.failure.step}` : '';
    return [
      el('h2', {}, 'Outcome'),
      el('p', { id: 'outcome', class: 'error' }, `${run.status}${at}: ${run.failure.message} (${run.failure.type}, ${run.failure.category}).`),
    ];
  }
  if (run.result) return [el('h2', {}, 'Outcome'), el('pre', { id: 'outcome' }, JSON.stringify(run.result, null, 2))];
  return [];
}

function render(session: Session, run: RunDescription): void {
  const actions: Node[] = [];
  if (run.status === 'RUNNING' && can(session, 'operator')) {
    const cancel = el('button', { type: 'button', id: 'cancel' }, 'Cancel run');
    const said = el('span', { role: 'status' }, cancelSaid ?? '');
    cancel.disabled = cancelSaid !== undefined;
    cancel.addEventListener('click', () => {
      cancel.disabled = true;
      cancelSaid = 'Asking the run to stop…';
      api<CancelAnswer>('POST', `/workflows/${encodeURIComponent(key)}/cancel`)
        .then(() => (said.textContent = cancelSaid = 'Cancellation requested.'))
        .catch((error: unknown) => (said.textContent = cancelSaid = error instanceof Refused ? error.message : String(error)));
    });
    actions.push(el('p', {}, cancel, ' ', said));
  }
  show(
    el('h1', {}, key),
    el(
      'p',
      {},
      el('span', { id: 'status', class: `status ${run.status.toLowerCase()}` }, run.status),
      ` ${run.type} · started ${time(run.startTime)}${run.closeTime ? ` · closed ${time(run.closeTime)}` : ''} · `,
      webUiLink(session, run.workflowId, run.runId),
    ),
    ...(run.summary ? [el('p', { id: 'summary', class: 'summary' }, run.summary)] : []),
    ...actions,
    steps(run.progress),
    ...review(run.review),
    ...outcome(run),
  );
}

async function view(): Promise<void> {
  // Inside the view: a malformed address is said on the page, not left at "Loading…".
  key = decodeURIComponent(location.pathname.slice('/console/runs/'.length));
  const session = await signedIn(key);
  let run = await api<RunDescription>('GET', `/workflows/${encodeURIComponent(key)}`);
  render(session, run);
  if (run.status !== 'RUNNING') return;
  const events = new EventSource(`/workflows/${encodeURIComponent(key)}/events`);
  events.addEventListener('progress', (event) => {
    run = { ...run, ...(JSON.parse(event.data as string) as RunSnapshot) };
    render(session, run);
  });
  events.addEventListener('outcome', (event) => {
    events.close();
    render(session, JSON.parse(event.data as string) as RunDescription);
  });
  // The API's own `error` event carries data; the browser's (a dropped connection) does not, and it reconnects by itself.
  events.addEventListener('error', (event) => {
    if (event instanceof MessageEvent) failed(new Error((JSON.parse(event.data as string) as { error: { message: string } }).error.message));
  });
}

view().catch(failed);
