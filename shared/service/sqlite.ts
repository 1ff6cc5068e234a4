// Opening a service's own SQLite database (node:sqlite, built into Node: no server to run) and running
// work in one transaction. Each service owns its schema in its store.ts; this is only the plumbing.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/** ':memory:' for a database that lives as long as the process (tests), else a file that survives restarts. */
export function openDatabase(path: string): DatabaseSync {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  // WAL: readers do not block the writer; NORMAL sync is durable across a process crash (not a power cut).
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;');
  return db;
}

/** Runs `work` inside BEGIN IMMEDIATE … COMMIT; a throw rolls everything back and is passed on. */
export function transaction<T>(db: DatabaseSync, work: () => T): T {
  // IMMEDIATE takes the write lock up front (waiting up to busy_timeout for it). A plain BEGIN would
  // take it only at the first write, so two writers could both read, then conflict when one writes.
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    try {
      db.exec('ROLLBACK');
    } catch {
      // SQLite may have rolled back already (after some errors, e.g. SQLITE_FULL or an interrupt), and
      // then ROLLBACK fails too; the error worth passing on is the one that ended the transaction.
    }
    throw error;
  }
}
