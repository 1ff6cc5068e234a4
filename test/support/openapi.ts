// The workflow API's OpenAPI document (api/openapi.ts, generated from its schemas) as a checker of real
// answers: which documented operation a request reached (a concrete path before a templated one, as
// OpenAPI says), and whether the answer's status, content type and body match what the document promises
// for it. Its schemas are JSON Schema 2020-12 (OpenAPI 3.1), checked here by ajv, independently of zod.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { openapiDocument } from '../../api/openapi.ts';

interface MediaType {
  schema: object;
  'x-sse-events'?: Record<string, object>;
}
interface Operation {
  responses: Record<string, { content?: Record<string, MediaType> }>;
}
export interface Spec {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

/** The document as a client reads it: the JSON GET /openapi.json sends. */
export const spec = JSON.parse(JSON.stringify(openapiDocument)) as Spec;

const SCHEMAS_ID = 'openapi-components';
const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true });
formats.default(ajv);
// The components under an id of their own, so every "#/components/schemas/X" of the document resolves.
ajv.addSchema(JSON.parse(JSON.stringify({ $id: SCHEMAS_ID, $defs: spec.components.schemas }).replaceAll('"#/components/schemas/', `"${SCHEMAS_ID}#/$defs/`)));
const compiled = new Map<string, ValidateFunction>();

function validator(schema: object): ValidateFunction {
  const text = JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${SCHEMAS_ID}#/$defs/`);
  let validate = compiled.get(text);
  if (!validate) {
    validate = ajv.compile(JSON.parse(text) as object);
    compiled.set(text, validate);
  }
  return validate;
}

/** Problems of `value` against `schema` (a schema of the document, refs and all); empty when it conforms. */
export function schemaErrors(schema: object, value: unknown): string[] {
  const validate = validator(schema);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message} ${JSON.stringify(e.params)}`);
}

/** Every documented operation, as "METHOD /path/{param}". */
export function documentedOperations(): string[] {
  return Object.entries(spec.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
}

/** The documented path a request path reaches: the most concrete template that matches it. */
export function pathTemplate(path: string): string | undefined {
  const matching = Object.keys(spec.paths).filter((template) => new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path));
  return matching.sort((a, b) => a.split('{').length - b.split('{').length)[0];
}

function operationOf(method: string, path: string): { template: string; operation: Operation } | undefined {
  const template = pathTemplate(path);
  const item = template === undefined ? undefined : spec.paths[template];
  const operation = item?.[method.toLowerCase()];
  return template !== undefined && operation ? { template, operation } : undefined;
}

export interface CheckedAnswer {
  /** "METHOD /path/{param}", or undefined when no operation is documented for the request. */
  operation: string | undefined;
  problems: string[];
}

/** Whether an answer is one the description promises for its request. `body` is parsed JSON, or the text of any other type. */
export function checkAnswer(method: string, path: string, status: number, contentType: string | null, body: unknown): CheckedAnswer {
  const found = operationOf(method, path);
  if (!found) return { operation: undefined, problems: [`no documented operation for ${method} ${path}`] };
  const operation = `${method.toUpperCase()} ${found.template}`;
  const response = found.operation.responses[String(status)] ?? found.operation.responses.default;
  if (!response) return { operation, problems: [`${operation} documents no ${status} answer`] };
  const mime = (contentType ?? '').split(';')[0]!.trim();
  const media = response.content?.[mime];
  if (!media)
    return { operation, problems: [`${operation} ${status}: documented as ${Object.keys(response.content ?? {}).join(', ') || 'no body'}, got ${mime}`] };
  return { operation, problems: schemaErrors(media.schema, body).map((p) => `${operation} ${status}: ${p}`) };
}

/** The schema of one Server-Sent Event of an operation's stream, by its event name. */
export function eventSchema(path: string, event: string): object | undefined {
  const found = operationOf('GET', path);
  return found?.operation.responses['200']?.content?.['text/event-stream']?.['x-sse-events']?.[event];
}
