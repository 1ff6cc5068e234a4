// Entry point: node server-a/index.ts
import { runService } from '../shared/service/serve.ts';
import { createServerAApp } from './app.ts';

await runService('server-a', createServerAApp);
