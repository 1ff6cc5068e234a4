// Reviews (reviewers): the publish runs waiting for a decision, each with its reason and a live countdown to
// escalation and expiry; approve or reject with a comment. The list is asked again every few seconds, so a
// run that starts waiting appears without a reload; a row being answered is kept as it is.
import type { DecisionAnswer, RunDescription, RunList } from '../../../temporal/runs/contract.ts';
import { api, can, el, failed, main, Refused, runPath, show, signedIn } from './common.ts';

const REFRESH_MS = 2_000;

/** "4m 05s" until `iso`, or "now". */
function until(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((Date.parse(iso) - now) / 1000));
  return seconds === 0 ? 'now' : `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}

/** When the review escalates (null once it has) and when it expires: each wait is as long as the first. */
function deadlines(review: NonNullable<RunDescription['review']>): { escalates: string | null; expires: string | null } {
  if (!review.deadline) return { escalates: null, expires: null };
  if (review.state === 'escalated' || !review.requestedAt) return { escalates: null, expires: review.deadline };
  const wait = Date.parse(review.deadline) - Date.parse(review.requestedAt);
  return { escalates: review.deadline, expires: new Date(Date.parse(review.deadline) + wait).toISOString() };
}

function row(run: RunDescription, tick: Set<() => void>): HTMLElement {
  const key = run.workflowId;
  const review = run.review!;
  const { escalates, expires } = deadlines(review);
  const clock = el('span', { class: 'countdown' });
  const draw = () => {
    const now = Date.now();
    clock.textContent = [escalates && `escalates in ${until(escalates, now)}`, expires && `expires in ${until(expires, now)}`].filter(Boolean).join(', ');
  };
  draw();
  tick.add(draw);
  const comment = el('input', { name: 'comment', placeholder: 'Comment (optional)', 'aria-label': `Comment on ${key}` });
  const said = el('p', { class: 'said', role: 'status' });
  const decide = (verb: 'approve' | 'reject') => {
    const button = el('button', { type: 'button', class: verb }, verb === 'approve' ? 'Approve' : 'Reject');
    button.addEventListener('click', () => {
      said.textContent = '';
      const body = comment.value.trim() === '' ? {} : { comment: comment.value };
      api<DecisionAnswer>('POST', `/workflows/${encodeURIComponent(key)}/${verb}`, body)
        .then(({ review: now }) => (said.textContent = `${now.state} by ${now.decision?.reviewer ?? '?'}.`))
        .catch((error: unknown) => {
          said.classList.add('error');
          said.textContent = error instanceof Refused ? error.message : String(error);
        });
    });
    return button;
  };
  return el(
    'li',
    { class: 'review', 'data-key': key },
    el('a', { href: runPath(key) }, key),
    el('span', { class: `state ${review.state}` }, review.state),
    el('p', {}, `Reason: ${review.reason ?? '—'}`),
    clock,
    el('div', { class: 'decide' }, comment, decide('approve'), decide('reject')),
    said,
  );
}

async function view(): Promise<void> {
  const session = await signedIn('Reviews');
  if (!can(session, 'reviewer')) return show(el('p', { class: 'error' }, `${session.name} may not decide reviews: that needs the reviewer role.`));
  const list = el('ul', { id: 'reviews' });
  const empty = el('p', { class: 'muted' }, 'No run is waiting for a review.');
  const rows = new Map<string, HTMLElement>();
  const tick = new Set<() => void>();
  show(el('h1', {}, 'Reviews'), list, empty);
  // The countdowns, redrawn each second from the deadlines they already hold (no request).
  setInterval(() => tick.forEach((draw) => draw()), 1_000);
  const problem = el('p', { class: 'error', role: 'alert' });
  main().append(problem);
  const refresh = async () => {
    const waiting = await Promise.all(
      ['pending', 'escalated'].map((state) => api<RunList>('GET', `/workflows?kind=publish&status=Running&review=${state}&limit=100`)),
    );
    const keys = waiting.flatMap((answer) => answer.items.map((item) => item.workflowId));
    for (const key of keys.filter((k) => !rows.has(k))) {
      const run = await api<RunDescription>('GET', `/workflows/${encodeURIComponent(key)}`);
      if (run.review && !rows.has(key)) rows.set(key, list.appendChild(row(run, tick)));
    }
    // A decided run leaves the list at the next refresh; its row stays until then, with what was said.
    for (const [key, element] of rows) {
      if (keys.includes(key) || element.querySelector('.said')?.textContent) continue;
      rows.delete(key);
      element.remove();
    }
    empty.hidden = rows.size > 0;
  };
  // One refresh at a time, the next one REFRESH_MS after the last has ended; a failed one is said and retried.
  const again = async (): Promise<void> => {
    await refresh().then(
      () => (problem.textContent = ''),
      (error: unknown) => (problem.textContent = `Could not refresh the list: ${error instanceof Error ? error.message : String(error)}`),
    );
    setTimeout(() => void again(), REFRESH_MS);
  };
  await refresh();
  setTimeout(() => void again(), REFRESH_MS);
}

view().catch(failed);
