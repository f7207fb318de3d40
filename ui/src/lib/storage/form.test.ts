import { describe, expect, it } from "vitest";
import {
  buildLocationInput,
  buildRetention,
  emptyLocationForm,
  fieldForRetentionError,
  fieldForStorageError,
  locationCredentials,
  locationWhere,
  type LocationFormState,
} from "./form";

function form(overrides: Partial<LocationFormState>): LocationFormState {
  return { ...emptyLocationForm(), name: " nas ", ...overrides };
}

describe("buildLocationInput", () => {
  it("sends a folder's trimmed path, no secret, and retention as numbers", () => {
    expect(buildLocationInput(form({ path: " /mnt/nas/backups ", keepLast: "7", keepDays: "" }))).toEqual({
      input: { name: "nas", settings: { kind: "folder", path: "/mnt/nas/backups" }, keepLast: 7, keepDays: null },
      secret: null,
    });
  });

  it("sends an S3 location's settings and its secret apart from them", () => {
    const built = buildLocationInput(
      form({
        kind: "s3",
        // Another kind's fields stay out of what is sent.
        path: "/ignored",
        endpoint: " https://s3.eu-west-1.amazonaws.com ",
        bucket: "team-backups",
        prefix: "laptop",
        region: "eu-west-1",
        pathStyle: true,
        accessKeyId: "AKIAEXAMPLE",
        secretKey: " s3cr3t ",
      }),
    );
    expect(built).toEqual({
      input: {
        name: "nas",
        settings: {
          kind: "s3",
          endpoint: "https://s3.eu-west-1.amazonaws.com",
          bucket: "team-backups",
          prefix: "laptop",
          region: "eu-west-1",
          pathStyle: true,
          accessKeyId: "AKIAEXAMPLE",
        },
        keepLast: null,
        keepDays: null,
      },
      // As typed: a secret may begin or end with a space.
      secret: " s3cr3t ",
    });
  });

  it("sends an SFTP port as a number and an empty key file as none", () => {
    expect(buildLocationInput(form({ kind: "sftp", host: "nas.local", port: " 2222 ", user: "backup", remotePath: "" }))).toEqual({
      input: {
        name: "nas",
        settings: { kind: "sftp", host: "nas.local", port: 2222, user: "backup", keyFile: null, path: "" },
        keepLast: null,
        keepDays: null,
      },
      secret: null,
    });
  });

  it("refuses what it can tell is wrong before asking the backend", () => {
    expect(buildLocationInput(form({ kind: "sftp", port: "ssh" }))).toEqual({
      field: "port",
      message: "Enter the SSH port, a whole number from 1 to 65535 (usually 22).",
    });
    expect(buildLocationInput(form({ kind: "sftp", port: "70000" }))).toMatchObject({ field: "port" });
    expect(buildLocationInput(form({ kind: "s3", secretKey: "" }))).toMatchObject({ field: "secretKey" });
    expect(buildLocationInput(form({ keepDays: "a week" }))).toEqual({
      field: "keepDays",
      message: "Enter a whole number, or leave it empty to keep all.",
    });
  });
});

describe("fieldForStorageError", () => {
  it("places invalid_storage under the setting its message names, for the kind shown", () => {
    const message = (text: string) => fieldForStorageError("invalid_storage", text, "s3");
    expect(fieldForStorageError("invalid_storage", 'The folder "x" is not an absolute path. Give the full path.', "folder")).toBe("path");
    expect(message('The endpoint "s3.local" is not an http(s) URL.')).toBe("endpoint");
    expect(message('The bucket name "B" is not a valid S3 bucket name.')).toBe("bucket");
    expect(message("The access key id is empty. Give the access key id, e.g. AKIA….")).toBe("accessKeyId");
    expect(message("An S3 location needs its secret access key.")).toBe("secretKey");
    expect(message("Keeping 0 backups would delete every copy.")).toBe("keepLast");
    expect(message("Keeping backups for 0 days would delete every copy.")).toBe("keepDays");
    expect(fieldForStorageError("invalid_storage", "Port 0 is not a port.", "sftp")).toBe("port");
    expect(fieldForStorageError("invalid_storage", "The key file /nope does not exist.", "sftp")).toBe("keyFile");
    expect(fieldForStorageError("invalid_storage", 'The path "../x" is not a plain path.', "sftp")).toBe("remotePath");
    // A message about no one setting is the whole form's.
    expect(message("The settings of s3://b at http://x are not usable: boom.")).toBeNull();
  });

  it("reads the storage codes by the kind of location", () => {
    expect(fieldForStorageError("invalid_storage_name", 'A location named "nas" already exists.', "sftp")).toBe("name");
    expect(fieldForStorageError("storage_bucket_missing", "The bucket … does not exist.", "s3")).toBe("bucket");
    expect(fieldForStorageError("storage_unreachable", "… cannot be reached.", "s3")).toBe("endpoint");
    expect(fieldForStorageError("storage_unreachable", "… cannot be reached.", "sftp")).toBe("host");
    expect(fieldForStorageError("storage_credentials", "… refused the credentials.", "s3")).toBe("secretKey");
    expect(fieldForStorageError("storage_credentials", "… refused the credentials.", "sftp")).toBe("keyFile");
    expect(fieldForStorageError("storage_host_key", "The SSH host key … is not a known one.", "sftp")).toBe("host");
    expect(fieldForStorageError("storage_permission_denied", "… refused the operation.", "folder")).toBe("path");
    expect(fieldForStorageError("storage_permission_denied", "… refused the operation.", "sftp")).toBe("remotePath");
  });

  it("leaves a field the kind does not show, and other codes, to the whole form", () => {
    expect(fieldForStorageError("storage_bucket_missing", "…", "folder")).toBeNull();
    expect(fieldForStorageError("storage_credentials", "…", "folder")).toBeNull();
    expect(fieldForStorageError("storage_tls", "TLS with … failed.", "sftp")).toBeNull();
    expect(fieldForStorageError("storage_full", "… is full.", "s3")).toBeNull();
    expect(fieldForStorageError(null, "Boom.", "s3")).toBeNull();
  });
});

describe("retention", () => {
  it("reads the typed numbers and places a rejected one", () => {
    expect(buildRetention({ keepLast: " 5 ", keepDays: "" })).toEqual({ keepLast: 5, keepDays: null });
    expect(buildRetention({ keepLast: "", keepDays: "x" })).toMatchObject({ field: "keepDays" });
    expect(fieldForRetentionError("invalid_storage", "Keeping 0 backups would delete every copy.")).toBe("keepLast");
    expect(fieldForRetentionError("invalid_storage", "Keeping backups for 0 days would delete every copy.")).toBe("keepDays");
    expect(fieldForRetentionError("storage_not_found", "No location 4.")).toBeNull();
  });
});

describe("locationWhere", () => {
  it("says where each kind of location is", () => {
    expect(locationWhere({ kind: "folder", path: "/mnt/nas/backups" })).toBe("/mnt/nas/backups");
    const s3 = {
      kind: "s3",
      endpoint: "http://127.0.0.1:9000",
      bucket: "dbm",
      prefix: "team",
      region: "us-east-1",
      pathStyle: true,
      accessKeyId: "minio",
    } as const;
    expect(locationWhere(s3)).toBe("s3://dbm/team at http://127.0.0.1:9000 (us-east-1, path-style)");
    expect(locationWhere({ ...s3, prefix: "", pathStyle: false })).toBe("s3://dbm at http://127.0.0.1:9000 (us-east-1)");
    expect(locationCredentials(s3)).toBe("access key minio");
    const sftp = { kind: "sftp", host: "nas.local", port: 22, user: "backup", keyFile: null, path: "" } as const;
    expect(locationWhere(sftp)).toBe("backup@nas.local, home folder");
    expect(locationWhere({ ...sftp, port: 2222, path: "/srv/backups" })).toBe("backup@nas.local:2222, /srv/backups");
    expect(locationCredentials(sftp)).toBe("SSH agent or default keys");
    expect(locationCredentials({ ...sftp, keyFile: "/home/ada/.ssh/id_ed25519" })).toBe("key /home/ada/.ssh/id_ed25519");
  });
});
