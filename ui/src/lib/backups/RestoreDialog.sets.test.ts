// The restore dialog for a server set: the whole server (backupRestoreSet), or one database of
// it (backupRestore with its part).
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { commands, type Backup, type SetRestoreOutcome } from "../bindings";
import { deferred } from "../../test/deferred";
import { emit, listeners } from "../../test/events";
import { savedConnection, serverConnection, serverSetRecord } from "../../test/fixtures";
import RestoreDialog from "./RestoreDialog.svelte";

vi.mock("../bindings", () => ({
  EVENTS: { backup: "backup", schedules: "schedules", restore: "restore" },
  commands: {
    backupRestore: vi.fn(),
    backupRestoreSet: vi.fn(),
    backupRestoreCancel: vi.fn(),
  },
}));

vi.mock("@tauri-apps/api/event", () => import("../../test/events"));

const api = vi.mocked(commands);
const production = savedConnection();
const cluster = serverConnection();

const restored: SetRestoreOutcome = {
  databases: ["app", "shop", "shop_eu", "analytics"].map((database) => ({
    database,
    created: true,
    tool: "postgres:16",
    seconds: 2,
  })),
  rolesCreated: ["app_rw"],
  rolesKept: ["postgres", "reporting"],
  globalsWarnings: ["CREATE TABLESPACE fast LOCATION '/mnt/ssd': directory does not exist"],
  seconds: 9.5,
};

function byId(id: string) {
  return screen.getByTestId(id);
}

function checkbox(id: string) {
  return byId(id) as HTMLInputElement;
}

function open(backup: Backup = serverSetRecord()) {
  const onclose = vi.fn();
  render(RestoreDialog, { backup, connections: [production, cluster], onclose });
  return onclose;
}

beforeEach(() => {
  vi.resetAllMocks();
  listeners.clear();
});

describe("Restore dialog for a server set", () => {
  it("starts on the whole server, creating missing roles, replacing nothing", () => {
    open();
    const dialog = screen.getByRole("dialog", { name: "Restore backup" });
    expect(dialog.textContent).toContain("Server set · 4 of 5 databases");
    expect(checkbox("restore-set-whole").checked).toBe(true);
    expect(document.activeElement).toBe(byId("restore-set-whole"));
    expect((byId("restore-connection") as HTMLSelectElement).value).toBe("3");
    expect(checkbox("restore-globals").checked).toBe(true);
    expect(checkbox("restore-force").checked).toBe(false);
    expect(screen.getByText(/is refused, and nothing changes/)).toBeTruthy();
    expect(screen.getByText(/created roles get none/)).toBeTruthy();
    // One database's fields belong to the other choice.
    expect(screen.queryByTestId("restore-database")).toBeNull();
    expect(screen.queryByTestId("restore-part")).toBeNull();
    expect(byId("restore-start").textContent?.trim()).toBe("Restore server");
  });

  it("warns before replacing, sends backupRestoreSet, shows the lines, then what it did", async () => {
    open();
    await waitFor(() => expect(listeners.has("restore")).toBe(true));
    await fireEvent.click(byId("restore-force"));
    const warning = byId("restore-force-warning");
    expect(warning.textContent).toContain("app, shop, shop_eu, analytics");
    expect(warning.textContent).toContain("cannot be undone");
    expect(checkbox("restore-force").getAttribute("aria-describedby")).toContain("restore-force-warning");

    const answer = deferred<SetRestoreOutcome>();
    api.backupRestoreSet.mockReturnValueOnce(answer.promise);
    await fireEvent.click(byId("restore-start"));
    expect(api.backupRestoreSet).toHaveBeenCalledExactlyOnceWith({ backupId: 20, connectionId: 3, globals: true, force: true });
    expect(api.backupRestore).not.toHaveBeenCalled();

    emit("restore", "Creating the roles the server lacks…");
    emit("restore", "Restoring the database app…");
    await waitFor(() => expect(byId("restore-progress-lines").textContent).toContain("Restoring the database app…"));

    answer.resolve(restored);
    const result = await screen.findByTestId("restore-result");
    expect(result.dataset.state).toBe("done");
    expect(byId("restore-set-summary").textContent).toBe("Restored 4 databases in 9.5 s: app, shop, shop_eu, analytics");
    expect(byId("restore-set-roles").textContent).toBe("Created 1 role: app_rw. Kept 2 roles the server had: postgres, reporting.");
    expect(within(result).getAllByTestId("restore-set-database")).toHaveLength(4);
    expect(byId("restore-set-warnings").textContent).toContain("CREATE TABLESPACE fast");
  });

  it("leaves the roles alone when Create missing roles is off", async () => {
    open();
    await fireEvent.click(byId("restore-globals"));
    api.backupRestoreSet.mockResolvedValueOnce({ ...restored, rolesCreated: [], rolesKept: [], globalsWarnings: [] });
    await fireEvent.click(byId("restore-start"));
    expect(api.backupRestoreSet).toHaveBeenCalledWith({ backupId: 20, connectionId: 3, globals: false, force: false });
    expect((await screen.findByTestId("restore-set-roles")).textContent).toContain("Roles were not restored");
    expect(screen.queryByTestId("restore-set-warnings")).toBeNull();
  });

  it("offers no roles for a set without globals", async () => {
    open(serverSetRecord({ globals: null }));
    expect(checkbox("restore-globals").disabled).toBe(true);
    expect(checkbox("restore-globals").checked).toBe(false);
    api.backupRestoreSet.mockResolvedValueOnce(restored);
    await fireEvent.click(byId("restore-start"));
    expect(api.backupRestoreSet).toHaveBeenCalledWith(expect.objectContaining({ globals: false }));
  });

  it("shows a server that has the set's databases at Replace databases that exist", async () => {
    open();
    const message = "The server already has 2 of the set's databases: app, shop.";
    api.backupRestoreSet.mockRejectedValueOnce({ code: "database_not_empty", message });
    await fireEvent.click(byId("restore-start"));

    const error = await screen.findByTestId("restore-force-error");
    expect(error.textContent).toContain(message);
    expect(checkbox("restore-force").getAttribute("aria-invalid")).toBe("true");
    expect(checkbox("restore-force").getAttribute("aria-describedby")).toContain("restore-force-error");
    await waitFor(() => expect(document.activeElement).toBe(byId("restore-force")));
    expect(screen.queryByTestId("restore-result")).toBeNull();

    await fireEvent.click(byId("restore-force"));
    expect(screen.queryByTestId("restore-force-error")).toBeNull();
  });

  it("cancels a whole set's restore with the restore's Cancel", async () => {
    open();
    const answer = deferred<SetRestoreOutcome>();
    api.backupRestoreSet.mockReturnValueOnce(answer.promise);
    api.backupRestoreCancel.mockResolvedValueOnce(true);
    await fireEvent.click(byId("restore-start"));
    await fireEvent.click(byId("restore-cancel"));
    expect(api.backupRestoreCancel).toHaveBeenCalledTimes(1);
    answer.reject({ code: "restore_cancelled", message: "The set's restore was cancelled." });
    expect((await screen.findByTestId("restore-result")).textContent).toContain("Restore cancelled:");
  });

  it("restores one database: only dumped ones offered, its name as the new database's, its part sent", async () => {
    open();
    await fireEvent.click(byId("restore-set-one"));
    const select = byId("restore-part") as HTMLSelectElement;
    expect(Array.from(select.options, (o) => o.value)).toEqual(["app", "shop", "shop_eu", "analytics"]);
    expect(select.value).toBe("app");
    expect(screen.getByLabelText("Database of the set")).toBe(select);
    expect(checkbox("restore-mode-new").checked).toBe(true);
    expect((byId("restore-database") as HTMLInputElement).value).toBe("app");
    expect(screen.queryByTestId("restore-force")).toBeNull();
    expect(byId("restore-start").textContent?.trim()).toBe("Restore");

    await fireEvent.change(select, { target: { value: "shop" } });
    expect((byId("restore-database") as HTMLInputElement).value).toBe("shop");

    api.backupRestore.mockResolvedValueOnce({ database: "shop", created: true, tool: "postgres:16", seconds: 2 });
    await fireEvent.click(byId("restore-start"));
    expect(api.backupRestore).toHaveBeenCalledExactlyOnceWith({
      backupId: 20,
      connectionId: 3,
      database: "shop",
      create: true,
      clean: false,
      noOwner: true,
      singleTransaction: false,
      allowNonEmpty: false,
      part: "shop",
    });
    expect(api.backupRestoreSet).not.toHaveBeenCalled();
    expect((await screen.findByTestId("restore-result")).textContent).toContain("Restored into shop with postgres:16");
  });

  it("keeps a typed name when another database of the set is chosen", async () => {
    open();
    await fireEvent.click(byId("restore-set-one"));
    await fireEvent.input(byId("restore-database"), { target: { value: "app_copy" } });
    await fireEvent.change(byId("restore-part"), { target: { value: "analytics" } });
    expect((byId("restore-database") as HTMLInputElement).value).toBe("app_copy");
    api.backupRestore.mockResolvedValueOnce({ database: "app_copy", created: true, tool: "postgres:16", seconds: 1 });
    await fireEvent.click(byId("restore-start"));
    expect(api.backupRestore).toHaveBeenCalledWith(expect.objectContaining({ database: "app_copy", part: "analytics" }));
  });
});
