// The backups running now, shared by every page. One listener (started by App) feeds it the
// backend's events, whoever started the run: a page, the tray, a schedule.
import { EVENTS, type Backup, type BackupEvent, type ConnectionId } from "../bindings";
import { listenQuietly } from "../events";
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
    return listenQuietly<BackupEvent>(EVENTS.backup, (event) => this.handle(event));
  }

  /** Forgets every run (tests). */
  reset(): void {
    this.#state = emptyRunning();
  }
}

export const running = new RunningBackups();
