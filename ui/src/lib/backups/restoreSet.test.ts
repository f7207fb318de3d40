import { describe, expect, it } from "vitest";
import type { SetRestoreOutcome } from "../bindings";
import { backupRecord, savedConnection, serverSetRecord } from "../../test/fixtures";
import {
  buildRestoreRequest,
  defaultRestoreForm,
  withConnection,
  withPart,
} from "./restore";
import {
  buildSetRestoreRequest,
  defaultSetChoice,
  fieldForSetRestoreError,
  rolesText,
  setRestoreOutcomeText,
} from "./restoreSet";
import { completedParts, hasUsableFile, setBadge, setSummary } from "./sets";

const set = serverSetRecord();
const connections = [savedConnection(), savedConnection({ id: 3, name: "cluster", database: "postgres" })];

const outcome = (overrides: Partial<SetRestoreOutcome> = {}): SetRestoreOutcome => ({
  databases: [
    { database: "app", created: true, tool: "postgres:16", seconds: 1.5 },
    { database: "shop", created: true, tool: "postgres:16", seconds: 2.25 },
  ],
  rolesCreated: ["app_rw", "reporting"],
  rolesKept: ["postgres"],
  globalsWarnings: [],
  seconds: 4.2,
  ...overrides,
});

describe("a set in words", () => {
  it("counts the databases dumped of all it tried", () => {
    expect(setSummary(set)).toBe("Server set · 4 of 5 databases");
    expect(setBadge(set)).toBe("Set · 4 of 5");
    expect(completedParts(set).map((p) => p.database)).toEqual(["app", "shop", "shop_eu", "analytics"]);
  });

  it("counts a partial set's folder as usable, unlike a failed backup", () => {
    expect(hasUsableFile(set)).toBe(true);
    expect(hasUsableFile(backupRecord({ status: "partial" }))).toBe(false);
    expect(hasUsableFile(serverSetRecord({ status: "failed" }))).toBe(false);
    expect(hasUsableFile(backupRecord())).toBe(true);
  });
});

describe("restoring a whole set", () => {
  it("starts with the whole server, its missing roles created, nothing replaced", () => {
    expect(defaultSetChoice(set)).toEqual({ whole: true, part: "app", globals: true, force: false });
    expect(defaultSetChoice(serverSetRecord({ globals: null })).globals).toBe(false);
  });

  it("sends the connection, the roles and force as chosen", () => {
    const choice = { ...defaultSetChoice(set), force: true };
    expect(buildSetRestoreRequest(set, "3", choice)).toEqual({
      request: { backupId: 20, connectionId: 3, globals: true, force: true },
    });
    // No globals in the set: none asked for, whatever the checkbox held.
    expect(buildSetRestoreRequest(serverSetRecord({ globals: null }), "3", choice)).toMatchObject({
      request: { globals: false },
    });
    expect(buildSetRestoreRequest(set, "", choice)).toMatchObject({ field: "connection" });
  });

  it("puts a server that has the set's databases at Replace, and a missing connection at its select", () => {
    expect(fieldForSetRestoreError("database_not_empty")).toBe("force");
    expect(fieldForSetRestoreError("connection_not_found")).toBe("connection");
    expect(fieldForSetRestoreError("restore_failed")).toBeNull();
  });

  it("says what was restored and what became of the roles", () => {
    expect(setRestoreOutcomeText(outcome())).toBe("Restored 2 databases in 4.2 s: app, shop");
    expect(rolesText(outcome(), true)).toBe("Created 2 roles: app_rw, reporting. Kept 1 role the server had: postgres.");
    expect(rolesText(outcome({ rolesCreated: [], rolesKept: [] }), true)).toBe("The set's globals created no role.");
    expect(rolesText(outcome(), false)).toBe("Roles were not restored: the server's roles are as they were.");
  });
});

describe("restoring one database of a set", () => {
  it("offers the database's own name, and follows the chosen database while left as offered", () => {
    const form = defaultRestoreForm(set, connections, "app");
    expect(form).toMatchObject({ connectionId: "3", mode: "new", database: "app" });
    expect(withPart(form, "app", "shop").database).toBe("shop");
    expect(withPart({ ...form, database: "scratch" }, "app", "shop").database).toBe("scratch");
    // Another connection keeps the part's name rather than offering <database>_restored.
    expect(withConnection(form, "1", connections, "app").database).toBe("app");
  });

  it("names the part in the request; one database's request has no part", () => {
    const form = defaultRestoreForm(set, connections, "shop_eu");
    expect(buildRestoreRequest(set, form, "shop_eu")).toEqual({
      request: {
        backupId: 20,
        connectionId: 3,
        database: "shop_eu",
        create: true,
        clean: false,
        noOwner: true,
        singleTransaction: false,
        allowNonEmpty: false,
        part: "shop_eu",
      },
    });
    const single = buildRestoreRequest(backupRecord(), defaultRestoreForm(backupRecord(), connections));
    expect("request" in single && "part" in single.request).toBe(false);
  });
});
