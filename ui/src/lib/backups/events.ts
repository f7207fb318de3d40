// Backup events → the state of the backups that are running now, and the lines that show them.
// Pure: the shared store (running.svelte.ts) holds one RunningState and feeds it every event.
import type { BackupEvent, BackupId, ConnectionId } from "../bindings";
import { formatBytes, formatDuration, formatRate } from "./format";

export interface RunningBackup {
  backupId: BackupId;
  /** Null when a stage or progress event came first (the listener started mid-run). */
  connectionId: ConnectionId | null;
  /** The latest stage, e.g. "Dumping with pg_dump 16.4 (postgres:16)"; null before the first. */
  stage: string | null;
  /** Bytes written so far; null before the first progress event. */
  bytes: number | null;
  elapsedMs: number | null;
  bytesPerSecond: number | null;
}

export interface RunningState {
  /** In the order they started. */
  runs: readonly RunningBackup[];
  /** Recently finished ids, so a late stage or progress event can't bring a run back. */
  finished: readonly BackupId[];
}

/** How many finished ids are remembered. */
const FINISHED_MEMORY = 100;

export function emptyRunning(): RunningState {
  return { runs: [], finished: [] };
}

function blank(backupId: BackupId, connectionId: ConnectionId | null): RunningBackup {
  return { backupId, connectionId, stage: null, bytes: null, elapsedMs: null, bytesPerSecond: null };
}

/** The run with this id changed by `change`, added first when it is new. */
function update(state: RunningState, backupId: BackupId, change: (run: RunningBackup) => RunningBackup): RunningState {
  if (state.finished.includes(backupId)) return state;
  const index = state.runs.findIndex((r) => r.backupId === backupId);
  if (index === -1) return { ...state, runs: [...state.runs, change(blank(backupId, null))] };
  const runs = state.runs.slice();
  runs[index] = change(runs[index]);
  return { ...state, runs };
}

/** The state after one event. Returns `state` itself when nothing changed. */
export function reduceRunning(state: RunningState, event: BackupEvent): RunningState {
  switch (event.kind) {
    case "started":
      return update(state, event.backupId, (run) => ({ ...run, connectionId: event.connectionId }));
    case "stage":
      return update(state, event.backupId, (run) => ({ ...run, stage: event.text }));
    case "progress":
      return update(state, event.backupId, (run) => ({
        ...run,
        bytes: event.bytes,
        elapsedMs: event.elapsedMs,
        bytesPerSecond: event.bytesPerSecond,
      }));
    case "finished": {
      const id = event.backup.id;
      if (state.finished.includes(id)) return state;
      return {
        runs: state.runs.filter((r) => r.backupId !== id),
        finished: [...state.finished, id].slice(-FINISHED_MEMORY),
      };
    }
    default:
      return state;
  }
}

/** The newest run of a connection (there is at most one at a time). */
export function runOf(state: RunningState, connectionId: ConnectionId): RunningBackup | undefined {
  for (let i = state.runs.length - 1; i >= 0; i--) {
    if (state.runs[i].connectionId === connectionId) return state.runs[i];
  }
  return undefined;
}

/** "Dumping with pg_dump 16.4 (postgres:16)", or "Starting…" before the first stage. */
export function stageText(run: Pick<RunningBackup, "stage"> | undefined): string {
  return run?.stage ?? "Starting…";
}

/** "12.4 MiB written · 3.1 MiB/s · 4 s", or "" before the first progress event. */
export function progressText(run: Pick<RunningBackup, "bytes" | "bytesPerSecond" | "elapsedMs"> | undefined): string {
  if (!run || run.bytes === null) return "";
  const parts = [`${formatBytes(run.bytes)} written`];
  if (run.bytesPerSecond !== null) parts.push(formatRate(run.bytesPerSecond));
  if (run.elapsedMs !== null) parts.push(formatDuration(run.elapsedMs));
  return parts.join(" · ");
}

/** Both on one line: "Dumping with pg_dump 16.4 — 12.4 MiB written · 3.1 MiB/s · 4 s". */
export function runningLine(run: RunningBackup | undefined): string {
  const progress = progressText(run);
  return progress ? `${stageText(run)} — ${progress}` : stageText(run);
}
