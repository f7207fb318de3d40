// Pure logic of the Storage page: the add form's state → LocationInput, errors → fields, a
// location's settings → words. The Svelte components only wire these to the DOM; the backend
// validates the rest (and tests the location before it keeps it).
import type { Location, LocationInput, LocationSettings } from "../bindings";
import { fieldForCode } from "../errors/fields";
import { parseOptionalCount } from "../schedules/form";

export type LocationKind = LocationSettings["kind"];

/** The kinds the form offers, in its order, each with a line about what it is. */
export const LOCATION_KINDS: readonly { kind: LocationKind; label: string; hint: string }[] = [
  { kind: "folder", label: "Folder", hint: "A folder on this computer: a mounted NAS share, a USB disk." },
  { kind: "s3", label: "S3-compatible", hint: "Amazon S3, Backblaze B2, Cloudflare R2, Wasabi, MinIO…" },
  { kind: "sftp", label: "SFTP", hint: "A server you reach with SSH, signed in with a key." },
];

export function kindLabel(kind: LocationKind): string {
  return LOCATION_KINDS.find((k) => k.kind === kind)?.label ?? kind;
}

export const DEFAULT_SFTP_PORT = "22";

export interface LocationFormState {
  name: string;
  kind: LocationKind;
  /** Folder: its absolute path. */
  path: string;
  /** S3. */
  endpoint: string;
  bucket: string;
  prefix: string;
  region: string;
  pathStyle: boolean;
  accessKeyId: string;
  /** Sent as the secret (to the keyring), never in the input. */
  secretKey: string;
  /** SFTP. */
  host: string;
  /** As typed; checked here, sent as a number. */
  port: string;
  user: string;
  /** "" for the SSH agent and the default keys. */
  keyFile: string;
  /** The folder on the server: absolute, or "" for the user's home. */
  remotePath: string;
  /** Whole numbers as typed; "" keeps every copy. */
  keepLast: string;
  keepDays: string;
}

export function emptyLocationForm(): LocationFormState {
  return {
    name: "",
    kind: "folder",
    path: "",
    endpoint: "",
    bucket: "",
    prefix: "",
    region: "",
    pathStyle: false,
    accessKeyId: "",
    secretKey: "",
    host: "",
    port: DEFAULT_SFTP_PORT,
    user: "",
    keyFile: "",
    remotePath: "",
    keepLast: "",
    keepDays: "",
  };
}

/** The fields an error can be shown under. */
export type StorageField =
  | "name"
  | "path"
  | "endpoint"
  | "bucket"
  | "prefix"
  | "region"
  | "accessKeyId"
  | "secretKey"
  | "host"
  | "port"
  | "user"
  | "keyFile"
  | "remotePath"
  | "keepLast"
  | "keepDays";

/**
 * What errors/fields.ts maps a code to: a field, or a group that depends on the kind or the
 * message ("settings": one code for every setting; "address", "credentials", "permission": the
 * part of each kind that reaches, signs in to, or writes to the place).
 */
export type StorageCodeField = StorageField | "settings" | "address" | "credentials" | "permission";

/** Which fields each kind shows (besides name and retention, which every kind has). */
const KIND_FIELDS: Record<LocationKind, readonly StorageField[]> = {
  folder: ["path"],
  s3: ["endpoint", "bucket", "prefix", "region", "accessKeyId", "secretKey"],
  sftp: ["host", "port", "user", "keyFile", "remotePath"],
};

const GROUPS: Record<"address" | "credentials" | "permission", Record<LocationKind, StorageField | null>> = {
  address: { folder: "path", s3: "endpoint", sftp: "host" },
  credentials: { folder: null, s3: "secretKey", sftp: "keyFile" },
  permission: { folder: "path", s3: "accessKeyId", sftp: "remotePath" },
};

/** invalid_storage's messages, by how they begin (the backend names the setting first). */
const SETTING_MESSAGES: readonly [RegExp, StorageField][] = [
  [/^The folder\b/, "path"],
  [/^The endpoint\b/, "endpoint"],
  [/^The bucket\b/, "bucket"],
  [/^The prefix\b/, "prefix"],
  [/^The region\b/, "region"],
  [/^The access key id\b/, "accessKeyId"],
  [/secret access key/, "secretKey"],
  [/^The host\b/, "host"],
  [/^Port\b/, "port"],
  [/^The user\b/, "user"],
  [/^The key file\b/, "keyFile"],
  [/^The path\b/, "remotePath"],
  [/^Keeping \d+ backups\b/, "keepLast"],
  [/^Keeping backups for\b/, "keepDays"],
];

function settingFor(message: string): StorageField | null {
  return SETTING_MESSAGES.find(([pattern]) => pattern.test(message))?.[1] ?? null;
}

/** Whether the form shows `field` for a location of `kind`. */
export function kindHasField(kind: LocationKind, field: StorageField): boolean {
  return !KIND_FIELDS.folder.concat(KIND_FIELDS.s3, KIND_FIELDS.sftp).includes(field) || KIND_FIELDS[kind].includes(field);
}

/**
 * The field an error belongs under for a location of `kind`, or null for one about the whole
 * form: a field the kind does not show is the whole form's too.
 */
export function fieldForStorageError(code: string | null, message: string, kind: LocationKind): StorageField | null {
  const mapped = fieldForCode("storage", code);
  let field: StorageField | null;
  switch (mapped) {
    case null:
      return null;
    case "settings":
      field = settingFor(message);
      break;
    case "address":
    case "credentials":
    case "permission":
      field = GROUPS[mapped][kind];
      break;
    default:
      field = mapped;
  }
  return field !== null && kindHasField(kind, field) ? field : null;
}

/** A problem the form finds before asking the backend. */
export interface StorageFieldProblem {
  field: StorageField;
  message: string;
}

function parsePort(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const port = Number(trimmed);
  return port >= 1 && port <= 65535 ? port : null;
}

function settingsFromForm(form: LocationFormState): { settings: LocationSettings } | StorageFieldProblem {
  switch (form.kind) {
    case "folder":
      return { settings: { kind: "folder", path: form.path.trim() } };
    case "s3":
      return {
        settings: {
          kind: "s3",
          endpoint: form.endpoint.trim(),
          bucket: form.bucket.trim(),
          prefix: form.prefix.trim(),
          region: form.region.trim(),
          pathStyle: form.pathStyle,
          accessKeyId: form.accessKeyId.trim(),
        },
      };
    case "sftp": {
      const port = parsePort(form.port);
      if (port === null) return { field: "port", message: "Enter the SSH port, a whole number from 1 to 65535 (usually 22)." };
      const keyFile = form.keyFile.trim();
      return {
        settings: {
          kind: "sftp",
          host: form.host.trim(),
          port,
          user: form.user.trim(),
          keyFile: keyFile === "" ? null : keyFile,
          path: form.remotePath.trim(),
        },
      };
    }
  }
}

/** What Add sends (the input and the S3 secret), or the first field the form can tell is wrong. */
export function buildLocationInput(
  form: LocationFormState,
): { input: LocationInput; secret: string | null } | StorageFieldProblem {
  const built = settingsFromForm(form);
  if (!("settings" in built)) return built;
  if (form.kind === "s3" && form.secretKey === "") {
    return { field: "secretKey", message: "Enter the secret access key that goes with the access key id." };
  }
  const keepLast = parseOptionalCount(form.keepLast);
  if (!keepLast.ok) return { field: "keepLast", message: keepLast.message };
  const keepDays = parseOptionalCount(form.keepDays);
  if (!keepDays.ok) return { field: "keepDays", message: keepDays.message };
  return {
    input: { name: form.name.trim(), settings: built.settings, keepLast: keepLast.value, keepDays: keepDays.value },
    secret: form.kind === "s3" ? form.secretKey : null,
  };
}

/**
 * Where a location is, in words: "/mnt/nas/backups", "s3://backups/laptop at
 * https://s3.example.com (eu-west-1, path-style)", "backup@nas.local:2222, /srv/backups".
 */
export function locationWhere(settings: LocationSettings): string {
  switch (settings.kind) {
    case "folder":
      return settings.path;
    case "s3": {
      const prefix = settings.prefix === "" ? "" : `/${settings.prefix}`;
      const extra = [settings.region, settings.pathStyle ? "path-style" : ""].filter((p) => p !== "").join(", ");
      return `s3://${settings.bucket}${prefix} at ${settings.endpoint}${extra ? ` (${extra})` : ""}`;
    }
    case "sftp": {
      const port = settings.port === 22 ? "" : `:${settings.port}`;
      const folder = settings.path === "" ? "home folder" : settings.path;
      return `${settings.user}@${settings.host}${port}, ${folder}`;
    }
  }
}

/** How a location signs in, when it says more than the place: the S3 key id, the SSH key. */
export function locationCredentials(settings: LocationSettings): string | null {
  switch (settings.kind) {
    case "folder":
      return null;
    case "s3":
      return `access key ${settings.accessKeyId}`;
    case "sftp":
      return settings.keyFile ? `key ${settings.keyFile}` : "SSH agent or default keys";
  }
}

/** The retention edit's fields, as typed. */
export interface RetentionForm {
  keepLast: string;
  keepDays: string;
}

export function retentionForm(location: Pick<Location, "keepLast" | "keepDays">): RetentionForm {
  return {
    keepLast: location.keepLast === null ? "" : String(location.keepLast),
    keepDays: location.keepDays === null ? "" : String(location.keepDays),
  };
}

export type RetentionField = "keepLast" | "keepDays";

/** The typed retention as numbers, or the field that is not a number. */
export function buildRetention(
  form: RetentionForm,
): { keepLast: number | null; keepDays: number | null } | { field: RetentionField; message: string } {
  const keepLast = parseOptionalCount(form.keepLast);
  if (!keepLast.ok) return { field: "keepLast", message: keepLast.message };
  const keepDays = parseOptionalCount(form.keepDays);
  if (!keepDays.ok) return { field: "keepDays", message: keepDays.message };
  return { keepLast: keepLast.value, keepDays: keepDays.value };
}

/** The retention field a rejected retention belongs under (placed by its message), or null. */
export function fieldForRetentionError(code: string | null, message: string): RetentionField | null {
  const field = fieldForStorageError(code, message, "folder");
  return field === "keepLast" || field === "keepDays" ? field : null;
}
