// A failure's cause chain, as Temporal wraps it layer by layer (the workflow's failure around an activity's,
// around the service's answer). It imports nothing, so workflow code may use it too.

/** `error` and each of its causes, outermost first; empty when `error` is not an Error. A cause seen twice ends the walk. */
export function causeChain(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let e: unknown = error; e instanceof Error && !chain.includes(e); e = e.cause) chain.push(e);
  return chain;
}
