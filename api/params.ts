// The path parameters of the workflow API, checked: a 400 naming the parameter for anything else.
import type { Request } from 'express';
import { HttpError } from '../shared/service/http-error.ts';
import { param } from '../shared/service/query.ts';
import { isRunKind, RUN_KIND_NAMES, type RunKind } from '../temporal/runs/kinds.ts';

/**
 * A business key, which is its run's workflow id: letters, digits and . _ : - (safe in a URL path, in a
 * visibility query and in a log line), starting with a letter or digit, 1 to 200 characters (room for
 * the ids a batch derives from its own key: `<key>-<kind>-<index>`). A run keyed approve, reject or
 * cancel cannot be started here: POST /workflows/{kind}/cancel is the action on the run keyed {kind}.
 */
export const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

export function keyParam(req: Request): string {
  const key = param(req, 'key');
  if (!KEY_PATTERN.test(key)) {
    throw new HttpError(
      400,
      'INVALID_FIELD',
      `"key" must be 1 to 200 letters, digits, ".", "_", ":" or "-", starting with a letter or digit, got ${quote(key)}`,
      {
        field: 'key',
      },
    );
  }
  return key;
}

export function kindParam(req: Request): RunKind {
  const kind = param(req, 'kind');
  if (!isRunKind(kind)) throw new HttpError(400, 'INVALID_FIELD', `"kind" must be one of ${RUN_KIND_NAMES.join(', ')}, got ${quote(kind)}`, { field: 'kind' });
  return kind;
}

/** A caller's value in a message: never more than a few dozen characters of it. */
function quote(value: string): string {
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
