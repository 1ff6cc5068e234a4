// Start a run (operators): the kind, a business key, and the fields of that kind's input, drawn from the
// input's schema in the API's OpenAPI document. A refusal is shown next to the field it names.
import type { StartedRun } from '../../../temporal/runs/contract.ts';
import { api, can, el, failed, type JsonSchema, kinds, openapi, Refused, runPath, show, signedIn } from './common.ts';

type Read = () => unknown;

/** An input for one property of the schema, and how to read its value (undefined: leave the field out). */
function control(name: string, schema: JsonSchema): [HTMLElement, Read] {
  const types = [schema.type].flat();
  if (schema.enum) {
    const select = el('select', { id: name, name }, ...schema.enum.map((value) => el('option', { value }, value)));
    return [select, () => select.value];
  }
  if (types.includes('boolean')) {
    const box = el('input', { id: name, name, type: 'checkbox' });
    return [box, () => (box.checked ? true : undefined)];
  }
  if (types.includes('object') || types.includes('array')) {
    const area = el('textarea', { id: name, name, rows: '4', placeholder: types.includes('array') ? '[ … ] (JSON)' : '{ … } (JSON)' });
    return [area, () => (area.value.trim() === '' ? undefined : (JSON.parse(area.value) as unknown))];
  }
  const numeric = types.includes('integer') || types.includes('number');
  const input =
    name === 'data'
      ? el('textarea', { id: name, name, rows: '2' })
      : el('input', { id: name, name, ...(numeric && !types.includes('string') && { type: 'number' }) });
  // A duration takes "30s" or milliseconds: digits alone are sent as the number they are.
  return [input, () => (input.value === '' ? undefined : numeric && /^\d+(\.\d+)?$/.test(input.value) ? Number(input.value) : input.value)];
}

/** A labelled input, its hint, and the place where a refusal naming it is shown. */
function field(name: string, label: string, input: HTMLElement, hint?: string): HTMLElement {
  return el(
    'div',
    { class: 'field' },
    el('label', { for: name }, label),
    input,
    ...(hint ? [el('small', {}, hint)] : []),
    el('p', { class: 'error', id: `error-${name}`, role: 'alert' }),
  );
}

async function view(): Promise<void> {
  const session = await signedIn('Start a run');
  if (!can(session, 'operator')) return show(el('p', { class: 'error' }, `${session.name} may not start runs: that needs the operator role.`));
  const [document, kindNames] = await Promise.all([openapi(), kinds()]);
  const kind = el('select', { id: 'kind', name: 'kind' }, ...kindNames.map((k) => el('option', { value: k }, k)));
  const key = el('input', { id: 'key', name: 'key', value: `console-${Date.now().toString(36)}` });
  const inputs = el('div', {});
  let readers: Array<[string, Read]> = [];
  // The kind's input fields, from its schema (openapi.ts names it <Kind>Input).
  const draw = () => {
    const schema = document.components.schemas[`${kind.value[0]!.toUpperCase()}${kind.value.slice(1)}Input`] ?? {};
    readers = [];
    inputs.replaceChildren(
      ...Object.entries(schema.properties ?? {}).map(([name, property]) => {
        const [input, read] = control(name, property);
        readers.push([name, read]);
        return field(name, `${name}${schema.required?.includes(name) ? ' (required)' : ''}`, input, property.description);
      }),
    );
  };
  kind.addEventListener('change', draw);
  const problem = el('p', { class: 'error', role: 'alert' });
  const form = el(
    'form',
    { class: 'card', id: 'start' },
    field('kind', 'kind', kind),
    field('key', 'key', key, 'The business key: the run’s workflow id, one run per key.'),
    inputs,
    problem,
    el('button', { type: 'submit' }, 'Start'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    for (const shown of form.querySelectorAll('.error')) shown.textContent = '';
    const body: Record<string, unknown> = {};
    try {
      for (const [name, read] of readers) {
        const value = read();
        if (value !== undefined) body[name] = value;
      }
    } catch (error) {
      problem.textContent = `Not JSON: ${(error as Error).message}`;
      return;
    }
    api<StartedRun>('POST', `/workflows/${encodeURIComponent(kind.value)}/${encodeURIComponent(key.value)}`, body)
      .then((run) => location.assign(runPath(run.workflowId)))
      .catch((error: unknown) => {
        const top = error instanceof Refused ? error.field?.split(/[.[]/)[0] : undefined;
        const place = (top && form.querySelector(`#error-${CSS.escape(top)}`)) || problem;
        place.textContent = error instanceof Error ? error.message : String(error);
      });
  });
  show(el('h1', {}, 'Start a run'), form);
  draw();
}

view().catch(failed);
