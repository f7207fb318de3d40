// Pure helpers that turn schedules, previews and missed runs into the short texts the pages show.
// Times are stored as RFC 3339; they are shown on the wall clock of a zone given by name, so the
// output does not depend on the zone of the machine that runs the tests.
import type { Compression, DumpFormat, MissReason, MissedRun, Proof, RetentionPlan, Schedule } from "../bindings";
import { DUMP_FORMATS, countText, formatDateTime } from "../backups/format";

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;

/**
 * Whether a pattern has a seconds field (6 fields, seconds first): its runs can be seconds
 * apart, so their times are shown with seconds.
 */
export function hasSeconds(pattern: string): boolean {
  return pattern.trim().split(/\s+/).length === 6;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string, seconds: boolean): Intl.DateTimeFormat {
  const key = `${zone}|${seconds}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      weekday: "short",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      ...(seconds ? { second: "2-digit" } : {}),
      hourCycle: "h23",
    });
    formatters.set(key, formatter);
  }
  return formatter;
}

/**
 * An instant on the wall clock of `zone`: "Mon 2026-05-04 02:30" (":05" more with `seconds`).
 * "—" for null; the text itself when it is not a time; this computer's local time when the
 * zone is unknown here.
 */
export function formatInZone(iso: string | null, zone: string, seconds = false): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = formatterFor(zone, seconds).formatToParts(date);
  } catch {
    return formatDateTime(iso, seconds);
  }
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  const time = `${part("hour")}:${part("minute")}${seconds ? `:${part("second")}` : ""}`;
  return `${part("weekday")} ${part("year")}-${part("month")}-${part("day")} ${time}`;
}

/**
 * An RFC 3339 time on the wall clock it was written in: "2026-05-04T02:30:00+02:00" →
 * "Mon 2026-05-04 02:30" ("… 02:30:00" with `seconds`).
 */
export function wallClockText(iso: string, seconds = false): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?/.exec(iso);
  if (!m) return iso;
  const weekday = WEEKDAYS[new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).getUTCDay()];
  const time = `${m[4]}:${m[5]}${seconds ? `:${m[6] ?? "00"}` : ""}`;
  return `${weekday} ${m[1]}-${m[2]}-${m[3]} ${time}`;
}

/** The offset an RFC 3339 time was written with: "UTC+2", "UTC+5:30", "UTC-3", or "UTC". */
export function offsetText(iso: string): string {
  const m = /([+-])(\d{2}):(\d{2})$/.exec(iso);
  if (!m || (m[2] === "00" && m[3] === "00")) return "UTC";
  return `UTC${m[1]}${Number(m[2])}${m[3] === "00" ? "" : `:${m[3]}`}`;
}

export interface PreviewRun {
  iso: string;
  /** In the schedule's zone, e.g. "Mon 2026-05-04 02:30". */
  inZone: string;
  /** The zone's offset at that run, e.g. "UTC+2". */
  offset: string;
  /** The same instant on this computer's clock; null when it reads the same. */
  local: string | null;
}

/** A preview's runs (RFC 3339 in the schedule's zone) as the form lists them, to the second on request. */
export function previewRuns(runs: readonly string[], localZone: string, seconds = false): PreviewRun[] {
  return runs.map((iso) => {
    const inZone = wallClockText(iso, seconds);
    const local = formatInZone(iso, localZone, seconds);
    return { iso, inZone, offset: offsetText(iso), local: local === inZone ? null : local };
  });
}

/** How far off a time is: "in 45 min", "in 5 h", "in 3 days", "2 h ago", "just now". */
export function relativeTime(iso: string | null, now: number): string {
  if (!iso) return "";
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return "";
  const diff = at - now;
  const abs = Math.abs(diff);
  if (abs < 60_000) return diff >= 0 ? "in under a minute" : "just now";
  const minutes = Math.round(abs / 60_000);
  let amount: string;
  if (minutes < 60) amount = `${minutes} min`;
  else if (minutes < 48 * 60) amount = `${Math.round(minutes / 60)} h`;
  else amount = `${Math.round(minutes / 1440)} days`;
  return diff >= 0 ? `in ${amount}` : `${amount} ago`;
}

/** The text the backend reads back: "auto", "none", "gzip:6". */
export function compressionText(compression: Compression): string {
  return "level" in compression ? `${compression.method}:${compression.level}` : compression.method;
}

export function formatLabel(format: DumpFormat): string {
  return DUMP_FORMATS.find((f) => f.format === format)?.label ?? format;
}

/** "Keeps all", "Keeps the last 7", "Keeps 30 days", "Keeps the last 7, at most 30 days". */
export function retentionText(keepLast: number | null, keepDays: number | null): string {
  const days = keepDays === null ? "" : keepDays === 1 ? "1 day" : `${keepDays} days`;
  if (keepLast === null) return keepDays === null ? "Keeps all" : `Keeps ${days}`;
  return keepDays === null ? `Keeps the last ${keepLast}` : `Keeps the last ${keepLast}, at most ${days}`;
}

/** "Custom · zstd:3 · Keeps the last 7": what each run makes and how long it stays. */
export function optionsText(schedule: Pick<Schedule, "format" | "compression" | "keepLast" | "keepDays">): string {
  return [
    formatLabel(schedule.format),
    compressionText(schedule.compression),
    retentionText(schedule.keepLast, schedule.keepDays),
  ].join(" · ");
}

/** "1 day", "36 hours", "5 minutes": a length of time in the largest unit it divides into. */
export function durationText(seconds: number): string {
  const units: [number, string][] = [
    [86_400, "day"],
    [3600, "hour"],
    [60, "minute"],
  ];
  const [size, name] = units.find(([size]) => seconds > 0 && seconds % size === 0) ?? [1, "second"];
  const amount = seconds / size;
  return `${amount} ${name}${amount === 1 ? "" : "s"}`;
}

/** "Alerts after 2 days without a good backup"; null for the default (two missed runs). */
export function alertAfterText(seconds: number | null): string | null {
  return seconds === null ? null : `Alerts after ${durationText(seconds)} without a good backup`;
}

/** "Verifies by restore weekly", "… daily", "… every 3 days"; null when it never does. */
export function verifyEveryText(seconds: number | null): string | null {
  if (seconds === null) return null;
  if (seconds === 86_400) return "Verifies by restore daily";
  if (seconds === 604_800) return "Verifies by restore weekly";
  return `Verifies by restore every ${durationText(seconds)}`;
}

/** What the newest proof says: passed, failed (why), or not finished; null when there is none. */
export type ProofSummary = { state: "proven" | "not-proven" | "unfinished"; text: string; at: string };

export function proofSummary(proof: Proof | null, now: number): ProofSummary | null {
  if (!proof) return null;
  const at = proof.finishedAt ?? proof.startedAt;
  if (proof.ok === true) return { state: "proven", text: `Proven ${relativeTime(at, now)}`, at };
  if (proof.ok === false) {
    return { state: "not-proven", text: `Not proven: ${proof.error ?? "the newest backup did not restore."}`, at };
  }
  // Still restoring, or the app stopped while it did.
  return { state: "unfinished", text: `Verify by restore started ${relativeTime(proof.startedAt, now)}, not finished`, at };
}

export const MISS_REASONS: Record<MissReason, { label: string; hint: string }> = {
  missed: { label: "Missed", hint: "Due while the app was closed or asleep, too long ago to catch up." },
  busy: { label: "Skipped", hint: "The connection was already being backed up." },
};

/** When the runs of a missed stretch were due: one time, or "first – last", on `zone`'s clock. */
export function missedWhen(run: Pick<MissedRun, "firstDueAt" | "lastDueAt">, zone: string): string {
  const first = formatInZone(run.firstDueAt, zone);
  const last = formatInZone(run.lastDueAt, zone);
  return first === last ? first : `${first} – ${last}`;
}

/** "1 run", "3 runs". */
export function runsText(count: number): string {
  return count === 1 ? "1 run" : `${count} runs`;
}

/** The next `count` runs of active schedules, soonest first. */
export function upcoming(schedules: readonly Schedule[], count: number): Schedule[] {
  return schedules
    .filter((s) => s.isActive && s.nextRunAt !== null && !Number.isNaN(Date.parse(s.nextRunAt)))
    .sort((a, b) => Date.parse(a.nextRunAt!) - Date.parse(b.nextRunAt!))
    .slice(0, count);
}

/** "Retention would delete 2 backups now; keeps 7." */
export function retentionPlanText(plan: Pick<RetentionPlan, "delete" | "keep">): string {
  const deleted = plan.delete.length === 0 ? "no backups" : countText(plan.delete.length, "backup");
  return `Retention would delete ${deleted} now; keeps ${plan.keep}.`;
}
