// Pure logic of the Connections page: form state → what the commands take, errors → fields,
// versions → text. The Svelte components only wire these to the DOM.
import type {
  Connection,
  ConnectionInput,
  PasswordSource,
  PgpassEntry,
  ServerVersion,
  SslMode,
  UriImport,
} from "../bindings";
import { fieldForCode } from "../errors/fields";
import { buildScope, patternFieldFor, scopeForm, type ScopeFormState } from "./scope";

export const DEFAULT_PORT = "5432";
export const DEFAULT_SSLMODE: SslMode = "prefer";

/** The five TLS modes in the order the select lists them, each with a short and a longer hint. */
export const SSL_MODES: readonly { mode: SslMode; short: string; hint: string }[] = [
  {
    mode: "disable",
    short: "never TLS",
    hint: "Plain text. Only for a local socket or a network you trust.",
  },
  {
    mode: "prefer",
    short: "TLS when offered",
    hint: "Encrypts when the server supports TLS, plain text otherwise. libpq's default.",
  },
  {
    mode: "require",
    short: "always TLS, certificate not checked",
    hint: "Fails if the server has no TLS. Encrypted, but the server's identity is not verified.",
  },
  {
    mode: "verify-ca",
    short: "TLS with a trusted CA",
    hint: "The certificate must be signed by a trusted CA (PGSSLROOTCERT or ~/.postgresql/root.crt).",
  },
  {
    mode: "verify-full",
    short: "trusted CA and matching host name",
    hint: "Safest: the certificate must come from a trusted CA and be issued for this host.",
  },
];

export function sslModeHint(mode: SslMode): string {
  return SSL_MODES.find((m) => m.mode === mode)?.hint ?? "";
}

/** Where the password that will be saved comes from, apart from what is typed in the field. */
export type PasswordOrigin = "field" | "uri" | "pgpass";

export interface FormState extends ScopeFormState {
  name: string;
  host: string;
  port: string;
  database: string;
  username: string;
  sslmode: SslMode;
  /** What the user typed in the password field; typing wins over an imported password. */
  password: string;
  passwordOrigin: PasswordOrigin;
  /** The imported URI, sent back when its password is to be saved (the UI never sees it parsed). */
  importedUri: string;
  /** Edit only: the "Remove saved password" checkbox. */
  removePassword: boolean;
}

export function emptyForm(): FormState {
  return {
    name: "",
    host: "",
    port: DEFAULT_PORT,
    database: "",
    username: "",
    sslmode: DEFAULT_SSLMODE,
    password: "",
    passwordOrigin: "field",
    importedUri: "",
    removePassword: false,
    allDatabases: false,
    include: "",
    exclude: "",
  };
}

/** The edit form of a saved connection: its fields, an empty password meaning "unchanged". */
export function formFromConnection(c: Connection): FormState {
  return {
    ...emptyForm(),
    name: c.name,
    host: c.host,
    port: String(c.port),
    database: c.database,
    username: c.username,
    sslmode: c.sslmode,
    ...scopeForm(c.scope),
  };
}

/** The fields as typed; the backend validates them and says what is wrong. */
export function buildInput(state: FormState): ConnectionInput {
  return {
    name: state.name,
    host: state.host,
    port: state.port,
    database: state.database,
    username: state.username,
    sslmode: state.sslmode,
    scope: buildScope(state),
  };
}

/**
 * What to do with the password on save or test. `editing` is true for a saved connection, where
 * an untouched field keeps the saved password; for a new one it means "no password".
 */
export function buildPasswordSource(state: FormState, editing: boolean): PasswordSource {
  if (editing && state.removePassword) return { kind: "none" };
  if (state.password !== "") return { kind: "typed", value: state.password };
  if (state.passwordOrigin === "uri" && state.importedUri !== "") return { kind: "uri", uri: state.importedUri };
  if (state.passwordOrigin === "pgpass") return { kind: "pgpass" };
  return editing ? { kind: "keep" } : { kind: "none" };
}

/** The password field's placeholder: says where the password comes from when none is typed. */
export function passwordPlaceholder(state: FormState, editing: boolean): string {
  if (editing && state.removePassword) return "none";
  if (state.passwordOrigin === "uri" && state.importedUri !== "") return "from URI";
  if (state.passwordOrigin === "pgpass") return "from ~/.pgpass";
  return editing ? "unchanged" : "";
}

/** One line under the password field, matching `buildPasswordSource`. */
export function passwordHint(state: FormState, editing: boolean): string {
  if (editing && state.removePassword) return "The saved password will be removed when you save.";
  if (state.password !== "") return "Saved in the system keyring, never in the app's files.";
  if (state.passwordOrigin === "uri" && state.importedUri !== "")
    return "The password in the imported URI will be saved. Type here to use another.";
  if (state.passwordOrigin === "pgpass")
    return "The password of the matching ~/.pgpass line will be saved. Type here to use another.";
  return editing
    ? "Leave empty to keep the saved password."
    : "Leave empty if the server does not ask for one (trust, peer or certificate login).";
}

/** The form after importing a URI: its fields, and its password unless it had none. */
export function applyUriImport(state: FormState, imported: UriImport, uri: string): FormState {
  // A URI names a server and a database; what to back up of it stays the form's choice.
  const { name, host, port, database, username, sslmode } = imported.input;
  const next: FormState = {
    ...state,
    host,
    port,
    database,
    username,
    sslmode,
    // Keep a name the user already gave; the backend suggests "database@host".
    name: state.name.trim() !== "" ? state.name : name,
    removePassword: false,
  };
  if (imported.hasPassword) {
    next.password = "";
    next.passwordOrigin = "uri";
    next.importedUri = uri.trim();
  } else {
    next.passwordOrigin = "field";
    next.importedUri = "";
  }
  return next;
}

const isWildcard = (value: string) => value === "*" || value === "";

/** The form after choosing a ~/.pgpass line; "*" fields leave what the form already has. */
export function applyPgpassEntry(state: FormState, entry: PgpassEntry): FormState {
  const pick = (value: string, current: string) => (isWildcard(value) ? current : value);
  const next: FormState = {
    ...state,
    host: pick(entry.host, state.host),
    port: pick(entry.port, state.port),
    database: pick(entry.database, state.database),
    username: pick(entry.username, state.username),
    password: "",
    passwordOrigin: "pgpass",
    importedUri: "",
    removePassword: false,
  };
  if (next.name.trim() === "" && next.database !== "" && next.host !== "") {
    next.name = `${next.database}@${next.host}`;
  }
  return next;
}

/** How a ~/.pgpass line is listed in the picker, e.g. "alice @ db.example.com:5432 / app". */
export function pgpassLabel(entry: PgpassEntry): string {
  return `${entry.username} @ ${entry.host}:${entry.port} / ${entry.database}`;
}

export type FieldName =
  | "name"
  | "host"
  | "port"
  | "database"
  | "username"
  | "sslmode"
  | "password"
  | "uri"
  | "include"
  | "exclude";

/**
 * The form field an error belongs under, or null for an error about the whole form (see
 * errors/fields.ts); a rejected pattern goes under the list its message names.
 */
export function fieldForError(code: string | null, message = ""): FieldName | null {
  const field = fieldForCode("connection", code);
  return field === "include" ? patternFieldFor(message) : field;
}

/** The labels the form shows, to refer to a field in a message. */
export const FIELD_LABELS: Record<FieldName, string> = {
  name: "Name",
  host: "Host",
  port: "Port",
  database: "Database",
  username: "User",
  sslmode: "TLS mode",
  password: "Password",
  uri: "Import from URI",
  include: "Include",
  exclude: "Exclude",
};

/** A field's label as the form shows it now: the database is the maintenance one for a whole server. */
export function fieldLabel(field: FieldName, state: Pick<FormState, "allDatabases">): string {
  return field === "database" && state.allDatabases ? "Maintenance database" : FIELD_LABELS[field];
}

/** "PostgreSQL 16.4 (major 16)": the form's test result. */
export function formatVersion(version: ServerVersion): string {
  return `PostgreSQL ${version.version} (major ${version.major})`;
}

/** The list's version column: "PostgreSQL 16.4", or "Not tested" before a successful test. */
export function versionLabel(connection: Pick<Connection, "serverVersion">): string {
  return connection.serverVersion ? `PostgreSQL ${connection.serverVersion}` : "Not tested";
}

/** "db.example.com:5432", with brackets around an IPv6 address: "[::1]:5432". */
export function endpoint(connection: Pick<Connection, "host" | "port">): string {
  const host = connection.host.includes(":") && !connection.host.startsWith("[") ? `[${connection.host}]` : connection.host;
  return `${host}:${connection.port}`;
}
