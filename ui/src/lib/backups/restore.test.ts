import { describe, expect, it } from "vitest";
import { backupRecord, savedConnection } from "../../test/fixtures";
import {
  appendLine,
  buildRestoreRequest,
  canClean,
  defaultRestoreForm,
  fieldForRestoreError,
  restoreOutcomeText,
  withConnection,
  type RestoreFormState,
} from "./restore";

const production = savedConnection();
const staging = savedConnection({ id: 2, name: "staging", database: "shop" });
const connections = [production, staging];
const backup = backupRecord({ id: 12, connectionId: 2 });

describe("defaultRestoreForm", () => {
  it("targets the backup's connection, into a new <database>_restored, without owners", () => {
    expect(defaultRestoreForm(backup, connections)).toEqual({
      connectionId: "2",
      mode: "new",
      database: "shop_restored",
      allowNonEmpty: false,
      clean: false,
      noOwner: true,
      singleTransaction: false,
    });
  });

  it("falls back to the first connection when the backup's is gone, and to none", () => {
    expect(defaultRestoreForm(backupRecord({ connectionId: 9 }), connections)).toMatchObject({
      connectionId: "1",
      database: "app_restored",
    });
    expect(defaultRestoreForm(backup, [])).toMatchObject({ connectionId: "", database: "" });
  });
});

describe("withConnection", () => {
  it("moves an offered name to the new connection's database, and keeps a typed one", () => {
    const offered = defaultRestoreForm(backup, connections);
    expect(withConnection(offered, "1", connections).database).toBe("app_restored");
    const typed = { ...offered, database: "scratch" };
    expect(withConnection(typed, "1", connections)).toMatchObject({ connectionId: "1", database: "scratch" });
  });
});

describe("buildRestoreRequest", () => {
  const base: RestoreFormState = defaultRestoreForm(backup, connections);

  it("creates a new database with the typed name", () => {
    const built = buildRestoreRequest(backup, { ...base, database: "  shop_copy ", singleTransaction: true, clean: true });
    expect(built).toEqual({
      request: {
        backupId: 12,
        connectionId: 2,
        database: "shop_copy",
        create: true,
        // Nothing to drop in a new database; nor to allow.
        clean: false,
        noOwner: true,
        singleTransaction: true,
        allowNonEmpty: false,
      },
    });
  });

  it("restores into the connection's own database with allow and clean", () => {
    const built = buildRestoreRequest(backup, {
      ...base,
      mode: "existing",
      database: "ignored",
      allowNonEmpty: true,
      clean: true,
      noOwner: false,
    });
    expect(built).toEqual({
      request: {
        backupId: 12,
        connectionId: 2,
        database: null,
        create: false,
        clean: true,
        noOwner: false,
        singleTransaction: false,
        allowNonEmpty: true,
      },
    });
  });

  it("never sends clean for a plain SQL backup", () => {
    const plain = backupRecord({ id: 3, format: "plain" });
    expect(canClean("plain")).toBe(false);
    expect(canClean("custom")).toBe(true);
    const built = buildRestoreRequest(plain, { ...base, mode: "existing", clean: true });
    expect("request" in built && built.request.clean).toBe(false);
  });

  it("asks for a name and a connection before sending", () => {
    expect(buildRestoreRequest(backup, { ...base, database: "  " })).toEqual({
      field: "database",
      message: "Enter a name for the new database.",
    });
    expect(buildRestoreRequest(backup, { ...base, connectionId: "" })).toMatchObject({ field: "connection" });
  });
});

describe("restore texts", () => {
  it("maps the backend's codes to the fields they are about", () => {
    expect(fieldForRestoreError("invalid_database")).toBe("database");
    expect(fieldForRestoreError("database_not_empty")).toBe("allowNonEmpty");
    expect(fieldForRestoreError("invalid_clean")).toBe("clean");
    expect(fieldForRestoreError("restore_failed")).toBeNull();
    expect(fieldForRestoreError(null)).toBeNull();
  });

  it("says where, with what and how fast it restored", () => {
    expect(restoreOutcomeText({ database: "app_restored", created: true, tool: "postgres:17", seconds: 3.24 })).toBe(
      "Restored into app_restored with postgres:17 in 3.2 s",
    );
  });

  it("keeps the last eight progress lines", () => {
    let lines: string[] = [];
    for (let i = 1; i <= 10; i++) lines = appendLine(lines, `line ${i}`);
    expect(lines).toHaveLength(8);
    expect(lines[0]).toBe("line 3");
    expect(lines[7]).toBe("line 10");
  });
});
