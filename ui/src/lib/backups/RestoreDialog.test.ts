import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { commands, type RestoreOutcome } from "../bindings";
import { deferred } from "../../test/deferred";
import { emit, listeners } from "../../test/events";
import { backupRecord, savedConnection } from "../../test/fixtures";
import RestoreDialog from "./RestoreDialog.svelte";

vi.mock("../bindings", () => ({
  EVENTS: { backup: "backup", schedules: "schedules", restore: "restore" },
  commands: {
    backupRestore: vi.fn(),
    backupRestoreCancel: vi.fn(),
  },
}));

// The test plays the backend's events.
vi.mock("@tauri-apps/api/event", () => import("../../test/events"));

const api = vi.mocked(commands);
const production = savedConnection();
const staging = savedConnection({ id: 2, name: "staging", database: "shop", host: "staging.example.com" });
const backup = backupRecord({ id: 12, connectionId: 2 });

function byId(id: string) {
  return screen.getByTestId(id);
}

function checkbox(id: string) {
  return byId(id) as HTMLInputElement;
}

function progress(line: string) {
  emit("restore", line);
}

function open(props: Partial<{ backup: typeof backup; onclose: () => void }> = {}) {
  const onclose = props.onclose ?? vi.fn();
  render(RestoreDialog, { backup: props.backup ?? backup, connections: [production, staging], onclose });
  return onclose;
}

beforeEach(() => {
  vi.resetAllMocks();
  listeners.clear();
});

describe("Restore dialog", () => {
  it("starts on the backup's connection, into a new <database>_restored, without owners", async () => {
    open();
    expect(screen.getByRole("dialog", { name: "Restore backup" })).toBeTruthy();
    const connection = byId("restore-connection") as HTMLSelectElement;
    expect(document.activeElement).toBe(connection);
    expect(connection.value).toBe("2");
    expect(checkbox("restore-mode-new").checked).toBe(true);
    expect((byId("restore-database") as HTMLInputElement).value).toBe("shop_restored");
    expect(screen.getByLabelText("Name of the new database")).toBe(byId("restore-database"));
    expect(checkbox("restore-no-owner").checked).toBe(true);
    expect(checkbox("restore-single-transaction").checked).toBe(false);
    // Allow and clean belong to restoring into the existing database.
    expect(screen.queryByTestId("restore-allow-non-empty")).toBeNull();

    // Another connection: the offered name follows its database.
    await fireEvent.change(connection, { target: { value: "1" } });
    expect((byId("restore-database") as HTMLInputElement).value).toBe("app_restored");
  });

  it("sends the request, shows the last progress lines with Cancel, then the outcome", async () => {
    open();
    await waitFor(() => expect(listeners.has("restore")).toBe(true));
    await fireEvent.input(byId("restore-database"), { target: { value: "shop_copy" } });
    await fireEvent.click(byId("restore-single-transaction"));
    const answer = deferred<RestoreOutcome>();
    api.backupRestore.mockReturnValueOnce(answer.promise);
    await fireEvent.click(byId("restore-start"));

    expect(api.backupRestore).toHaveBeenCalledExactlyOnceWith({
      backupId: 12,
      connectionId: 2,
      database: "shop_copy",
      create: true,
      clean: false,
      noOwner: true,
      singleTransaction: true,
      allowNonEmpty: false,
    });
    expect(byId("restore-progress").textContent).toContain("Restoring…");
    expect((byId("restore-start") as HTMLButtonElement).disabled).toBe(true);
    // The whole form is disabled while it runs.
    expect(byId("restore-database").matches(":disabled")).toBe(true);

    for (let i = 1; i <= 10; i++) progress(`pg_restore: processing item ${i}`);
    await waitFor(() => expect(byId("restore-progress-lines").textContent).toContain("processing item 10"));
    const shown = byId("restore-progress-lines").textContent!.split("\n");
    expect(shown).toHaveLength(8);
    expect(shown[0]).toBe("pg_restore: processing item 3");

    answer.resolve({ database: "shop_copy", created: true, tool: "postgres:17", seconds: 3.2 });
    const result = await screen.findByTestId("restore-result");
    expect(result.dataset.state).toBe("done");
    expect(result.textContent).toContain("Restored into shop_copy with postgres:17 in 3.2 s");
    expect(screen.queryByTestId("restore-progress")).toBeNull();
  });

  it("cancels a running restore, and the dialog stays until it has stopped", async () => {
    const onclose = open();
    const answer = deferred<RestoreOutcome>();
    api.backupRestore.mockReturnValueOnce(answer.promise);
    api.backupRestoreCancel.mockResolvedValueOnce(true);
    await fireEvent.click(byId("restore-start"));

    // Escape does not walk away from a running restore.
    await fireEvent.keyDown(window, { key: "Escape" });
    expect(onclose).not.toHaveBeenCalled();

    await fireEvent.click(byId("restore-cancel"));
    expect(api.backupRestoreCancel).toHaveBeenCalledTimes(1);
    expect(byId("restore-cancel").textContent?.trim()).toBe("Cancelling…");

    answer.reject({ code: "restore_cancelled", message: "The restore was cancelled." });
    const result = await screen.findByTestId("restore-result");
    expect(result.dataset.state).toBe("failed");
    expect(result.textContent).toContain("Restore cancelled:");

    await fireEvent.click(byId("restore-close"));
    expect(onclose).toHaveBeenCalledTimes(1);
  });

  it("restores into the connection's database with allow and clean, and shows not-empty next to allow", async () => {
    open();
    await fireEvent.click(byId("restore-mode-existing"));
    expect(screen.queryByTestId("restore-database")).toBeNull();
    expect(screen.getByTestId("restore-mode-existing").closest("label")?.textContent).toContain("shop");

    api.backupRestore.mockRejectedValueOnce({
      code: "database_not_empty",
      message: "The database shop already holds 12 tables. Restore into a new database (create), or confirm restoring into this one (allow non-empty).",
    });
    await fireEvent.click(byId("restore-start"));
    expect(api.backupRestore).toHaveBeenLastCalledWith(
      expect.objectContaining({ database: null, create: false, allowNonEmpty: false, clean: false }),
    );
    const error = await screen.findByTestId("restore-allow-non-empty-error");
    expect(error.textContent).toContain("already holds 12 tables");
    expect(checkbox("restore-allow-non-empty").getAttribute("aria-describedby")).toContain("restore-allow-non-empty-error");
    await waitFor(() => expect(document.activeElement).toBe(byId("restore-allow-non-empty")));
    expect(screen.queryByTestId("restore-result")).toBeNull();

    await fireEvent.click(byId("restore-allow-non-empty"));
    expect(screen.queryByTestId("restore-allow-non-empty-error")).toBeNull();
    await fireEvent.click(byId("restore-clean"));
    await fireEvent.click(byId("restore-single-transaction"));
    api.backupRestore.mockResolvedValueOnce({ database: "shop", created: false, tool: "postgres:16", seconds: 12 });
    await fireEvent.click(byId("restore-start"));
    expect(api.backupRestore).toHaveBeenLastCalledWith({
      backupId: 12,
      connectionId: 2,
      database: null,
      create: false,
      clean: true,
      noOwner: true,
      singleTransaction: true,
      allowNonEmpty: true,
    });
    expect((await screen.findByTestId("restore-result")).textContent).toContain("Restored into shop with postgres:16 in 12.0 s");
  });

  it("shows a database that exists already under its name", async () => {
    open();
    api.backupRestore.mockRejectedValueOnce({
      code: "invalid_database",
      message: "The database shop_restored exists already. Choose a new name, or restore into it without create.",
    });
    await fireEvent.click(byId("restore-start"));
    const error = await screen.findByTestId("restore-database-error");
    expect(error.textContent).toContain("exists already");
    expect(byId("restore-database").getAttribute("aria-invalid")).toBe("true");
    await waitFor(() => expect(document.activeElement).toBe(byId("restore-database")));

    await fireEvent.input(byId("restore-database"), { target: { value: "shop_restored_2" } });
    expect(screen.queryByTestId("restore-database-error")).toBeNull();
  });

  it("asks for a name without asking the backend", async () => {
    open();
    await fireEvent.input(byId("restore-database"), { target: { value: " " } });
    await fireEvent.click(byId("restore-start"));
    expect((await screen.findByTestId("restore-database-error")).textContent).toContain("Enter a name");
    expect(api.backupRestore).not.toHaveBeenCalled();
  });

  it("offers no clean for a plain SQL backup", async () => {
    open({ backup: backupRecord({ id: 5, connectionId: 2, format: "plain" }) });
    await fireEvent.click(byId("restore-mode-existing"));
    expect(checkbox("restore-clean").disabled).toBe(true);
    expect(screen.getByText(/cannot drop objects first/)).toBeTruthy();
  });

  it("shows a failed restore with its last lines", async () => {
    open();
    const answer = deferred<RestoreOutcome>();
    api.backupRestore.mockReturnValueOnce(answer.promise);
    await fireEvent.click(byId("restore-start"));
    await waitFor(() => expect(listeners.has("restore")).toBe(true));
    progress("pg_restore: error: could not execute query: ERROR: role \"app\" does not exist");
    answer.reject({ code: "restore_failed", message: "pg_restore failed (exit status 1). Check the lines above." });

    const result = await screen.findByTestId("restore-result");
    expect(result.dataset.state).toBe("failed");
    expect(result.textContent).toContain("Restore failed: pg_restore failed (exit status 1).");
    expect(result.textContent).toContain('role "app" does not exist');
    // The form can be changed and the restore tried again.
    expect((byId("restore-start") as HTMLButtonElement).disabled).toBe(false);
  });
});
