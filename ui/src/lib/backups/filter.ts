// The Backups page's filters: what the selects and date inputs hold ⇄ the BackupFilter sent.
// Dates are days on this computer's calendar; the backend compares UTC instants, so a day
// becomes the instants of its local midnight and of the next day's.
import type { BackupFilter, BackupStatus } from "../bindings";

export interface BackupFilterForm {
  /** A connection id as text; "" for every connection. */
  connection: string;
  /** A schedule id as text; "" for every schedule (and backups of none). */
  schedule: string;
  status: BackupStatus | "";
  /** "YYYY-MM-DD" as a date input gives it; "" for no bound. */
  from: string;
  to: string;
}

export function emptyFilterForm(): BackupFilterForm {
  return { connection: "", schedule: "", status: "", from: "", to: "" };
}

/** Whether any filter is set. */
export function isFiltered(form: BackupFilterForm): boolean {
  return Object.values(form).some((value) => value !== "");
}

/**
 * The local midnight that starts `day` ("2026-05-01"), `plusDays` later; null for text that is
 * not a real day. Built from the parts so a DST change lands on the right instant.
 */
export function localDayStart(day: string, plusDays = 0): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day.trim());
  if (!m) return null;
  const [year, month, date] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const start = new Date(year, month - 1, date);
  // new Date(2026, 1, 31) rolls over into March: not a day.
  if (start.getFullYear() !== year || start.getMonth() !== month - 1 || start.getDate() !== date) return null;
  start.setDate(start.getDate() + plusDays);
  return start;
}

/** A date field and what is wrong with it. */
export interface FilterProblem {
  field: "from" | "to";
  message: string;
}

/**
 * The filter to send: "from" is the start of its day, "to" the end of its day (the next local
 * midnight, which the backend excludes), both as UTC RFC 3339.
 */
export function filterFromForm(form: BackupFilterForm): { filter: BackupFilter } | FilterProblem {
  const from = form.from.trim() === "" ? null : localDayStart(form.from);
  if (from === null && form.from.trim() !== "") return { field: "from", message: "Enter a date as YYYY-MM-DD." };
  const to = form.to.trim() === "" ? null : localDayStart(form.to, 1);
  if (to === null && form.to.trim() !== "") return { field: "to", message: "Enter a date as YYYY-MM-DD." };
  if (from && to && to.getTime() <= from.getTime()) {
    return { field: "to", message: "This date is before the “from” date: choose a later one, or clear it." };
  }
  return {
    filter: {
      connection: form.connection === "" ? null : Number(form.connection),
      schedule: form.schedule === "" ? null : Number(form.schedule),
      status: form.status === "" ? null : form.status,
      from: from ? from.toISOString() : null,
      to: to ? to.toISOString() : null,
    },
  };
}
