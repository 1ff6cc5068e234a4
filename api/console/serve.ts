// The console's files under /console/: one HTML shell (page.html) that loads each view's script, the
// scripts (TypeScript in assets/, served with the types stripped by amaro, Node's own stripper: no build
// step) and one stylesheet.
// They hold no data and need no token; every datum comes from the API's routes, signed in.
import { readFileSync } from 'node:fs';
import { transformSync } from 'amaro';
import { type Request, type Response, Router } from 'express';

const DIR = new URL('./', import.meta.url);

/** Each view's path, and the script (assets/<view>.ts) that renders it. */
const VIEWS: Record<string, string> = {
  '/console/sign-in': 'sign-in',
  '/console/runs': 'runs',
  '/console/runs/:key': 'run',
  '/console/start': 'start',
  '/console/reviews': 'reviews',
};

const ASSET = /^[a-z-]+\.(ts|css)$/;

export function consoleRouter(): Router {
  const router = Router({ strict: true, caseSensitive: true });
  // Read once per process: `npm run dev:api` restarts on a change.
  const files = new Map<string, string>();
  const file = (path: string, prepare: (text: string) => string = (text) => text) => {
    if (!files.has(path)) files.set(path, prepare(readFileSync(new URL(path, DIR), 'utf8')));
    return files.get(path)!;
  };
  router.get(['/console', '/console/'], (_req: Request, res: Response) => res.redirect(303, '/console/runs'));
  for (const [path, view] of Object.entries(VIEWS)) {
    router.get(path, (_req: Request, res: Response) => void res.type('html').send(file('page.html').replace('%VIEW%', view)));
  }
  router.get('/console/assets/:name', (req: Request, res: Response, next) => {
    const name = String(req.params.name);
    if (!ASSET.test(name)) return next();
    let text: string;
    try {
      text = name.endsWith('.css') ? file(`assets/${name}`) : file(`assets/${name}`, (code) => transformSync(code, { mode: 'strip-only' }).code);
    } catch {
      return next();
    }
    res.type(name.endsWith('.css') ? 'css' : 'js').send(text);
  });
  return router;
}
