// The backups running now, shared by every page. One listener (started by App) feeds it the
// backend's events, whoever started the run: a page, the tray, a schedule.
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { EVENTS, type Backup, type BackupEvent, type ConnectionId } from "../bindings";
import { emptyRunning, reduceRunning, runOf, type RunningBackup, type RunningState } from "./events";

export class RunningBackups {
  #state: RunningState = $state.raw(emptyRunning());
  #onFinished = new Set<(backup: Backup) => void>();

  /** The running backups, in the order they started. */
  get runs(): readonly RunningBackup[] {
    return this.#state.runs;
  }

  /** The run of a connection, if one is running. */
  forConnection(id: ConnectionId): RunningBackup | undefined {
    return runOf(this.#state, id);
  }

  /** Takes one event; the listener calls this, and so can tests. */
  handle(event: BackupEvent): void {
    this.#state = reduceRunning(this.#state, event);
    if (event.kind === "finished") {
      for (const fn of [...this.#onFinished]) {
        try {
          fn(event.backup);
        } catch (e) {
          console.error("backup finished handler failed", e);
        }
      }
    }
  }

  /** Calls `fn` with each finished run's record; returns a function that stops it. */
  onFinished(fn: (backup: Backup) => void): () => void {
    this.#onFinished.add(fn);
    return () => this.#onFinished.delete(fn);
  }

  /**
   * Starts listening to the backend's backup events; returns a function that stops. Outside the
   * desktop app (a plain browser, unit tests) there are no events: it quietly does nothing.
   */
  start(): () => void {
    let stopped = false;
    let unlisten: UnlistenFn | null = null;
    try {
      listen<BackupEvent>(EVENTS.backup, (e) => this.handle(e.payload))
        .then((fn) => {
          if (stopped) quietly(fn);
          else unlisten = fn;
        })
        .catch(() => {});
    } catch {
      // No Tauri internals at all.
    }
    return () => {
      stopped = true;
      const fn = unlisten;
      unlisten = null;
      if (fn) quietly(fn);
    };
  }

  /** Forgets every run (tests). */
  reset(): void {
    this.#state = emptyRunning();
  }
}

/** Stops a listener; a failure to unlisten (the window is closing) is not worth a report. */
function quietly(unlisten: UnlistenFn): void {
  Promise.resolve()
    .then(() => unlisten())
    .catch(() => {});
}

export const running = new RunningBackups();
