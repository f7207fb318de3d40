// Which field of which form an error belongs under, by its code: the one map for every form.
// A code a form's map does not name (or no code) is an error about the whole form.
import type { RestoreField } from "../backups/restore";
import type { SetRestoreField } from "../backups/restoreSet";
import type { FieldName as ConnectionField } from "../connections/form";
import type { ScheduleField } from "../schedules/form";
import type { StorageCodeField } from "../storage/form";
import type { ErrorCode } from "./code";

/** The Settings page's fields an error can be shown under. */
export type SettingsField = "imageTemplate" | "backupRoot" | "catchUpGraceHours" | "stallAfterSeconds";

/** Each form's fields. */
export interface FormFields {
  connection: ConnectionField;
  schedule: ScheduleField;
  restore: RestoreField;
  setRestore: SetRestoreField;
  settings: SettingsField;
  storage: StorageCodeField;
}

export type FormName = keyof FormFields;

/** Keyed by ErrorCode: a code that is not (or no longer) the app's fails the type check. */
type CodeMap<Field extends string> = Partial<Record<ErrorCode, Field>>;

const FIELD_FOR_CODE: { [F in FormName]: CodeMap<FormFields[F]> } = {
  connection: {
    invalid_name: "name",
    connection_name_taken: "name",
    invalid_host: "host",
    invalid_port: "port",
    invalid_database: "database",
    invalid_username: "username",
    invalid_sslmode: "sslmode",
    pgpass_no_match: "password",
    invalid_uri: "uri",
    // One code for both lists: connections/form.ts places it by its message.
    invalid_pattern: "include",
  },
  schedule: {
    invalid_name: "name",
    invalid_connection: "connection",
    connection_not_found: "connection",
    invalid_cron: "cron",
    invalid_timezone: "timezone",
    invalid_compression: "compression",
    invalid_keep_last: "keepLast",
    invalid_keep_days: "keepDays",
    invalid_alert_after: "alertAfter",
    invalid_verify_every: "verifyEvery",
    invalid_stall_after: "stallAfter",
    invalid_time_limit: "timeLimit",
    // One code for every hook: schedules/form.ts places it by its message.
    invalid_hook: "hooks",
  },
  restore: {
    connection_not_found: "connection",
    invalid_database: "database",
    database_not_empty: "allowNonEmpty",
    invalid_clean: "clean",
  },
  // A whole server set into a server.
  setRestore: {
    connection_not_found: "connection",
    // The server already has some of the set's databases: "Replace databases that exist".
    database_not_empty: "force",
  },
  settings: {
    invalid_image_template: "imageTemplate",
    invalid_backup_root: "backupRoot",
    invalid_catch_up_grace_hours: "catchUpGraceHours",
    invalid_stall_after: "stallAfterSeconds",
  },
  // A storage location: storage/form.ts narrows the groups by the location's kind (and
  // invalid_storage by its message, which names the setting).
  storage: {
    invalid_storage_name: "name",
    invalid_storage: "settings",
    storage_bucket_missing: "bucket",
    storage_tls: "endpoint",
    storage_host_key: "host",
    storage_unreachable: "address",
    storage_credentials: "credentials",
    storage_permission_denied: "permission",
  },
};

/**
 * The field of `form` an error with `code` belongs under, or null for one about the whole form.
 * Any text may be looked up (an unknown one is the whole form's); the map's keys are what the
 * type check guards.
 */
export function fieldForCode<F extends FormName>(form: F, code: string | null): FormFields[F] | null {
  const fields: CodeMap<FormFields[F]> = FIELD_FOR_CODE[form];
  if (code === null || !Object.hasOwn(fields, code)) return null;
  return fields[code as ErrorCode] ?? null;
}
