// Sign in with a token: the API keeps it in an HttpOnly cookie, so this page forgets it at once.
import type { Session } from '../../contract.ts';
import { api, el, Refused, show } from './common.ts';

/** Where to go after signing in: a console page, never another site. */
const next = new URLSearchParams(location.search).get('next');
const target = next?.startsWith('/console/') ? next : '/console/runs';

const token = el('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'current-password', required: '' });
const problem = el('p', { class: 'error', role: 'alert' });
const form = el(
  'form',
  { class: 'card' },
  el('label', { for: 'token' }, 'Token'),
  token,
  problem,
  el('button', { type: 'submit' }, 'Sign in'),
  el('p', { class: 'muted' }, 'npm start prints the development tokens on its first run; npm run token makes one for a name and roles.'),
);
form.addEventListener('submit', (event) => {
  event.preventDefault();
  problem.textContent = '';
  api<Session>('POST', '/session', { token: token.value })
    .then(() => location.assign(target))
    .catch((error: unknown) => {
      problem.textContent = error instanceof Refused ? error.message : String(error);
    });
});
document.title = 'Sign in · Workflow console';
show(el('h1', {}, 'Sign in'), form);
