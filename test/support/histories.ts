// The replay corpus (test/histories/): one folder per recording, named <date>-<commit>, holding the histories
// npm run record:histories wrote from that commit's code and a manifest.json saying which code that was.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import type protos from '@temporalio/proto';

export type History = protos.temporal.api.history.v1.IHistory;

const HISTORIES = fileURLToPath(new URL('../histories/', import.meta.url));

export interface Manifest {
  /** The commit whose workflow code recorded the folder's histories. */
  commit: string;
  /** When, as an ISO 8601 time: the folder's name starts with its date. */
  recorded: string;
  /** The patch ids that code knew (temporal/workflows/patches.ts): a patch not listed came after it. */
  patches: string[];
  about: string;
}

export function manifestOf(folder: string): Manifest {
  return JSON.parse(readFileSync(join(HISTORIES, folder, 'manifest.json'), 'utf8')) as Manifest;
}

/** The recordings, oldest first by their manifests' times (two in one day sort by time, not by commit). */
export const GENERATIONS = readdirSync(HISTORIES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort((a, b) => manifestOf(a).recorded.localeCompare(manifestOf(b).recorded));

/** Every history as "<folder>/<path>.json", oldest recording first. */
export const HISTORY_FILES = GENERATIONS.flatMap((folder) =>
  readdirSync(join(HISTORIES, folder))
    .filter((file) => file.endsWith('.json') && file !== 'manifest.json')
    .sort()
    .map((file) => `${folder}/${file}`),
);

export function loadHistory(file: string): History {
  return historyFromJSON(JSON.parse(readFileSync(join(HISTORIES, file), 'utf8')));
}

const startOf = (history: History) => history.events?.[0]?.workflowExecutionStartedEventAttributes;

/** The workflow id the recorded run had: a replay must run under it (batch.ts names its children by it). */
const workflowIdOf = (history: History) => startOf(history)?.workflowId ?? undefined;
export const runIdOf = (history: History) => startOf(history)?.originalExecutionRunId ?? '';
export const workflowTypeOf = (history: History) => startOf(history)?.workflowType?.name ?? '';

/** The patch ids of the run's patch markers, in the order they were recorded. */
export function patchMarkers(history: History): string[] {
  return (history.events ?? []).flatMap((event) => {
    const marker = event.markerRecordedEventAttributes;
    const data = marker?.markerName === 'core_patch' ? marker.details?.['patch-data']?.payloads?.[0]?.data : undefined;
    return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id] : [];
  });
}

/** Replay input: each history under its recorded workflow id. */
export function replayInputs(files: string[]): Array<{ workflowId: string; history: History }> {
  return files.map((file) => {
    const history = loadHistory(file);
    return { workflowId: workflowIdOf(history) ?? file, history };
  });
}
