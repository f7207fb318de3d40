// Pure logic of the schedule form: form state ⇄ ScheduleInput, compression choices, errors →
// fields. The Svelte components only wire these to the DOM; the backend validates the rest.
import type { Compression, Connection, DumpFormat, Schedule, ScheduleInput } from "../bindings";
import { fieldForCode } from "../errors/fields";
import { amountToForm, secondsFromAmount, type Parsed, type TimeUnit } from "./amount";
import {
  checksFromForm,
  checksToForm,
  emptyChecksForm,
  hookFieldFor,
  type ChecksField,
  type ChecksFormState,
} from "./checks";

export type CompressionMethod = Compression["method"];

/** The compression methods with their levels (null: none); an empty level means the default. */
export const COMPRESSION_METHODS: readonly {
  method: CompressionMethod;
  label: string;
  levels: { max: number; default: number } | null;
}[] = [
  { method: "auto", label: "Auto", levels: null },
  { method: "none", label: "None", levels: null },
  { method: "gzip", label: "gzip", levels: { max: 9, default: 1 } },
  { method: "zstd", label: "zstd", levels: { max: 22, default: 3 } },
  { method: "lz4", label: "lz4", levels: { max: 12, default: 1 } },
];

export function levelsOf(method: CompressionMethod): { max: number; default: number } | null {
  return COMPRESSION_METHODS.find((m) => m.method === method)?.levels ?? null;
}

/**
 * The methods a format can use: pg_dump's tar format cannot be compressed, and a plain dump is
 * compressed by the app with zstd.
 */
export function compressionMethodsFor(format: DumpFormat): CompressionMethod[] {
  switch (format) {
    case "tar":
      return ["auto", "none"];
    case "plain":
      return ["auto", "none", "zstd"];
    default:
      return COMPRESSION_METHODS.map((m) => m.method);
  }
}

/** The patterns the form offers as buttons. */
export const CRON_PRESETS: readonly { key: string; pattern: string; label: string }[] = [
  { key: "hourly", pattern: "@hourly", label: "Every hour" },
  { key: "daily", pattern: "@daily", label: "Every day at midnight" },
  { key: "daily-0230", pattern: "30 2 * * *", label: "Every day at 02:30" },
  { key: "weekly", pattern: "@weekly", label: "Every Sunday" },
  { key: "monthly", pattern: "@monthly", label: "Every month, on the 1st" },
];

/** A new schedule's pattern: every night at 02:30. */
export const DEFAULT_CRON = "30 2 * * *";

/** The whole form; proof, limits and hooks are in ChecksFormState (checks.ts). */
export interface ScheduleFormState extends ChecksFormState {
  name: string;
  /** The connection select's value: a connection id as text, "" when none is chosen. */
  connectionId: string;
  cron: string;
  timezone: string;
  isActive: boolean;
  format: DumpFormat;
  compressionMethod: CompressionMethod;
  /** "" for the method's default level. */
  compressionLevel: string;
  /** Whole numbers as typed; "" keeps every backup. */
  keepLast: string;
  keepDays: string;
  /** "Alert when no good backup for": a number as typed, "" for the default (two missed runs). */
  alertAfter: string;
  alertUnit: AlertUnit;
}

/** The units the alert field offers. */
export type AlertUnit = "hours" | "days";

export const ALERT_UNITS: readonly TimeUnit<AlertUnit>[] = [
  { unit: "hours", label: "hours", seconds: 3600 },
  { unit: "days", label: "days", seconds: 86_400 },
];

function unitSeconds(unit: AlertUnit): number {
  return ALERT_UNITS.find((u) => u.unit === unit)?.seconds ?? 3600;
}

/**
 * A saved alert threshold as the field shows it: whole days when it divides into days, else
 * hours (with up to four decimals, which read back to the same whole second); null is empty.
 */
export function alertAfterToForm(seconds: number | null): { amount: string; unit: AlertUnit } {
  return amountToForm(seconds, ALERT_UNITS, "days");
}

/**
 * The typed threshold in whole seconds: "" → null (the default), "2" days → 172800, "1.5" hours
 * → 5400. Anything that is not a number is refused; the backend checks the range.
 */
export function alertAfterFromForm(amount: string, unit: AlertUnit): Parsed<number | null> {
  return secondsFromAmount(amount, unitSeconds(unit), `Enter a number of ${unit}, or leave it empty for the default.`);
}

/** The zone of this computer, e.g. "Europe/Berlin"; "UTC" when the system does not say. */
export function localTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** The zone names the zone field suggests: every IANA zone the system knows, plus `extra`. */
export function timeZoneNames(extra: readonly string[] = []): string[] {
  let known: string[] = [];
  try {
    if (typeof Intl.supportedValuesOf === "function") known = Intl.supportedValuesOf("timeZone");
  } catch {
    // An older engine: only the extra names.
  }
  const names = new Set([...known, "UTC", ...extra.filter((z) => z.trim() !== "")]);
  return [...names].sort((a, b) => a.localeCompare(b));
}

export function emptyScheduleForm(connections: readonly Pick<Connection, "id">[], timezone: string): ScheduleFormState {
  return {
    name: "",
    connectionId: connections.length > 0 ? String(connections[0].id) : "",
    cron: DEFAULT_CRON,
    timezone,
    isActive: true,
    format: "custom",
    compressionMethod: "auto",
    compressionLevel: "",
    keepLast: "",
    keepDays: "",
    alertAfter: "",
    alertUnit: "days",
    ...emptyChecksForm(),
  };
}

export function compressionToForm(compression: Compression): { method: CompressionMethod; level: string } {
  return "level" in compression
    ? { method: compression.method, level: String(compression.level) }
    : { method: compression.method, level: "" };
}

export function formFromSchedule(schedule: Schedule): ScheduleFormState {
  const compression = compressionToForm(schedule.compression);
  const alert = alertAfterToForm(schedule.alertAfterSeconds);
  return {
    name: schedule.name,
    connectionId: String(schedule.connectionId),
    cron: schedule.cron,
    timezone: schedule.timezone,
    isActive: schedule.isActive,
    format: schedule.format,
    compressionMethod: compression.method,
    compressionLevel: compression.level,
    keepLast: schedule.keepLast === null ? "" : String(schedule.keepLast),
    keepDays: schedule.keepDays === null ? "" : String(schedule.keepDays),
    alertAfter: alert.amount,
    alertUnit: alert.unit,
    ...checksToForm(schedule),
  };
}

/** The fields an error can be shown under. */
export type ScheduleField =
  | "name"
  | "connection"
  | "cron"
  | "timezone"
  | "compression"
  | "keepLast"
  | "keepDays"
  | "alertAfter"
  | ChecksField;

/**
 * The field an error belongs under, or null for an error about the whole form (see
 * errors/fields.ts). A rejected hook is placed by its message: one code covers every hook.
 */
export function fieldForScheduleError(code: string | null, message = ""): ScheduleField | null {
  const field = fieldForCode("schedule", code);
  return field === "hooks" ? hookFieldFor(message) : field;
}

/** A problem the form finds before asking the backend. */
export interface FieldProblem {
  field: ScheduleField;
  message: string;
}

/** "" → null, "7" → 7; anything else is refused (the backend checks the range). */
export function parseOptionalCount(text: string): Parsed<number | null> {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: true, value: null };
  if (!/^\d+$/.test(trimmed)) return { ok: false, message: "Enter a whole number, or leave it empty to keep all." };
  return { ok: true, value: Number(trimmed) };
}

/** The method and the typed level as a Compression; an empty level is the method's default. */
export function compressionFromForm(method: CompressionMethod, level: string): Parsed<Compression> {
  const levels = levelsOf(method);
  if (method === "auto" || method === "none") return { ok: true, value: { method } };
  if (!levels) return { ok: false, message: `"${method}" is not a compression.` };
  const trimmed = level.trim();
  const value = trimmed === "" ? levels.default : Number(trimmed);
  if (!/^\d*$/.test(trimmed) || value < 1 || value > levels.max) {
    return { ok: false, message: `The ${method} level is a whole number from 1 to ${levels.max}.` };
  }
  return { ok: true, value: { method, level: value } };
}

/** What Save sends, or the first field the form can already tell is wrong. */
export function buildScheduleInput(form: ScheduleFormState): { input: ScheduleInput } | FieldProblem {
  if (form.connectionId === "") return { field: "connection", message: "Choose the connection to back up." };
  const compression = compressionFromForm(form.compressionMethod, form.compressionLevel);
  if (!compression.ok) return { field: "compression", message: compression.message };
  const keepLast = parseOptionalCount(form.keepLast);
  if (!keepLast.ok) return { field: "keepLast", message: keepLast.message };
  const keepDays = parseOptionalCount(form.keepDays);
  if (!keepDays.ok) return { field: "keepDays", message: keepDays.message };
  const alertAfter = alertAfterFromForm(form.alertAfter, form.alertUnit);
  if (!alertAfter.ok) return { field: "alertAfter", message: alertAfter.message };
  const checks = checksFromForm(form);
  if (!("value" in checks)) return checks;
  return {
    input: {
      name: form.name.trim(),
      connectionId: Number(form.connectionId),
      cron: form.cron,
      timezone: form.timezone,
      isActive: form.isActive,
      format: form.format,
      compression: compression.value,
      keepLast: keepLast.value,
      keepDays: keepDays.value,
      alertAfterSeconds: alertAfter.value,
      ...checks.value,
    },
  };
}

/** The form after choosing a format: a compression the format cannot use goes back to Auto. */
export function withFormat(form: ScheduleFormState, format: DumpFormat): ScheduleFormState {
  const allowed = compressionMethodsFor(format).includes(form.compressionMethod);
  return allowed
    ? { ...form, format }
    : { ...form, format, compressionMethod: "auto", compressionLevel: "" };
}

/** The name an unnamed schedule gets: "<connection> <pattern>", as the backend names it. */
export function defaultScheduleName(connectionName: string | undefined, cron: string): string {
  return [connectionName ?? "", cron.trim()].filter((part) => part !== "").join(" ");
}
