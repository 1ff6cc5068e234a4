// What a route's handler returns: the JSON answer itself (status 200), or a Reply with another status
// (or a PlainText body, for the one answer that is not JSON).
// Its own module because both create-app.ts (every route) and mutations.ts (mutating ones) read it,
// and create-app.ts imports mutations.ts.
import type { StoredAnswer } from './idempotency.ts';

/** A handler's answer with a status other than 200 (201 Created, say). */
export class Reply {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, body: unknown) {
    this.status = status;
    this.body = body;
  }
}

/** A body that is not JSON (GET /metrics's text format), sent as it is with its content type. */
export class PlainText {
  readonly contentType: string;
  readonly text: string;
  constructor(contentType: string, text: string) {
    this.contentType = contentType;
    this.text = text;
  }
}

export function toAnswer(result: unknown): StoredAnswer {
  return result instanceof Reply ? { status: result.status, body: result.body } : { status: 200, body: result };
}
