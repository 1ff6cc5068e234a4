// A switch in front of a real service for the circuit breaker's tests: while `failing`, every request is
// answered 503 (a service whose own dependencies broke), and every request that arrives is counted by path,
// so a test can tell the calls that reached the service from those the breaker failed fast.
import type { RequestHandler } from 'express';

export function failureSwitch() {
  const state = {
    failing: false,
    /** Start failing once a POST /process-external has been answered: a run past that step meets the outage at enrich. */
    failAfterProcessExternal: false,
    requests: new Map<string, number>(),
  };
  const middleware: RequestHandler = (req, res, next) => {
    state.requests.set(req.path, (state.requests.get(req.path) ?? 0) + 1);
    if (state.failing) {
      res.status(503).json({ error: { code: 'DEPENDENCY_DOWN', message: 'failing on purpose (test)' } });
      return;
    }
    if (state.failAfterProcessExternal && req.path === '/process-external') res.on('finish', () => (state.failing = true));
    next();
  };
  return { state, middleware, requests: (path: string) => state.requests.get(path) ?? 0 };
}
