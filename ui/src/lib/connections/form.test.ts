import { describe, expect, it } from "vitest";
import { savedConnection, serverConnection } from "../../test/fixtures";
import {
  SSL_MODES,
  applyPgpassEntry,
  applyUriImport,
  buildInput,
  buildPasswordSource,
  emptyForm,
  endpoint,
  fieldForError,
  fieldLabel,
  formFromConnection,
  formatVersion,
  passwordPlaceholder,
  pgpassLabel,
  versionLabel,
  type FormState,
} from "./form";

function filled(overrides: Partial<FormState> = {}): FormState {
  return {
    ...emptyForm(),
    name: "staging",
    host: "10.0.0.5",
    port: "6543",
    database: "shop",
    username: "ada",
    sslmode: "verify-full",
    ...overrides,
  };
}

describe("the empty form", () => {
  it("starts with port 5432, TLS prefer and no password", () => {
    const form = emptyForm();
    expect(form.port).toBe("5432");
    expect(form.sslmode).toBe("prefer");
    expect(form.name + form.host + form.database + form.username + form.password).toBe("");
    expect(buildPasswordSource(form, false)).toEqual({ kind: "none" });
  });
});

describe("buildInput", () => {
  it("sends the fields as typed, port as text, without the password", () => {
    const input = buildInput(filled({ port: " 70000 ", password: "s3cret" }));
    expect(input).toEqual({
      name: "staging",
      host: "10.0.0.5",
      port: " 70000 ",
      database: "shop",
      username: "ada",
      sslmode: "verify-full",
      scope: { allDatabases: false, include: [], exclude: [] },
    });
    expect(JSON.stringify(input)).not.toContain("s3cret");
  });

  it("round-trips a saved connection through the edit form", () => {
    const c = savedConnection({ port: 5433, sslmode: "disable" });
    const form = formFromConnection(c);
    expect(buildInput(form)).toEqual({
      name: c.name,
      host: c.host,
      port: "5433",
      database: c.database,
      username: c.username,
      sslmode: "disable",
      scope: { allDatabases: false, include: [], exclude: [] },
    });
    expect(form.password).toBe("");
  });
});

describe("the scope", () => {
  it("round-trips a whole-server connection with its patterns through the edit form", () => {
    const c = serverConnection({ scope: { allDatabases: true, include: ["shop_*", "app"], exclude: ["*_test"] } });
    const form = formFromConnection(c);
    expect(form.allDatabases).toBe(true);
    expect(form.include).toBe("shop_*, app");
    expect(form.exclude).toBe("*_test");
    expect(buildInput(form)).toEqual({
      name: "cluster",
      host: "pg.example.com",
      port: "5432",
      database: "postgres",
      username: "postgres",
      sslmode: "require",
      scope: { allDatabases: true, include: ["shop_*", "app"], exclude: ["*_test"] },
    });
  });

  it("sends patterns typed by commas or lines, trimmed, without blanks", () => {
    const form = filled({ allDatabases: true, include: " shop_*,app\n\n  sales_? ,", exclude: "*_test\n" });
    expect(buildInput(form).scope).toEqual({ allDatabases: true, include: ["shop_*", "app", "sales_?"], exclude: ["*_test"] });
  });

  it("back on This database, keeps the typed patterns but sends none", () => {
    const form = filled({ allDatabases: false, include: "shop_*", exclude: "*_test" });
    expect(buildInput(form).scope).toEqual({ allDatabases: false, include: [], exclude: [] });
    expect(buildInput({ ...form, allDatabases: true }).scope.include).toEqual(["shop_*"]);
  });

  it("calls the database field the maintenance database for a whole server", () => {
    expect(fieldLabel("database", { allDatabases: true })).toBe("Maintenance database");
    expect(fieldLabel("database", { allDatabases: false })).toBe("Database");
    expect(fieldLabel("host", { allDatabases: true })).toBe("Host");
  });
});

describe("buildPasswordSource", () => {
  it("create: typed password, or none when the field is empty", () => {
    expect(buildPasswordSource(filled({ password: "pa ss" }), false)).toEqual({ kind: "typed", value: "pa ss" });
    expect(buildPasswordSource(filled({ password: "" }), false)).toEqual({ kind: "none" });
  });

  it("edit: keeps the saved password when untouched, replaces it when typed", () => {
    expect(buildPasswordSource(filled(), true)).toEqual({ kind: "keep" });
    expect(buildPasswordSource(filled({ password: "new" }), true)).toEqual({ kind: "typed", value: "new" });
  });

  it("edit: the remove checkbox wins over a typed password", () => {
    expect(buildPasswordSource(filled({ removePassword: true, password: "x" }), true)).toEqual({ kind: "none" });
    // The checkbox does not exist when creating; a stray flag changes nothing.
    expect(buildPasswordSource(filled({ removePassword: true, password: "x" }), false)).toEqual({
      kind: "typed",
      value: "x",
    });
  });

  it("uses the URI's password unless another one is typed", () => {
    const uri = "postgres://ada:pw@h/db";
    const form = filled({ passwordOrigin: "uri", importedUri: uri });
    expect(buildPasswordSource(form, false)).toEqual({ kind: "uri", uri });
    expect(buildPasswordSource(form, true)).toEqual({ kind: "uri", uri });
    expect(buildPasswordSource({ ...form, password: "other" }, false)).toEqual({ kind: "typed", value: "other" });
  });

  it("uses ~/.pgpass after choosing a line of it", () => {
    const form = filled({ passwordOrigin: "pgpass" });
    expect(buildPasswordSource(form, false)).toEqual({ kind: "pgpass" });
    expect(buildPasswordSource({ ...form, password: "t" }, true)).toEqual({ kind: "typed", value: "t" });
  });
});

describe("passwordPlaceholder", () => {
  it("says where the password comes from", () => {
    expect(passwordPlaceholder(filled(), true)).toBe("unchanged");
    expect(passwordPlaceholder(filled(), false)).toBe("");
    expect(passwordPlaceholder(filled({ passwordOrigin: "uri", importedUri: "postgres://a:b@c/d" }), false)).toBe(
      "from URI",
    );
    expect(passwordPlaceholder(filled({ passwordOrigin: "pgpass" }), true)).toBe("from ~/.pgpass");
  });
});

describe("applyUriImport", () => {
  const imported = {
    input: {
      name: "shop@db.internal",
      host: "db.internal",
      port: "5433",
      database: "shop",
      username: "ada",
      sslmode: "require" as const,
      scope: { allDatabases: false, include: [], exclude: [] },
    },
    hasPassword: true,
  };

  it("fills every field, suggests a name, and takes the URI's password", () => {
    const uri = "  postgres://ada:pw@db.internal:5433/shop?sslmode=require ";
    const form = applyUriImport({ ...emptyForm(), password: "typed before" }, imported, uri);
    expect(buildInput(form)).toEqual(imported.input);
    expect(form.password).toBe("");
    expect(buildPasswordSource(form, false)).toEqual({ kind: "uri", uri: uri.trim() });
  });

  it("keeps the form's choice of what to back up", () => {
    const form = applyUriImport({ ...emptyForm(), allDatabases: true, exclude: "*_test" }, imported, "postgres://x");
    expect(buildInput(form).scope).toEqual({ allDatabases: true, include: [], exclude: ["*_test"] });
  });

  it("keeps a name the user already typed", () => {
    const form = applyUriImport({ ...emptyForm(), name: "Shop (prod)" }, imported, "postgres://x");
    expect(form.name).toBe("Shop (prod)");
  });

  it("without a password in the URI, keeps what the password field had", () => {
    const noPassword = { ...imported, hasPassword: false };
    expect(buildPasswordSource(applyUriImport(emptyForm(), noPassword, "postgres://x"), false)).toEqual({
      kind: "none",
    });
    expect(buildPasswordSource(applyUriImport(filled({ password: "mine" }), noPassword, "postgres://x"), true)).toEqual(
      { kind: "typed", value: "mine" },
    );
    expect(buildPasswordSource(applyUriImport(filled(), noPassword, "postgres://x"), true)).toEqual({ kind: "keep" });
  });
});

describe("applyPgpassEntry", () => {
  it("fills host, port, database and user and takes the password from ~/.pgpass", () => {
    const form = applyPgpassEntry(
      { ...emptyForm(), password: "typed" },
      { host: "db1", port: "5434", database: "sales", username: "bob" },
    );
    expect(buildInput(form)).toMatchObject({ host: "db1", port: "5434", database: "sales", username: "bob" });
    expect(form.name).toBe("sales@db1");
    expect(buildPasswordSource(form, false)).toEqual({ kind: "pgpass" });
  });

  it("leaves fields alone where the line has a * wildcard", () => {
    const form = applyPgpassEntry(filled(), { host: "*", port: "*", database: "*", username: "carol" });
    expect(buildInput(form)).toMatchObject({ host: "10.0.0.5", port: "6543", database: "shop", username: "carol" });
    expect(form.name).toBe("staging");
  });

  it("labels a line without its password", () => {
    expect(pgpassLabel({ host: "db1", port: "5432", database: "*", username: "bob" })).toBe("bob @ db1:5432 / *");
  });
});

describe("fieldForError", () => {
  it("maps invalid_<field> codes to their field", () => {
    for (const field of ["name", "host", "port", "database", "username", "sslmode", "uri"]) {
      expect(fieldForError(`invalid_${field}`)).toBe(field);
    }
  });

  it("puts a taken name under the name and a missing pgpass line under the password", () => {
    expect(fieldForError("connection_name_taken")).toBe("name");
    expect(fieldForError("pgpass_no_match")).toBe("password");
  });

  it("puts a rejected pattern under the list its message names", () => {
    expect(fieldForError("invalid_pattern", 'The include pattern "[a" is not a database name pattern.')).toBe("include");
    expect(fieldForError("invalid_pattern", 'The exclude pattern "[a" is not a database name pattern.')).toBe("exclude");
    expect(fieldForError("invalid_pattern", "101 exclude patterns are too many.")).toBe("exclude");
    expect(fieldForError("invalid_pattern", "101 include patterns are too many.")).toBe("include");
  });

  it("leaves connection and keyring failures to the whole form", () => {
    for (const code of [
      "wrong_password",
      "database_not_found",
      "role_not_found",
      "connection_refused",
      "host_not_found",
      "connect_timeout",
      "tls_required",
      "keyring_locked",
      "connection_not_found",
      "invalid_something_else",
      "invalid_",
    ]) {
      expect(fieldForError(code)).toBeNull();
    }
  });
});

describe("versions and addresses", () => {
  it("formats a tested version", () => {
    expect(formatVersion({ version: "16.4", number: 160004, major: 16 })).toBe("PostgreSQL 16.4 (major 16)");
    expect(formatVersion({ version: "9.6.24", number: 90624, major: 9 })).toBe("PostgreSQL 9.6.24 (major 9)");
  });

  it("labels the list's version column", () => {
    expect(versionLabel({ serverVersion: "17.2" })).toBe("PostgreSQL 17.2");
    expect(versionLabel({ serverVersion: null })).toBe("Not tested");
  });

  it("writes host:port, bracketing IPv6 addresses", () => {
    expect(endpoint({ host: "db.example.com", port: 5432 })).toBe("db.example.com:5432");
    expect(endpoint({ host: "::1", port: 5433 })).toBe("[::1]:5433");
    expect(endpoint({ host: "/var/run/postgresql", port: 5432 })).toBe("/var/run/postgresql:5432");
  });

  it("offers the five libpq TLS modes, each with a hint", () => {
    expect(SSL_MODES.map((m) => m.mode)).toEqual(["disable", "prefer", "require", "verify-ca", "verify-full"]);
    for (const m of SSL_MODES) {
      expect(m.short.length).toBeGreaterThan(0);
      expect(m.hint.length).toBeGreaterThan(0);
    }
  });
});
