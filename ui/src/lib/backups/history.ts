// A connection's recent backups: which ones look unusual, and (for the History chart) where each
// one goes. Pure, so the geometry can be tested without a browser.
import type { Backup, BackupFilter } from "../bindings";
import { isUnusual } from "./format";

const DAY_MS = 24 * 60 * 60 * 1000;

/** The instant `days` days before `now` (ms since the epoch), as RFC 3339 for a BackupFilter. */
export function daysAgo(now: number, days: number): string {
  return new Date(now - days * DAY_MS).toISOString();
}

/** How far back the Dashboard looks for unusual backups. */
export const UNUSUAL_DAYS = 30;

/** The filter of the completed backups of every connection since `days` days before `now`. */
export function completedSince(now: number, days: number): BackupFilter {
  return { connection: null, schedule: null, status: "completed", from: daysAgo(now, days), to: null };
}

/** The unusual ones among `backups`, newest first. */
export function unusualBackups(backups: readonly Backup[]): Backup[] {
  return backups.filter(isUnusual).sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
}
