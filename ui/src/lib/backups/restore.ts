// Pure logic of the restore dialog: its fields ⇄ the RestoreRequest sent, errors → fields,
// the outcome in words, and the progress lines it keeps.
import type { Backup, Connection, RestoreOutcome, RestoreRequest, SetRestoreOutcome } from "../bindings";
import type { DescribedError } from "../errors/describe";
import { fieldForCode } from "../errors/fields";
import { formatSeconds } from "./format";

/** Into a new database (created first) or into the connection's own database. */
export type RestoreMode = "new" | "existing";

export interface RestoreFormState {
  /** The target connection's id as text; "" when none is chosen. */
  connectionId: string;
  mode: RestoreMode;
  /** The new database's name (mode "new"). */
  database: string;
  /** Mode "existing": restore even when the database already holds tables. */
  allowNonEmpty: boolean;
  /** Mode "existing": drop each object before recreating it (archives only). */
  clean: boolean;
  noOwner: boolean;
  singleTransaction: boolean;
}

/** How many progress lines the dialog shows. */
export const PROGRESS_LINES = 8;

/** The name offered for a new database: "app" → "app_restored". */
export function restoredName(database: string): string {
  return `${database}_restored`;
}

/** A plain SQL backup is replayed by psql, which cannot drop objects first. */
export function canClean(format: string): boolean {
  return format !== "plain";
}

/**
 * The name offered for the new database: "app" → "app_restored"; for one database of a server
 * set (`part`), that database's own name, as the set had it.
 */
export function offeredName(connection: Pick<Connection, "database"> | undefined, part: string | null = null): string {
  if (part) return part;
  return connection ? restoredName(connection.database) : "";
}

/** The dialog's start: the backup's own connection (when it still exists), into a new database. */
export function defaultRestoreForm(
  backup: Pick<Backup, "connectionId">,
  connections: readonly Pick<Connection, "id" | "database">[],
  part: string | null = null,
): RestoreFormState {
  const target = connections.find((c) => c.id === backup.connectionId) ?? connections[0];
  return {
    connectionId: target ? String(target.id) : "",
    mode: "new",
    database: target ? offeredName(target, part) : "",
    allowNonEmpty: false,
    clean: false,
    noOwner: true,
    singleTransaction: false,
  };
}

/**
 * The form after choosing another target connection: a name the user left as offered follows
 * the new connection's database; a typed one stays.
 */
export function withConnection(
  form: RestoreFormState,
  connectionId: string,
  connections: readonly Pick<Connection, "id" | "database">[],
  part: string | null = null,
): RestoreFormState {
  const before = connections.find((c) => String(c.id) === form.connectionId);
  const after = connections.find((c) => String(c.id) === connectionId);
  const offered = form.database === "" || (before !== undefined && form.database === offeredName(before, part));
  return {
    ...form,
    connectionId,
    database: offered && after ? offeredName(after, part) : form.database,
  };
}

/** The form after choosing another database of a set: a name left as offered follows it. */
export function withPart(form: RestoreFormState, before: string | null, after: string): RestoreFormState {
  const offered = form.database === "" || form.database === before;
  return { ...form, database: offered ? after : form.database };
}

/** The fields an error can be shown at. */
export type RestoreField = "connection" | "database" | "allowNonEmpty" | "clean";

/** The field an error belongs at, or null for one about the whole restore (see errors/fields.ts). */
export function fieldForRestoreError(code: string | null): RestoreField | null {
  return fieldForCode("restore", code);
}

/**
 * What Restore sends, or the field the dialog can already tell is wrong. `part`: the database of
 * a server set to restore (its parts are custom-format archives).
 */
export function buildRestoreRequest(
  backup: Pick<Backup, "id" | "format">,
  form: RestoreFormState,
  part: string | null = null,
): { request: RestoreRequest } | { field: RestoreField; message: string } {
  if (form.connectionId === "") return { field: "connection", message: "Choose the connection to restore into." };
  const common = {
    backupId: backup.id,
    connectionId: Number(form.connectionId),
    noOwner: form.noOwner,
    singleTransaction: form.singleTransaction,
    // Only a set's restore names a part: one database's request stays as it was.
    ...(part ? { part } : {}),
  };
  if (form.mode === "new") {
    const database = form.database.trim();
    if (database === "") return { field: "database", message: "Enter a name for the new database." };
    return { request: { ...common, database, create: true, clean: false, allowNonEmpty: false } };
  }
  return {
    request: {
      ...common,
      database: null,
      create: false,
      clean: (part ? true : canClean(backup.format)) && form.clean,
      allowNonEmpty: form.allowNonEmpty,
    },
  };
}

/** Where a restore from the dialog stands; a whole set's outcome is its own. */
export type RestoreRun =
  | { state: "idle" }
  | { state: "running" }
  | { state: "done"; outcome: RestoreOutcome }
  | { state: "set-done"; outcome: SetRestoreOutcome; globals: boolean }
  | ({ state: "failed" } & DescribedError);

/** "Restored into app_restored with postgres:17 in 3.2 s". */
export function restoreOutcomeText(outcome: RestoreOutcome): string {
  return `Restored into ${outcome.database} with ${outcome.tool} in ${formatSeconds(outcome.seconds)}`;
}

/** `lines` with `line` added, keeping the last `max`. */
export function appendLine(lines: readonly string[], line: string, max = PROGRESS_LINES): string[] {
  return [...lines, line].slice(-max);
}
