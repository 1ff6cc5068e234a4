// What a route's handler returns: the JSON answer itself (status 200), or a Reply with another status
// (or a PlainText body, for the one answer that is not JSON), or a Streamed answer it writes itself.
// Its own module because both create-app.ts (every route) and mutations.ts (mutating ones) read it,
// and create-app.ts imports mutations.ts.
import type { Response } from 'express';
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

/**
 * An answer written over time by the handler itself (the workflow API's Server-Sent Events): the checks
 * that may refuse the request run before it is returned, so a refusal is still an ordinary JSON error.
 * `write` must not throw once it has sent the headers: nobody could be told any more.
 */
export class Streamed {
  readonly write: (res: Response) => Promise<void>;
  constructor(write: (res: Response) => Promise<void>) {
    this.write = write;
  }
}

export function toAnswer(result: unknown): StoredAnswer {
  return result instanceof Reply ? { status: result.status, body: result.body } : { status: 200, body: result };
}
