// Runs: the list the API's filters find (kind, status, category, review state), each linked to its page here
// and in the Temporal Web UI. The filters live in the address, so a filtered list can be shared.
import type { RunList } from '../../../temporal/runs/contract.ts';
import { api, el, failed, filterValues, kinds, runPath, show, signedIn, time, webUiLink } from './common.ts';

const FILTERS = ['kind', 'status', 'category', 'review'] as const;

async function view(): Promise<void> {
  const session = await signedIn('Runs');
  const params = new URLSearchParams(location.search);
  const query = new URLSearchParams([...params].filter(([name, value]) => FILTERS.includes(name as never) && value !== ''));
  const [list, ...choices] = await Promise.all([api<RunList>('GET', `/workflows?${query}`), kinds(), filterValues('status'), filterValues('review')]);
  const choicesOf: Partial<Record<(typeof FILTERS)[number], string[]>> = { kind: choices[0], status: choices[1], review: choices[2] };
  const filter = (name: (typeof FILTERS)[number]) => {
    const choices = choicesOf[name];
    const value = params.get(name) ?? '';
    const input = choices
      ? el(
          'select',
          { id: name, name },
          el('option', { value: '' }, 'any'),
          ...choices.map((c) => el('option', { value: c, ...(c === value && { selected: '' }) }, c)),
        )
      : el('input', { id: name, name, value });
    return el('label', {}, `${name} `, input);
  };
  const rows = list.items.map((run) =>
    el(
      'tr',
      {},
      el('td', {}, el('a', { href: runPath(run.workflowId) }, run.workflowId)),
      el('td', {}, run.type),
      el('td', {}, run.status),
      el('td', {}, time(run.startTime)),
      el('td', {}, run.dataCategory ?? ''),
      el('td', {}, run.reviewState ?? ''),
      el('td', {}, webUiLink(session, run.workflowId, run.runId)),
    ),
  );
  const head = ['Key', 'Workflow', 'Status', 'Started', 'Category', 'Review', ''].map((h) => el('th', {}, h));
  show(
    el('h1', {}, 'Runs'),
    el('form', { class: 'filters', method: 'get' }, ...FILTERS.map(filter), el('button', { type: 'submit' }, 'Filter')),
    rows.length > 0 ? el('table', {}, el('thead', {}, el('tr', {}, ...head)), el('tbody', {}, ...rows)) : el('p', { class: 'muted' }, 'No runs match.'),
    el('p', { class: 'muted' }, `Visibility query: ${list.query || '(all runs)'}`),
  );
}

view().catch(failed);
