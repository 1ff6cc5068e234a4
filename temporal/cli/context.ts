// What every verb of the client gets: a connected Temporal client (with the project's data converter),
// the configuration, and two outputs: `say` for people, `out` for --json (stdout then carries only the
// JSON outcome, everything for people goes to stderr).
import type { Client, Connection } from '@temporalio/client';
import type { Config } from '../../shared/config.ts';

export interface CommandContext {
  client: Client;
  connection: Connection;
  config: Config;
  json: boolean;
  say: (line?: string) => void;
  out: (value: unknown) => void;
}
