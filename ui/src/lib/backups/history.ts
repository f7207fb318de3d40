// A connection's recent backups: which ones look unusual, and (for the History chart) where each
// one goes. Pure, so the geometry can be tested without a browser.
import type { Backup, BackupFilter, ConnectionId } from "../bindings";
import { countText, formatBytes, formatDuration, isUnusual } from "./format";

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

// ---- The History chart -------------------------------------------------------------------------
// One SVG of fixed viewBox: the size of each backup over time (points joined by a line) above, the
// time each took as bars in a smaller panel below, sharing the time axis. Failed runs get a red ×
// on the size panel's time axis (they have no size); unusual ones an amber ring around their point.

/** How far back the History chart goes. */
export const HISTORY_DAYS = 90;

/** The chart's coordinate system (SVG user units; the SVG scales to its width). */
export const CHART = {
  width: 640,
  height: 244,
  left: 64,
  right: 624,
  size: { top: 18, bottom: 138 },
  duration: { top: 166, bottom: 210 },
  /** The baseline of the time labels. */
  timeLabels: 228,
} as const;

/** The runs the chart shows: the ones that ended, well or not (cancelled and running ones not). */
export function chartedBackups(backups: readonly Backup[]): Backup[] {
  return backups
    .filter((b) => b.status === "completed" || isFailure(b))
    .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
}

/** Marked as a failure: it failed, was interrupted, or (a server set) left databases out. */
export function isFailure(backup: Pick<Backup, "status">): boolean {
  return backup.status === "failed" || backup.status === "interrupted" || backup.status === "partial";
}

/** A function from a domain [d0, d1] onto a range [r0, r1]; the middle of the range for an empty domain. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (!(d1 > d0)) return () => (r0 + r1) / 2;
  return (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nice * power;
}

/** 0, step, 2·step… up to the first tick at or above `max`, about `count` steps (at least one). */
function ticksOf(max: number, step: number): number[] {
  const n = Math.max(1, Math.ceil(max / step - 1e-9));
  // Rounded to the step's precision, so 3 × 0.1 is 0.3.
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Array.from({ length: n + 1 }, (_, i) => Number((i * step).toFixed(digits)));
}

/** The byte ticks of a size axis up to `maxBytes`: in one binary unit (KiB, MiB…), nice steps of it. */
export function byteTicks(maxBytes: number, count = 4): number[] {
  if (!(maxBytes > 0) || !Number.isFinite(maxBytes)) return [0, 1024];
  const unit = 1024 ** Math.max(0, Math.floor(Math.log(maxBytes) / Math.log(1024)));
  const step = niceStep(maxBytes / unit / count);
  return ticksOf(maxBytes / unit, step).map((v) => Math.round(v * unit));
}

/** Steps a duration axis takes, in seconds. */
const DURATION_STEPS = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600];

/** The second ticks of a duration axis up to `maxSeconds`. */
export function durationTicks(maxSeconds: number, count = 2): number[] {
  if (!(maxSeconds > 0) || !Number.isFinite(maxSeconds)) return [0, 1];
  const raw = maxSeconds / count;
  const step = raw < 1 ? niceStep(raw) : (DURATION_STEPS.find((s) => s >= raw) ?? niceStep(raw / 3600) * 3600);
  return ticksOf(maxSeconds, step);
}

/** A duration tick's label: "0 s", "30 s", "2 min". */
export function durationLabel(seconds: number): string {
  return seconds === 0 ? "0 s" : formatDuration(seconds * 1000);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A time tick's label on this computer's calendar: "May 1". */
export function dayLabel(ms: number): string {
  const d = new Date(ms);
  return `${MONTHS[d.getMonth()]} ${d.getDate()}`;
}

/** Local midnights from `start` to `end`, whole days apart, at most `maxTicks` of them. */
export function timeTicks(start: number, end: number, maxTicks = 6): number[] {
  if (!(end > start)) return [];
  const stepDays = Math.max(1, Math.ceil((end - start) / DAY_MS / maxTicks));
  const day = new Date(start);
  day.setHours(0, 0, 0, 0);
  if (day.getTime() < start) day.setDate(day.getDate() + 1);
  const ticks: number[] = [];
  while (day.getTime() <= end && ticks.length < maxTicks + 1) {
    ticks.push(day.getTime());
    // By the calendar, so a change to or from summer time keeps the ticks at midnight.
    day.setDate(day.getDate() + stepDays);
  }
  return ticks;
}

export interface Tick {
  /** Where it goes along its axis (x for time, y for size and duration). */
  at: number;
  label: string;
}

export interface SizePoint {
  id: number;
  x: number;
  y: number;
  unusual: boolean;
}

export interface DurationBar {
  id: number;
  x: number;
  y: number;
  width: number;
  height: number;
  failed: boolean;
}

export interface FailureMark {
  id: number;
  x: number;
  y: number;
}

export interface HistoryGeometry {
  /** The time the chart spans, ms since the epoch. */
  start: number;
  end: number;
  sizeTicks: Tick[];
  durationTicks: Tick[];
  timeTicks: Tick[];
  points: SizePoint[];
  /** The size line through the points, as an SVG path ("" without two points). */
  line: string;
  bars: DurationBar[];
  failures: FailureMark[];
}

/** How wide a duration bar is. */
export const BAR_WIDTH = 4;

const round = (v: number) => Math.round(v * 10) / 10;

/**
 * Where everything of `backups` goes on the chart of the `days` days before `now`. Backups before
 * that are left out; one started after `now` (another clock) stretches the time axis to it.
 */
export function historyGeometry(backups: readonly Backup[], now: number, days = HISTORY_DAYS): HistoryGeometry {
  const start = now - days * DAY_MS;
  const shown = chartedBackups(backups).filter((b) => Date.parse(b.startedAt) >= start);
  const end = Math.max(now, ...shown.map((b) => Date.parse(b.startedAt)));
  const x = linearScale([start, end], [CHART.left, CHART.right]);

  const sizes = shown.filter((b) => b.status === "completed" && b.sizeBytes !== null);
  const sizeValues = byteTicks(Math.max(0, ...sizes.map((b) => b.sizeBytes ?? 0)));
  const ySize = linearScale([0, sizeValues[sizeValues.length - 1]], [CHART.size.bottom, CHART.size.top]);

  const timed = shown.filter((b) => b.durationSeconds !== null);
  const durationValues = durationTicks(Math.max(0, ...timed.map((b) => b.durationSeconds ?? 0)));
  const yDuration = linearScale([0, durationValues[durationValues.length - 1]], [CHART.duration.bottom, CHART.duration.top]);

  const points = sizes.map((b) => ({
    id: b.id,
    x: round(x(Date.parse(b.startedAt))),
    y: round(ySize(b.sizeBytes ?? 0)),
    unusual: isUnusual(b),
  }));
  const bars = timed.map((b) => {
    const top = round(yDuration(b.durationSeconds ?? 0));
    // Centred on its time, but kept inside the plot.
    const left = Math.min(Math.max(x(Date.parse(b.startedAt)) - BAR_WIDTH / 2, CHART.left), CHART.right - BAR_WIDTH);
    return {
      id: b.id,
      x: round(left),
      y: top,
      width: BAR_WIDTH,
      // A run of no measurable time still shows as a sliver.
      height: Math.max(1, round(CHART.duration.bottom - top)),
      failed: isFailure(b),
    };
  });
  const failures = shown
    .filter(isFailure)
    .map((b) => ({ id: b.id, x: round(x(Date.parse(b.startedAt))), y: CHART.size.bottom }));

  return {
    start,
    end,
    sizeTicks: sizeValues.map((v) => ({ at: round(ySize(v)), label: formatBytes(v) })),
    durationTicks: durationValues.map((v) => ({ at: round(yDuration(v)), label: durationLabel(v) })),
    timeTicks: timeTicks(start, end).map((t) => ({ at: round(x(t)), label: dayLabel(t) })),
    points,
    line: points.length < 2 ? "" : points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x} ${p.y}`).join(" "),
    bars,
    failures,
  };
}

/** What the chart shows, in a sentence, for its aria-label. */
export function historySummary(backups: readonly Backup[], connectionName: string, now: number, days = HISTORY_DAYS): string {
  const start = now - days * DAY_MS;
  const shown = chartedBackups(backups).filter((b) => Date.parse(b.startedAt) >= start);
  const head = `Backup history of ${connectionName}, last ${days} days`;
  if (shown.length === 0) return `${head}: no backups.`;
  const failed = shown.filter(isFailure).length;
  const unusual = shown.filter(isUnusual).length;
  let text = `${head}: ${countText(shown.length, "backup")}, ${failed} failed, ${unusual} unusual.`;
  const sizes = shown.flatMap((b) => (b.status === "completed" && b.sizeBytes !== null ? [b.sizeBytes] : []));
  if (sizes.length > 0) {
    text += ` Size from ${formatBytes(Math.min(...sizes))} to ${formatBytes(Math.max(...sizes))}, latest ${formatBytes(sizes[sizes.length - 1])}.`;
  }
  const durations = shown.flatMap((b) => (b.durationSeconds !== null ? [b.durationSeconds] : []));
  if (durations.length > 0) text += ` Longest run ${formatDuration(Math.max(...durations) * 1000)}.`;
  return text;
}

/** The filter of one connection's backups since `days` days before `now`. */
export function historyFilter(connection: ConnectionId, now: number, days = HISTORY_DAYS): BackupFilter {
  return { connection, schedule: null, status: null, from: daysAgo(now, days), to: null };
}
