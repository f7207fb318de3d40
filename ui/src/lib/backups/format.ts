// Pure helpers that turn backup records and numbers into the short texts the pages show.
import type {
  Backup,
  BackupStatus,
  Connection,
  ConnectionId,
  Deleted,
  DumpFormat,
  DumpOptions,
  FileState,
  ScanReport,
  Trigger,
} from "../bindings";

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"] as const;

/** 512 → "512 B", 1258291 → "1.2 MiB", 157286400 → "150 MiB" (binary units, 3 significant digits). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "—";
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let unit = 0;
  let value = bytes;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // Round first, so 1023.97 KiB shows as "1.0 MiB", not "1024 KiB".
  let shown = value < 99.95 ? Math.round(value * 10) / 10 : Math.round(value);
  if (shown >= 1024 && unit < UNITS.length - 1) {
    unit++;
    shown = Math.round((value / 1024) * 10) / 10;
  }
  return `${shown < 100 ? shown.toFixed(1) : String(shown)} ${UNITS[unit]}`;
}

/** Bytes per second as "3.1 MiB/s". */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** 400 → "0.4 s", 3200 → "3 s", 125000 → "2 min 5 s", 3_780_000 → "1 h 3 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 950) return `${(ms / 1000).toFixed(1)} s`;
  const total = Math.round(ms / 1000);
  if (total < 60) return `${total} s`;
  if (total < 3600) {
    const min = Math.floor(total / 60);
    const s = total % 60;
    return s === 0 ? `${min} min` : `${min} min ${s} s`;
  }
  const h = Math.floor(total / 3600);
  const min = Math.floor((total % 3600) / 60);
  return min === 0 ? `${h} h` : `${h} h ${min} min`;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** An RFC 3339 time as local "2026-05-01 09:05" (or with ":07" seconds); "—" for null or junk. */
export function formatDateTime(iso: string | null, seconds = false): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}${seconds ? `:${pad(d.getSeconds())}` : ""}`;
  return `${date} ${time}`;
}

/** How long a finished run took, from its start and completion times; null while it runs. */
export function backupDurationMs(backup: Pick<Backup, "startedAt" | "completedAt">): number | null {
  if (!backup.completedAt) return null;
  const ms = Date.parse(backup.completedAt) - Date.parse(backup.startedAt);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

export const STATUS_LABELS: Record<BackupStatus, string> = {
  pending: "Waiting",
  running: "Running",
  completed: "Completed",
  partial: "Partial",
  failed: "Failed",
  cancelled: "Cancelled",
  interrupted: "Interrupted",
};

/** The badge colour of a status. */
export type StatusTone = "ok" | "warning" | "problem" | "muted" | "active";

export function statusTone(status: BackupStatus): StatusTone {
  switch (status) {
    case "completed":
      return "ok";
    // A set with some databases dumped: usable, but not all of the server.
    case "partial":
      return "warning";
    case "failed":
    case "interrupted":
      return "problem";
    case "cancelled":
      return "muted";
    default:
      return "active";
  }
}

export const TRIGGER_LABELS: Record<Trigger, string> = {
  manual: "Manual (Back up now)",
  tray: "Tray menu",
  schedule: "Schedule",
  "catch-up": "Catch-up of a missed schedule",
};

/** "16.4 → 16.2": the pg_dump that ran and the server it dumped; "—" when neither is known. */
export function versionsText(backup: Pick<Backup, "pgDumpVersion" | "serverVersion">): string {
  if (!backup.pgDumpVersion && !backup.serverVersion) return "—";
  return `${backup.pgDumpVersion ?? "?"} → ${backup.serverVersion ?? "?"}`;
}

/** The runner column: the image or binary ("postgres:16"), else its kind. */
export function runnerText(backup: Pick<Backup, "runner" | "runnerDetail">): string {
  return backup.runnerDetail ?? backup.runner ?? "—";
}

/** The size column: "1.2 MiB", or "—" when there is no file. */
export function sizeText(backup: Pick<Backup, "sizeBytes">): string {
  return backup.sizeBytes === null ? "—" : formatBytes(backup.sizeBytes);
}

/** A completed backup that looks unusual against its connection's recent ones (see `Backup.unusual`). */
export function isUnusual(backup: Pick<Backup, "status" | "unusual">): boolean {
  return backup.status === "completed" && (backup.unusual?.length ?? 0) > 0;
}

/** How a finished run's result is shown inline. */
export type ResultState = "completed" | "partial" | "failed" | "cancelled";

export function resultState(status: BackupStatus): ResultState {
  if (status === "completed" || status === "partial" || status === "cancelled") return status;
  return "failed";
}

/** "Backed up: 1.2 MiB in 3 s", the error message, or "Cancelled." */
export function resultText(backup: Backup): string {
  switch (backup.status) {
    case "completed": {
      const size = backup.sizeBytes === null ? "" : ` ${formatBytes(backup.sizeBytes)}`;
      const ms = backupDurationMs(backup);
      return `Backed up:${size}${ms === null ? "" : ` in ${formatDuration(ms)}`}`;
    }
    case "partial": {
      // A server set with some databases dumped: say how many, then why the others failed.
      const done = backup.parts.filter((p) => p.status === "completed").length;
      const counted = `Backed up ${done} of ${backup.parts.length} databases`;
      return backup.errorMessage ? `${counted}: ${backup.errorMessage}` : `${counted}.`;
    }
    case "cancelled":
      return "Cancelled.";
    case "interrupted":
      return backup.errorMessage ?? "Interrupted before it finished.";
    default:
      return backup.errorMessage ?? "The backup failed.";
  }
}

/** Connection names by id, for the pages that list backups of every connection. */
export function connectionNames(connections: readonly Pick<Connection, "id" | "name">[]): Map<ConnectionId, string> {
  return new Map(connections.map((c) => [c.id, c.name]));
}

/** The connection a backup belongs to: its name, marked when the connection was removed. */
export function backupConnectionLabel(backup: Pick<Backup, "connectionId" | "connectionName" | "connectionRemoved">): string {
  const name = backup.connectionName || `Connection #${backup.connectionId}`;
  return backup.connectionRemoved ? `${name} (removed)` : name;
}

/** A connection's name, or "Connection #3" when it is unknown (deleted, or not loaded). */
export function connectionLabel(names: ReadonlyMap<ConnectionId, string>, id: ConnectionId | null): string {
  if (id === null) return "Unknown connection";
  return names.get(id) ?? `Connection #${id}`;
}

/** The formats "Back up now" offers, with a short hint each. */
export const DUMP_FORMATS: readonly { format: DumpFormat; label: string; hint: string }[] = [
  { format: "custom", label: "Custom", hint: "One compressed archive; restore with pg_restore (default)." },
  { format: "plain", label: "Plain SQL", hint: "A .sql script; restore with psql." },
  { format: "tar", label: "Tar", hint: "A tar archive; restore with pg_restore." },
  { format: "directory", label: "Directory", hint: "One file per table, dumped in parallel." },
];

/** What "Back up now" sends: null (the defaults) for custom, else that format with defaults. */
export function dumpOptionsFor(format: DumpFormat): DumpOptions | null {
  if (format === "custom") return null;
  return {
    format,
    compression: { method: "auto" },
    schemaOnly: false,
    dataOnly: false,
    includeSchemas: [],
    excludeSchemas: [],
    includeTables: [],
    excludeTables: [],
    jobs: null,
  };
}

/** Seconds as measured by the backend: 3.24 → "3.2 s", 0.04 → "0.0 s", 125 → "2 min 5 s". */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "—";
  if (seconds < 59.95) return `${seconds.toFixed(1)} s`;
  return formatDuration(seconds * 1000);
}

/**
 * A fraction as a whole percentage: 0.5556 → "56%". Never "100%" or "0%" unless it is exactly
 * that (0.9996 → "99.9%", 0.004 → "0.4%"); "—" for none.
 */
export function formatPercent(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return "—";
  const percent = rate * 100;
  const whole = Math.round(percent);
  if (whole === 100 && percent < 100) return `${(Math.floor(percent * 10) / 10).toFixed(1)}%`;
  if (whole === 0 && percent > 0) return `${(Math.ceil(percent * 10) / 10).toFixed(1)}%`;
  return `${whole}%`;
}

/** "1 backup", "1,234 backups". */
export function countText(count: number, singular: string, plural = `${singular}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? singular : plural}`;
}

/** The row badge of a file a scan found changed or gone. */
export const FILE_STATE_LABELS: Record<FileState, string> = {
  missing: "File missing",
  modified: "File changed",
};

/** What a scan found, in one sentence. */
export function scanText(report: ScanReport): string {
  const found: string[] = [];
  if (report.missing.length > 0) found.push(`${countText(report.missing.length, "file")} missing`);
  if (report.modified.length > 0) found.push(`${countText(report.modified.length, "file")} changed`);
  let text = `Checked ${countText(report.checked, "backup")}: `;
  text += found.length > 0 ? found.join(", ") : "every file is as recorded";
  if (report.restored.length > 0) {
    const back = report.restored.length === 1 ? "1 marked file is" : `${report.restored.length} marked files are`;
    text += `; ${back} back as recorded`;
  }
  return `${text}.`;
}

/** The notice after a delete, with the backend's note when the file was already gone. */
export function deletedText(deleted: Deleted): string {
  return deleted.note ? `Deleted backup #${deleted.id}. ${deleted.note}` : `Deleted backup #${deleted.id}.`;
}

/** How long a run took: the recorded duration, else from its start and completion. */
export function runDurationText(backup: Pick<Backup, "durationSeconds" | "startedAt" | "completedAt">): string {
  if (backup.durationSeconds !== null) return formatDuration(backup.durationSeconds * 1000);
  const ms = backupDurationMs(backup);
  return ms === null ? "—" : formatDuration(ms);
}
