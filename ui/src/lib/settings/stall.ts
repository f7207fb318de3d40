// The stall limit as the Settings page edits it: whole minutes on screen, seconds in the settings.
import type { Parsed } from "../schedules/amount";

/** The backend's range: a minute to a day. */
export const MIN_STALL_MINUTES = 1;
export const MAX_STALL_MINUTES = 1440;

/** Seconds as the field's minutes: 600 → 10; 90 (set from the command line) → 1.5. */
export function stallMinutes(seconds: number): number {
  return Math.round((seconds / 60) * 100) / 100;
}

/**
 * The typed minutes in seconds, or why they cannot be saved. The value as loaded is kept to the
 * second, even when it is not whole minutes, so that saving another setting does not refuse it.
 */
export function stallSeconds(minutes: number | null, storedSeconds: number): Parsed<number> {
  if (minutes === stallMinutes(storedSeconds)) return { ok: true, value: storedSeconds };
  if (
    typeof minutes !== "number" ||
    !Number.isInteger(minutes) ||
    minutes < MIN_STALL_MINUTES ||
    minutes > MAX_STALL_MINUTES
  ) {
    return {
      ok: false,
      message: `Enter a whole number of minutes from ${MIN_STALL_MINUTES} to ${MAX_STALL_MINUTES} (a day).`,
    };
  }
  return { ok: true, value: minutes * 60 };
}
