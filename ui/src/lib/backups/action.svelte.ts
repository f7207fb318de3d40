// "Back up now" for one connection or schedule: runs it, cancels it, keeps how it ended.
// The live stage and progress come from the shared store (running.svelte.ts), not from here.
import { commands, type Backup, type BackupId, type ConnectionId, type DumpOptions, type ScheduleId } from "../bindings";
import type { ErrorCode } from "../errors/code";
import { describeError } from "../errors/describe";
import { resultState, resultText, type ResultState } from "./format";

export interface BackupOutcome {
  state: ResultState;
  text: string;
  /** The final record; null when the run could not start. */
  backup: Backup | null;
  /** The error code when the run could not start. */
  code: ErrorCode | null;
}

export function outcomeOf(backup: Backup): BackupOutcome {
  return { state: resultState(backup.status), text: resultText(backup), backup, code: null };
}

export class BackupAction {
  /** Waiting for backupRun to answer (queued or running). */
  busy = $state(false);
  cancelling = $state(false);
  cancelError = $state<string | null>(null);
  outcome = $state<BackupOutcome | null>(null);

  /** Runs a backup and waits for its end; the outcome is also kept in `outcome`. */
  run(connectionId: ConnectionId, options: DumpOptions | null): Promise<BackupOutcome | null> {
    return this.#track(() => commands.backupRun(connectionId, options));
  }

  /** Runs a schedule's backup now (queued behind a running one of its connection), as `run`. */
  runSchedule(id: ScheduleId): Promise<BackupOutcome | null> {
    return this.#track(() => commands.scheduleRunNow(id));
  }

  async #track(start: () => Promise<Backup>): Promise<BackupOutcome | null> {
    if (this.busy) return null;
    this.busy = true;
    this.outcome = null;
    this.cancelling = false;
    this.cancelError = null;
    let outcome: BackupOutcome;
    try {
      outcome = outcomeOf(await start());
    } catch (e) {
      const error = describeError(e);
      outcome = { state: "failed", text: error.message, backup: null, code: error.code };
    }
    this.busy = false;
    this.cancelling = false;
    this.outcome = outcome;
    return outcome;
  }

  /** Asks the backend to stop a running backup; its end arrives as usual. */
  async cancel(id: BackupId): Promise<void> {
    if (this.cancelling) return;
    this.cancelling = true;
    this.cancelError = null;
    try {
      // false: it had already ended; the finished event or backupRun's answer follows.
      await commands.backupCancel(id);
    } catch (e) {
      this.cancelError = describeError(e).message;
      this.cancelling = false;
    }
  }

  /** A run this action did not start (tray, schedule) ended: show how, unless ours is pending. */
  finishedElsewhere(backup: Backup): void {
    if (this.busy) return;
    this.cancelling = false;
    this.outcome = outcomeOf(backup);
  }
}
