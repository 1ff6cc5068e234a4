// What every console view shares: calling the API (its JSON error shape as an exception), who is signed in,
// the navigation, and elements built from text. Data from runs only ever becomes text nodes, never markup.
import type { Session } from '../../contract.ts';

/** A refusal from the API: its message and the field it names, if any. */
export class Refused extends Error {
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.field = field;
  }
}

/** One API call with the session cookie; a 401 sends the person to sign in and back here. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const sending = body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const res = await fetch(path, { method, ...sending });
  const json = (await res.json().catch(() => null)) as { error?: { message: string; field?: string } } | null;
  if (res.status === 401 && location.pathname !== '/console/sign-in') {
    location.assign(`/console/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`);
  }
  if (!res.ok) throw new Refused(json?.error?.message ?? res.statusText, json?.error?.field);
  return json as T;
}

/** An element with attributes and children; strings become text nodes, so nothing in them is ever parsed as HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: Array<Node | string>) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

export const main = () => document.getElementById('main')!;

/** Replaces the view's content. */
export function show(...children: Array<Node | string>): void {
  main().replaceChildren(...children);
}

export const can = (session: Session, role: Session['roles'][number]) => session.roles.includes(role);

/** The console's own page of a run. */
export const runPath = (key: string) => `/console/runs/${encodeURIComponent(key)}`;

/** The run's page in the Temporal Web UI, when the API knows where that is. */
export function webUiLink(session: Session, workflowId: string, runId: string): Node {
  if (!session.webUi) return el('span', { class: 'muted' }, '—');
  const path = [session.namespace, workflowId, runId].map(encodeURIComponent);
  return el('a', { href: `${session.webUi}/namespaces/${path[0]}/workflows/${path[1]}/${path[2]}/history` }, 'Web UI');
}

/** Who is signed in (or off to sign in), with the navigation their roles allow drawn. */
export async function signedIn(title: string): Promise<Session> {
  const session = await api<Session>('GET', '/session');
  document.title = `${title} · Workflow console`;
  const links: Array<[string, string, boolean]> = [
    ['/console/runs', 'Runs', true],
    ['/console/start', 'Start a run', can(session, 'operator')],
    ['/console/reviews', 'Reviews', can(session, 'reviewer')],
  ];
  const signOut = el('button', { type: 'button', class: 'link' }, 'Sign out');
  signOut.addEventListener('click', () => void api('DELETE', '/session').then(() => location.assign('/console/sign-in')));
  document
    .getElementById('nav')!
    .replaceChildren(
      ...links.filter(([, , shown]) => shown).map(([href, text]) => el('a', { href, ...(href === location.pathname && { 'aria-current': 'page' }) }, text)),
      el('span', { class: 'who' }, `${session.name} (${session.roles.join(', ')})`),
      signOut,
    );
  return session;
}

/** A view's failure to load, in words, in place of its content. */
export function failed(error: unknown): void {
  show(el('p', { class: 'error', role: 'alert' }, error instanceof Error ? error.message : String(error)));
}

export const time = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

/** The parts of a JSON Schema the console reads from the API's OpenAPI document. */
export interface JsonSchema {
  type?: string | string[];
  enum?: string[];
  examples?: unknown[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  default?: unknown;
}

interface OpenApiDocument {
  components: { schemas: Record<string, JsonSchema> };
  paths: Record<string, Record<string, { parameters?: Array<{ name: string; schema: JsonSchema }> }>>;
}

let document_: Promise<OpenApiDocument> | undefined;

/** The API's own description of itself: the kinds, each kind's input and the filters' values come from it, not from a copy here. */
export const openapi = () => (document_ ??= api<OpenApiDocument>('GET', '/openapi.json'));

/** The values a GET /workflows filter documents (its `examples`), or none. */
export async function filterValues(name: string): Promise<string[]> {
  const parameter = (await openapi()).paths['/workflows']?.get?.parameters?.find((p) => p.name === name);
  return (parameter?.schema.examples ?? []).map(String);
}

export const kinds = async () => (await openapi()).components.schemas.Kind?.enum ?? [];
