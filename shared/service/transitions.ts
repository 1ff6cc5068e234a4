// The one rule both services' stores follow for a change of status: an action may start only from the
// statuses its table allows (its own target among them, so repeating it is harmless); anything else is
// a 409 that names the current status and the one asked for.
import { HttpError } from './http-error.ts';

export type Transitions<Status extends string, Action extends string> = Record<Action, { from: readonly Status[]; to: Status }>;

/** The status `action` leads to from `current`; 409 INVALID_TRANSITION when it may not start there. */
export function nextStatus<Status extends string, Action extends string>(
  transitions: Transitions<Status, Action>,
  resource: { kind: string; id: string; status: Status },
  action: Action,
): Status {
  const { from, to } = transitions[action];
  if (!from.includes(resource.status)) {
    throw new HttpError(
      409,
      'INVALID_TRANSITION',
      `Cannot ${action} ${resource.kind} ${resource.id}: it is ${resource.status}, and only a ${from[0]} ${resource.kind} can become ${to}`,
    );
  }
  return to;
}
