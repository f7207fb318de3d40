import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { commands, type Backup, type Connection, type DatabaseChoice, type ServerVersion } from "../bindings";
import { running } from "../backups/running.svelte";
import { deferred } from "../../test/deferred";
import { backupRecord, savedConnection, serverConnection, serverSetRecord } from "../../test/fixtures";
import Connections from "./Connections.svelte";

vi.mock("../bindings", () => ({
  commands: {
    connectionList: vi.fn(),
    connectionGet: vi.fn(),
    connectionCreate: vi.fn(),
    connectionUpdate: vi.fn(),
    connectionDelete: vi.fn(),
    connectionRemovalPreview: vi.fn(),
    connectionTest: vi.fn(),
    connectionTestInput: vi.fn(),
    connectionDatabasesInput: vi.fn(),
    connectionParseUri: vi.fn(),
    connectionPgpassEntries: vi.fn(),
    backupRun: vi.fn(),
    backupCancel: vi.fn(),
  },
}));

const api = vi.mocked(commands);

const production = savedConnection();
const staging = savedConnection({
  id: 2,
  name: "staging",
  host: "localhost",
  port: 5433,
  database: "shop",
  username: "ada",
  sslmode: "prefer",
  serverVersion: null,
  majorVersion: null,
});

const ONE_DATABASE = { allDatabases: false, include: [], exclude: [] };

const v16: ServerVersion = { version: "16.4", number: 160004, major: 16 };

beforeEach(() => {
  vi.resetAllMocks();
  running.reset();
  api.connectionList.mockResolvedValue([production, staging]);
  api.connectionPgpassEntries.mockResolvedValue([]);
});

function byId(id: string) {
  return screen.getByTestId(id);
}

function row(name: string) {
  const found = screen.getAllByTestId("connection-row").find((r) => r.dataset.name === name);
  if (!found) throw new Error(`no row named ${name}`);
  return found;
}

function type(id: string, value: string) {
  return fireEvent.input(byId(id), { target: { value } });
}

async function openCreateForm() {
  render(Connections);
  await screen.findAllByTestId("connection-row");
  await fireEvent.click(byId("connections-add"));
  return byId("connection-form");
}

async function fillNewConnection() {
  await type("field-name", "reporting");
  await type("field-host", "10.1.2.3");
  await type("field-port", "6432");
  await type("field-database", "reports");
  await type("field-username", "reader");
}

describe("Connections list", () => {
  it("lists each saved connection with its address, database, user, TLS mode and version", async () => {
    render(Connections);
    expect(byId("page-title").textContent).toBe("Connections");

    const rows = await screen.findAllByTestId("connection-row");
    expect(rows.map((r) => r.dataset.name)).toEqual(["production", "staging"]);

    const prod = within(row("production"));
    expect(prod.getByTestId("connection-endpoint").textContent).toBe("db.example.com:5432");
    expect(prod.getByTestId("connection-database").textContent).toBe("app");
    expect(prod.getByTestId("connection-username").textContent).toBe("backup");
    expect(prod.getByTestId("connection-sslmode").textContent).toBe("require");
    expect(prod.getByTestId("connection-version").textContent).toBe("PostgreSQL 16.4");

    const stage = within(row("staging"));
    expect(stage.getByTestId("connection-endpoint").textContent).toBe("localhost:5433");
    expect(stage.getByTestId("connection-version").textContent).toBe("Not tested");
    expect(screen.queryByTestId("empty-state")).toBeNull();
  });

  it("shows the empty state with an Add connection button that opens the form", async () => {
    api.connectionList.mockResolvedValue([]);
    render(Connections);

    const empty = await screen.findByTestId("empty-state");
    expect(empty.textContent).toContain("No connections yet");
    expect(screen.queryByTestId("connection-form")).toBeNull();

    await fireEvent.click(within(empty).getByRole("button", { name: /Add connection/ }));
    expect(byId("connection-form")).toBeTruthy();
  });

  it("says why the list could not be loaded and tries again", async () => {
    api.connectionList.mockRejectedValueOnce({ code: "store_unavailable", message: "The app database is locked." });
    render(Connections);

    const error = await screen.findByTestId("connections-error");
    expect(error.textContent).toContain("The app database is locked.");
    expect(error.textContent).toContain("store_unavailable");

    await fireEvent.click(byId("connections-retry"));
    await screen.findAllByTestId("connection-row");
    expect(screen.queryByTestId("connections-error")).toBeNull();
  });

  it("tests a row inline, then reloads the list to show the stored version", async () => {
    render(Connections);
    await screen.findAllByTestId("connection-row");

    const answer = deferred<ServerVersion>();
    api.connectionTest.mockReturnValueOnce(answer.promise);
    api.connectionList.mockResolvedValue([production, { ...staging, serverVersion: "16.4", majorVersion: 16 }]);
    await fireEvent.click(within(row("staging")).getByTestId("connection-test"));

    const result = within(row("staging")).getByTestId("connection-test-result");
    expect(result.dataset.state).toBe("running");
    expect(api.connectionTest).toHaveBeenCalledWith(2);

    answer.resolve(v16);
    await waitFor(() => expect(within(row("staging")).getByTestId("connection-test-result").dataset.state).toBe("ok"));
    expect(within(row("staging")).getByTestId("connection-test-result").textContent?.trim()).toBe(
      "Connected: PostgreSQL 16.4",
    );
    await waitFor(() =>
      expect(within(row("staging")).getByTestId("connection-version").textContent).toBe("PostgreSQL 16.4"),
    );
    // The other row has no result of its own.
    expect(within(row("production")).queryByTestId("connection-test-result")).toBeNull();
  });

  it("shows a failed row test's message with data-state error", async () => {
    render(Connections);
    await screen.findAllByTestId("connection-row");
    const message =
      "Nothing accepts connections at db.example.com:5432 (connection refused). Check that PostgreSQL is running.";
    api.connectionTest.mockRejectedValueOnce({ code: "connection_refused", message });

    await fireEvent.click(within(row("production")).getByTestId("connection-test"));

    const result = await within(row("production")).findByTestId("connection-test-result");
    await waitFor(() => expect(result.dataset.state).toBe("error"));
    expect(result.textContent).toContain(message);
  });

  it("asks for confirmation in the row before deleting", async () => {
    render(Connections);
    await screen.findAllByTestId("connection-row");
    api.connectionDelete.mockResolvedValue({ connectionId: 2, keptBackups: 0, deletedBackups: 0 });
    api.connectionRemovalPreview.mockResolvedValue({ connectionId: 2, name: "staging", backups: 0, bytes: 0 });

    await fireEvent.click(within(row("staging")).getByTestId("connection-delete"));
    expect(api.connectionDelete).not.toHaveBeenCalled();
    const confirm = within(row("staging")).getByTestId("connection-delete-confirm");
    expect(row("staging").textContent).toContain("Delete staging?");

    // Cancel leaves it in place.
    await fireEvent.click(within(row("staging")).getByTestId("connection-delete-cancel"));
    expect(within(row("staging")).queryByTestId("connection-delete-confirm")).toBeNull();
    expect(api.connectionDelete).not.toHaveBeenCalled();
    expect(confirm.isConnected).toBe(false);

    // Ask again and confirm.
    await fireEvent.click(within(row("staging")).getByTestId("connection-delete"));
    api.connectionList.mockResolvedValue([production]);
    await fireEvent.click(within(row("staging")).getByTestId("connection-delete-confirm"));

    expect(api.connectionDelete).toHaveBeenCalledTimes(1);
    expect(api.connectionDelete).toHaveBeenCalledWith(2, false);
    await waitFor(() => expect(screen.getAllByTestId("connection-row").map((r) => r.dataset.name)).toEqual(["production"]));
    expect(byId("connections-notice").textContent).toContain("Deleted “staging”.");
  });

  it("says how many backups and bytes a removal keeps, and deletes them only when asked", async () => {
    render(Connections);
    await screen.findAllByTestId("connection-row");
    api.connectionRemovalPreview.mockResolvedValue({ connectionId: 2, name: "staging", backups: 3, bytes: 3 * 1024 * 1024 });
    api.connectionDelete.mockResolvedValue({ connectionId: 2, keptBackups: 0, deletedBackups: 3 });

    await fireEvent.click(within(row("staging")).getByTestId("connection-delete"));
    await waitFor(() => expect(row("staging").textContent).toContain("Its 3 backups (3.0 MiB) stay listed under its name"));
    const choice = within(row("staging")).getByTestId("connection-delete-backups") as HTMLInputElement;
    expect(choice.checked).toBe(false);
    await fireEvent.click(choice);
    expect(row("staging").textContent).toContain("are deleted with their files");
    api.connectionList.mockResolvedValue([production]);
    await fireEvent.click(within(row("staging")).getByTestId("connection-delete-confirm"));
    expect(api.connectionDelete).toHaveBeenCalledWith(2, true);
  });

  it("closes the delete prompt with Escape without deleting", async () => {
    render(Connections);
    await screen.findAllByTestId("connection-row");
    await fireEvent.click(within(row("production")).getByTestId("connection-delete"));
    const cancel = within(row("production")).getByTestId("connection-delete-cancel");
    expect(document.activeElement).toBe(cancel);

    await fireEvent.keyDown(cancel, { key: "Escape" });
    expect(within(row("production")).queryByTestId("connection-delete-confirm")).toBeNull();
    expect(api.connectionDelete).not.toHaveBeenCalled();
  });
});

describe("Back up now", () => {
  const MiB = 1024 * 1024;

  async function clickBackup(name: string) {
    await fireEvent.click(within(row(name)).getByTestId("connection-backup"));
  }

  it("runs a backup of the row's connection, shows its live stage and progress, then the result", async () => {
    render(Connections);
    await screen.findAllByTestId("connection-row");
    const answer = deferred<Backup>();
    api.backupRun.mockReturnValueOnce(answer.promise);

    await clickBackup("production");
    expect(api.backupRun).toHaveBeenCalledExactlyOnceWith(1, null);
    const prod = within(row("production"));
    expect(prod.getByTestId("connection-backup-progress").textContent).toContain("Waiting to start…");
    expect((prod.getByTestId("connection-backup") as HTMLButtonElement).disabled).toBe(true);
    // Nothing to cancel until the backend says which backup it is.
    expect((prod.getByTestId("connection-backup-cancel") as HTMLButtonElement).disabled).toBe(true);

    running.handle({ kind: "started", backupId: 42, connectionId: 1 });
    running.handle({ kind: "stage", backupId: 42, text: "Dumping with pg_dump 16.4 (postgres:16)" });
    running.handle({ kind: "progress", backupId: 42, bytes: 12 * MiB, elapsedMs: 4000, bytesPerSecond: 3 * MiB });
    await waitFor(() =>
      expect(prod.getByTestId("connection-backup-stage").textContent?.trim()).toBe(
        "Dumping with pg_dump 16.4 (postgres:16)",
      ),
    );
    expect(prod.getByTestId("connection-backup-bytes").textContent).toBe("12.0 MiB written · 3.0 MiB/s · 4 s");
    expect((prod.getByTestId("connection-backup-cancel") as HTMLButtonElement).disabled).toBe(false);
    // The other row is not backing up.
    expect(within(row("staging")).queryByTestId("connection-backup-progress")).toBeNull();
    expect((within(row("staging")).getByTestId("connection-backup") as HTMLButtonElement).disabled).toBe(false);

    const done = backupRecord({ id: 42 });
    running.handle({ kind: "finished", backup: done });
    answer.resolve(done);
    const result = await prod.findByTestId("connection-backup-result");
    expect(result.dataset.state).toBe("completed");
    expect(result.textContent).toContain("Backed up: 1.2 MiB in 3 s");
    expect(prod.queryByTestId("connection-backup-progress")).toBeNull();
    expect((prod.getByTestId("connection-backup") as HTMLButtonElement).disabled).toBe(false);
  });

  it("shows a failed run's error message", async () => {
    render(Connections);
    await screen.findAllByTestId("connection-row");
    const message = "pg_dump: error: query failed: ERROR:  permission denied for table orders";
    api.backupRun.mockResolvedValueOnce(backupRecord({ status: "failed", errorMessage: message, sizeBytes: null }));

    await clickBackup("production");

    const result = await within(row("production")).findByTestId("connection-backup-result");
    expect(result.dataset.state).toBe("failed");
    expect(result.textContent).toContain(message);
  });

  it("shows why a run could not start", async () => {
    render(Connections);
    await screen.findAllByTestId("connection-row");
    api.backupRun.mockRejectedValueOnce({ code: "keyring_locked", message: "The system keyring is locked." });

    await clickBackup("staging");

    const result = await within(row("staging")).findByTestId("connection-backup-result");
    expect(result.dataset.state).toBe("failed");
    expect(result.textContent).toContain("The system keyring is locked.");
    expect(api.backupRun).toHaveBeenCalledWith(2, null);
  });

  it("cancels with the backup id from the started event", async () => {
    render(Connections);
    await screen.findAllByTestId("connection-row");
    const answer = deferred<Backup>();
    api.backupRun.mockReturnValueOnce(answer.promise);
    api.backupCancel.mockResolvedValueOnce(true);
    await clickBackup("staging");

    running.handle({ kind: "started", backupId: 77, connectionId: 2 });
    const cancel = within(row("staging")).getByTestId("connection-backup-cancel") as HTMLButtonElement;
    await waitFor(() => expect(cancel.disabled).toBe(false));
    await fireEvent.click(cancel);

    expect(api.backupCancel).toHaveBeenCalledExactlyOnceWith(77);
    await waitFor(() => expect(cancel.textContent?.trim()).toBe("Cancelling…"));

    const cancelled = backupRecord({ id: 77, connectionId: 2, status: "cancelled", sizeBytes: null, filePath: null });
    answer.resolve(cancelled);
    running.handle({ kind: "finished", backup: cancelled });
    const result = await within(row("staging")).findByTestId("connection-backup-result");
    expect(result.dataset.state).toBe("cancelled");
    expect(result.textContent).toContain("cancelled");
  });

  it("sends the format chosen under the options", async () => {
    render(Connections);
    await screen.findAllByTestId("connection-row");
    api.backupRun.mockResolvedValue(backupRecord({ format: "plain" }));
    const prod = within(row("production"));

    const toggle = prod.getByTestId("connection-backup-options");
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    await fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    await fireEvent.change(prod.getByTestId("connection-backup-format"), { target: { value: "plain" } });
    await clickBackup("production");

    expect(api.backupRun).toHaveBeenCalledWith(1, expect.objectContaining({ format: "plain", compression: { method: "auto" } }));
  });

  it("shows a run started elsewhere (tray, schedule) and how it ended", async () => {
    render(Connections);
    await screen.findAllByTestId("connection-row");

    running.handle({ kind: "started", backupId: 5, connectionId: 1 });
    running.handle({ kind: "stage", backupId: 5, text: "Checking the archive with pg_restore --list" });
    const prod = within(row("production"));
    await waitFor(() => expect(prod.getByTestId("connection-backup-stage").textContent).toContain("pg_restore --list"));
    expect((prod.getByTestId("connection-backup") as HTMLButtonElement).disabled).toBe(true);

    running.handle({ kind: "finished", backup: backupRecord({ id: 5, trigger: "tray" }) });
    const result = await prod.findByTestId("connection-backup-result");
    expect(result.dataset.state).toBe("completed");
    expect(api.backupRun).not.toHaveBeenCalled();
  });
});

describe("Connection form", () => {
  it("opens with the first field focused, port 5432 and TLS prefer", async () => {
    await openCreateForm();
    expect(document.activeElement).toBe(byId("field-name"));
    expect((byId("field-port") as HTMLInputElement).value).toBe("5432");
    expect((byId("field-sslmode") as HTMLSelectElement).value).toBe("prefer");
    expect((byId("field-password") as HTMLInputElement).type).toBe("password");
    expect((byId("field-sslmode") as HTMLSelectElement).options).toHaveLength(5);
  });

  it("creates with the typed password, then closes and reloads the list", async () => {
    await openCreateForm();
    await fillNewConnection();
    await type("field-password", "s3 cret");
    await fireEvent.change(byId("field-sslmode"), { target: { value: "verify-full" } });
    const created: Connection = savedConnection({ id: 3, name: "reporting" });
    api.connectionCreate.mockResolvedValueOnce(created);
    api.connectionList.mockResolvedValue([production, created, staging]);

    await fireEvent.click(byId("form-save"));

    expect(api.connectionCreate).toHaveBeenCalledWith(
      { name: "reporting", host: "10.1.2.3", port: "6432", database: "reports", username: "reader", sslmode: "verify-full", scope: ONE_DATABASE },
      { kind: "typed", value: "s3 cret" },
    );
    await waitFor(() => expect(screen.queryByTestId("connection-form")).toBeNull());
    await waitFor(() => expect(screen.getAllByTestId("connection-row")).toHaveLength(3));
    expect(byId("connections-notice").textContent).toContain("Added “reporting”.");
  });

  it("creates with no password when the field is left empty (Enter submits)", async () => {
    const form = await openCreateForm();
    await fillNewConnection();
    api.connectionCreate.mockResolvedValueOnce(savedConnection({ id: 3, name: "reporting" }));

    await fireEvent.submit(form);

    expect(api.connectionCreate).toHaveBeenCalledTimes(1);
    expect(api.connectionCreate.mock.calls[0][1]).toEqual({ kind: "none" });
  });

  it("edits with the saved password kept when the field is untouched", async () => {
    render(Connections);
    await screen.findAllByTestId("connection-row");
    await fireEvent.click(within(row("production")).getByTestId("connection-edit"));

    const password = byId("field-password") as HTMLInputElement;
    expect(password.value).toBe("");
    expect(password.placeholder).toBe("unchanged");
    expect((byId("field-name") as HTMLInputElement).value).toBe("production");
    expect((byId("field-host") as HTMLInputElement).value).toBe("db.example.com");
    expect((byId("field-port") as HTMLInputElement).value).toBe("5432");
    expect((byId("field-sslmode") as HTMLSelectElement).value).toBe("require");

    await type("field-database", "app_v2");
    api.connectionUpdate.mockResolvedValueOnce({ ...production, database: "app_v2" });
    await fireEvent.click(byId("form-save"));

    expect(api.connectionUpdate).toHaveBeenCalledWith(
      1,
      { name: "production", host: "db.example.com", port: "5432", database: "app_v2", username: "backup", sslmode: "require", scope: { allDatabases: false, include: [], exclude: [] } },
      { kind: "keep" },
    );
    expect(api.connectionCreate).not.toHaveBeenCalled();
    await waitFor(() => expect(screen.queryByTestId("connection-form")).toBeNull());
  });

  it("edits: a typed password replaces, the checkbox removes", async () => {
    render(Connections);
    await screen.findAllByTestId("connection-row");
    await fireEvent.click(within(row("production")).getByTestId("connection-edit"));
    api.connectionUpdate.mockRejectedValueOnce({ code: "keyring_locked", message: "The system keyring is locked." });

    await type("field-password", "rotated");
    await fireEvent.click(byId("form-save"));
    expect(api.connectionUpdate.mock.calls[0][2]).toEqual({ kind: "typed", value: "rotated" });
    // A keyring failure is about the whole form.
    const error = await screen.findByTestId("form-error");
    expect(error.textContent).toContain("The system keyring is locked.");

    await fireEvent.click(byId("field-remove-password"));
    expect((byId("field-password") as HTMLInputElement).disabled).toBe(true);
    api.connectionUpdate.mockResolvedValueOnce(production);
    await fireEvent.click(byId("form-save"));
    expect(api.connectionUpdate.mock.calls[1][2]).toEqual({ kind: "none" });
  });

  it("shows an invalid_port rejection under the port field and keeps the form open", async () => {
    await openCreateForm();
    await fillNewConnection();
    await type("field-port", "70000");
    const message = "The port 70000 is out of range. Use a number from 1 to 65535 (PostgreSQL's default is 5432).";
    api.connectionCreate.mockRejectedValueOnce({ code: "invalid_port", message });

    await fireEvent.click(byId("form-save"));

    const error = await screen.findByTestId("error-port");
    expect(error.textContent).toContain(message);
    const port = byId("field-port");
    expect(port.getAttribute("aria-invalid")).toBe("true");
    expect(port.getAttribute("aria-describedby")).toContain(error.id);
    await waitFor(() => expect(document.activeElement).toBe(port));
    expect(screen.queryByTestId("form-error")).toBeNull();
    expect(byId("connection-form")).toBeTruthy();

    // Typing in the field clears its error.
    await type("field-port", "5432");
    expect(screen.queryByTestId("error-port")).toBeNull();
  });

  it("shows a taken name under the name field", async () => {
    await openCreateForm();
    await fillNewConnection();
    api.connectionCreate.mockRejectedValueOnce({
      code: "connection_name_taken",
      message: "A connection named \"reporting\" already exists. Choose another name.",
    });
    await fireEvent.click(byId("form-save"));
    expect((await screen.findByTestId("error-name")).textContent).toContain("already exists");
  });

  it("Test shows the server version, or the error with data-state error", async () => {
    await openCreateForm();
    await fillNewConnection();
    await type("field-password", "pw");
    api.connectionTestInput.mockResolvedValueOnce(v16);

    await fireEvent.click(byId("form-test"));
    expect(api.connectionTestInput).toHaveBeenCalledWith(
      { name: "reporting", host: "10.1.2.3", port: "6432", database: "reports", username: "reader", sslmode: "prefer", scope: ONE_DATABASE },
      { kind: "typed", value: "pw" },
      null,
    );
    await waitFor(() => expect(byId("form-test-result").dataset.state).toBe("ok"));
    expect(byId("form-test-result").textContent?.trim()).toBe("Connected: PostgreSQL 16.4 (major 16)");

    const message =
      '10.1.2.3:6432 refused the password for user "reader". Check the user name and password (the server does not say which one is wrong).';
    api.connectionTestInput.mockRejectedValueOnce({ code: "wrong_password", message });
    await fireEvent.click(byId("form-test"));

    await waitFor(() => expect(byId("form-test-result").dataset.state).toBe("error"));
    expect(byId("form-test-result").textContent).toContain(message);
    expect(api.connectionCreate).not.toHaveBeenCalled();
  });

  it("a Test rejected for a field shows the message under that field", async () => {
    await openCreateForm();
    await type("field-host", "bad host");
    api.connectionTestInput.mockRejectedValueOnce({
      code: "invalid_host",
      message: '"bad host" is not a host name or address. Enter a host name, an IP address, or a socket folder.',
    });
    await fireEvent.click(byId("form-test"));

    expect((await screen.findByTestId("error-host")).textContent).toContain("is not a host name");
    expect(byId("form-test-result").dataset.state).toBe("error");
    expect(byId("form-test-result").textContent).toContain("Host");
    await waitFor(() => expect(document.activeElement).toBe(byId("field-host")));
  });

  it("Test of a saved connection sends keep and its id", async () => {
    render(Connections);
    await screen.findAllByTestId("connection-row");
    await fireEvent.click(within(row("staging")).getByTestId("connection-edit"));
    api.connectionTestInput.mockResolvedValueOnce(v16);

    await fireEvent.click(byId("form-test"));

    expect(api.connectionTestInput).toHaveBeenCalledWith(expect.objectContaining({ name: "staging" }), { kind: "keep" }, 2);
  });

  it("imports a URI into the fields and saves with the URI's password", async () => {
    await openCreateForm();
    const uri = "postgres://ada:pa%40ss@db.internal:5433/shop?sslmode=require";
    api.connectionParseUri.mockResolvedValueOnce({
      input: { name: "shop@db.internal", host: "db.internal", port: "5433", database: "shop", username: "ada", sslmode: "require", scope: { allDatabases: false, include: [], exclude: [] } },
      hasPassword: true,
    });

    await type("field-uri", uri);
    await fireEvent.click(byId("uri-import"));

    expect(api.connectionParseUri).toHaveBeenCalledWith(uri);
    await waitFor(() => expect((byId("field-host") as HTMLInputElement).value).toBe("db.internal"));
    expect((byId("field-name") as HTMLInputElement).value).toBe("shop@db.internal");
    expect((byId("field-port") as HTMLInputElement).value).toBe("5433");
    expect((byId("field-database") as HTMLInputElement).value).toBe("shop");
    expect((byId("field-username") as HTMLInputElement).value).toBe("ada");
    expect((byId("field-sslmode") as HTMLSelectElement).value).toBe("require");
    const password = byId("field-password") as HTMLInputElement;
    expect(password.value).toBe("");
    expect(password.placeholder).toBe("from URI");
    // The URI with its password does not stay on screen.
    expect((byId("field-uri") as HTMLInputElement).value).toBe("");

    api.connectionCreate.mockResolvedValueOnce(savedConnection({ id: 9, name: "shop@db.internal" }));
    await fireEvent.click(byId("form-save"));
    expect(api.connectionCreate.mock.calls[0][1]).toEqual({ kind: "uri", uri });
  });

  it("shows a bad URI under the URI field", async () => {
    await openCreateForm();
    api.connectionParseUri.mockRejectedValueOnce({
      code: "invalid_uri",
      message: "This is not a PostgreSQL URI: it must start with postgres:// or postgresql://.",
    });
    await type("field-uri", "mysql://x");
    await fireEvent.click(byId("uri-import"));
    expect((await screen.findByTestId("error-uri")).textContent).toContain("must start with postgres://");
    expect((byId("field-host") as HTMLInputElement).value).toBe("");
  });

  it("offers ~/.pgpass lines only when there are some, and fills from the chosen one", async () => {
    api.connectionPgpassEntries.mockResolvedValue([
      { host: "localhost", port: "5432", database: "*", username: "postgres" },
      { host: "db1", port: "5434", database: "sales", username: "bob" },
    ]);
    const form = await openCreateForm();
    const picker = (await screen.findByTestId("field-pgpass")) as HTMLSelectElement;
    expect(picker.options).toHaveLength(3);

    await fireEvent.change(picker, { target: { value: "1" } });
    expect((byId("field-host") as HTMLInputElement).value).toBe("db1");
    expect((byId("field-port") as HTMLInputElement).value).toBe("5434");
    expect((byId("field-database") as HTMLInputElement).value).toBe("sales");
    expect((byId("field-username") as HTMLInputElement).value).toBe("bob");
    expect((byId("field-password") as HTMLInputElement).placeholder).toBe("from ~/.pgpass");

    api.connectionCreate.mockResolvedValueOnce(savedConnection({ id: 4 }));
    await fireEvent.submit(form);
    expect(api.connectionCreate.mock.calls[0][1]).toEqual({ kind: "pgpass" });
  });

  it("hides the ~/.pgpass picker when the file has no lines", async () => {
    await openCreateForm();
    await waitFor(() => expect(api.connectionPgpassEntries).toHaveBeenCalled());
    expect(screen.queryByTestId("field-pgpass")).toBeNull();
  });

  it("closes on Escape and on Cancel without saving, focus back on the opener", async () => {
    render(Connections);
    await screen.findAllByTestId("connection-row");
    byId("connections-add").focus();
    await fireEvent.click(byId("connections-add"));
    expect(document.activeElement).toBe(byId("field-name"));

    await fireEvent.keyDown(byId("field-name"), { key: "Escape" });
    expect(screen.queryByTestId("connection-form")).toBeNull();
    expect(document.activeElement).toBe(byId("connections-add"));

    await fireEvent.click(byId("connections-add"));
    await fireEvent.click(byId("form-cancel"));
    expect(screen.queryByTestId("connection-form")).toBeNull();
    expect(api.connectionCreate).not.toHaveBeenCalled();
  });

  it("keeps Tab inside the dialog", async () => {
    await openCreateForm();
    const dialog = screen.getByRole("dialog");
    const save = byId("form-save");
    save.focus();
    await fireEvent.keyDown(save, { key: "Tab" });
    expect(dialog.contains(document.activeElement)).toBe(true);
    expect(document.activeElement).not.toBe(save);

    const first = document.activeElement as HTMLElement;
    await fireEvent.keyDown(first, { key: "Tab", shiftKey: true });
    expect(document.activeElement).toBe(save);
  });

  it("is a labelled modal dialog", async () => {
    await openCreateForm();
    const dialog = screen.getByRole("dialog", { name: "Add connection" });
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    expect(within(dialog).getByLabelText("Port")).toBe(byId("field-port"));
    expect(within(dialog).getByLabelText("User")).toBe(byId("field-username"));
  });
});

describe("Whole-server connections", () => {
  const cluster = serverConnection({ scope: { allDatabases: true, include: ["shop_*", "app"], exclude: ["*_test"] } });

  const choices: DatabaseChoice[] = [
    { name: "app", sizeBytes: 8_388_608, taken: true, reason: null },
    { name: "shop_eu", sizeBytes: 1_048_576, taken: true, reason: null },
    { name: "shop_test", sizeBytes: 524_288, taken: false, reason: 'excluded by "*_test"' },
    { name: "template1", sizeBytes: null, taken: false, reason: "a template" },
  ];

  async function openEdit(name: string) {
    await fireEvent.click(within(row(name)).getByTestId("connection-edit"));
    return byId("connection-form");
  }

  function radio(id: string) {
    return byId(id) as HTMLInputElement;
  }

  it("lists such a connection as All databases with its patterns", async () => {
    api.connectionList.mockResolvedValue([production, cluster]);
    render(Connections);
    await screen.findAllByTestId("connection-row");
    const server = within(row("cluster"));
    expect(server.getByTestId("connection-database").textContent).toBe("All databases");
    expect(server.getByTestId("connection-patterns").textContent).toContain("only shop_*, app · not *_test");
    expect(within(row("production")).getByTestId("connection-database").textContent).toBe("app");
    expect(within(row("production")).queryByTestId("connection-patterns")).toBeNull();
  });

  it("backs up the whole server as a set, without a format to choose, and shows a partial one as a warning", async () => {
    api.connectionList.mockResolvedValue([production, cluster]);
    render(Connections);
    await screen.findAllByTestId("connection-row");
    const server = within(row("cluster"));
    expect(server.queryByTestId("connection-backup-options")).toBeNull();
    expect(within(row("production")).getByTestId("connection-backup-options")).toBeTruthy();

    api.backupRun.mockResolvedValueOnce(serverSetRecord());
    await fireEvent.click(server.getByTestId("connection-backup"));
    expect(api.backupRun).toHaveBeenCalledWith(3, null);
    const result = await server.findByTestId("connection-backup-result");
    expect(result.dataset.state).toBe("partial");
    expect(result.classList.contains("warning")).toBe(true);
    expect(result.textContent).toContain("Partly backed up: Backed up 4 of 5 databases");
  });

  it("offers This database by default; All databases renames the database field and adds the patterns", async () => {
    await openCreateForm();
    expect(radio("scope-one").checked).toBe(true);
    expect(screen.getByLabelText("Database")).toBe(byId("field-database"));
    expect(screen.queryByTestId("field-include")).toBeNull();

    await fireEvent.click(byId("scope-all"));
    expect(screen.getByLabelText("Maintenance database")).toBe(byId("field-database"));
    expect((byId("field-database") as HTMLInputElement).placeholder).toBe("postgres");
    expect(screen.getByLabelText("Include")).toBe(byId("field-include"));
    expect(screen.getByLabelText("Exclude")).toBe(byId("field-exclude"));
    expect(byId("field-include").getAttribute("aria-describedby")).toContain("patterns-hint");
    expect(document.getElementById("patterns-hint")?.textContent).toContain("* any characters, ? one");
  });

  it("creates one with the typed patterns and an empty maintenance database", async () => {
    await openCreateForm();
    await type("field-name", "cluster");
    await type("field-host", "pg.example.com");
    await fireEvent.click(byId("scope-all"));
    await type("field-include", "shop_*,\napp");
    await type("field-exclude", "*_test");
    api.connectionCreate.mockResolvedValueOnce(cluster);
    await fireEvent.click(byId("form-save"));

    expect(api.connectionCreate).toHaveBeenCalledWith(
      {
        name: "cluster",
        host: "pg.example.com",
        port: "5432",
        database: "",
        username: "",
        sslmode: "prefer",
        scope: { allDatabases: true, include: ["shop_*", "app"], exclude: ["*_test"] },
      },
      { kind: "none" },
    );
  });

  it("edits one keeping its scope and patterns", async () => {
    api.connectionList.mockResolvedValue([production, cluster]);
    render(Connections);
    await screen.findAllByTestId("connection-row");
    await openEdit("cluster");
    expect(radio("scope-all").checked).toBe(true);
    expect((byId("field-include") as HTMLTextAreaElement).value).toBe("shop_*, app");
    expect((byId("field-exclude") as HTMLTextAreaElement).value).toBe("*_test");

    await type("field-username", "admin");
    api.connectionUpdate.mockResolvedValueOnce(cluster);
    await fireEvent.click(byId("form-save"));
    expect(api.connectionUpdate).toHaveBeenCalledWith(
      3,
      expect.objectContaining({ username: "admin", database: "postgres", scope: cluster.scope }),
      { kind: "keep" },
    );
  });

  it("shows what a run would take: each database with its size, taken or left out and why", async () => {
    api.connectionList.mockResolvedValue([production, cluster]);
    render(Connections);
    await screen.findAllByTestId("connection-row");
    await openEdit("cluster");
    const answer = deferred<DatabaseChoice[]>();
    api.connectionDatabasesInput.mockReturnValueOnce(answer.promise);

    await fireEvent.click(byId("scope-list"));
    expect(api.connectionDatabasesInput).toHaveBeenCalledWith(
      expect.objectContaining({ host: "pg.example.com", scope: cluster.scope }),
      { kind: "keep" },
      3,
    );
    expect(byId("scope-listing").textContent).toContain("Reading the server’s databases");
    expect((byId("scope-list") as HTMLButtonElement).disabled).toBe(true);

    answer.resolve(choices);
    const list = await screen.findByTestId("scope-database-list");
    expect(list.dataset.noneTaken).toBe("false");
    expect(byId("scope-summary").textContent).toBe("A backup takes 2 of the server's 4 databases (9.0 MiB on the server).");
    const rows = within(list).getAllByTestId("scope-database");
    const cells = (i: number) => Array.from(rows[i].querySelectorAll("td"), (td) => td.textContent?.trim());
    expect(rows.map((r) => r.dataset.taken)).toEqual(["true", "true", "false", "false"]);
    expect(cells(0)).toEqual(["app", "8.0 MiB", "taken"]);
    expect(cells(2)).toEqual(["shop_test", "512 KiB", 'left out: excluded by "*_test"']);
    expect(cells(3)).toEqual(["template1", "—", "left out: a template"]);

    // A change to the patterns makes the shown list stale until it is read again.
    expect(screen.queryByTestId("scope-outdated")).toBeNull();
    await type("field-exclude", "*_test, shop_eu");
    expect(byId("scope-outdated").textContent).toContain("show again");
    expect(list.classList.contains("outdated")).toBe(true);
  });

  it("says clearly when the patterns leave no database", async () => {
    await openCreateForm();
    await fireEvent.click(byId("scope-all"));
    await type("field-include", "nothing_*");
    api.connectionDatabasesInput.mockResolvedValueOnce([
      { name: "app", sizeBytes: 1024, taken: false, reason: "matches no include pattern" },
    ]);
    await fireEvent.click(byId("scope-list"));

    const list = await screen.findByTestId("scope-database-list");
    expect(list.dataset.noneTaken).toBe("true");
    const summary = byId("scope-summary");
    expect(summary.classList.contains("failed")).toBe(true);
    expect(summary.textContent).toContain("Nothing to back up.");
    expect(summary.textContent).toContain("would be refused");
  });

  it("puts a bad pattern under its own field, from Show databases and from Save", async () => {
    await openCreateForm();
    await fillNewConnection();
    await fireEvent.click(byId("scope-all"));
    await type("field-exclude", "[oops");
    const message = 'The exclude pattern "[oops" is not a database name pattern.';
    api.connectionDatabasesInput.mockRejectedValueOnce({ code: "invalid_pattern", message });
    await fireEvent.click(byId("scope-list"));

    const error = await screen.findByTestId("error-exclude");
    expect(error.textContent).toContain(message);
    expect(byId("field-exclude").getAttribute("aria-invalid")).toBe("true");
    expect(byId("field-exclude").getAttribute("aria-describedby")).toContain("error-exclude");
    expect(screen.queryByTestId("error-include")).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(byId("field-exclude")));
    expect(byId("scope-list-error").textContent).toContain("check the Exclude field.");

    // Typing in the field clears its error.
    await type("field-exclude", "*_test");
    expect(screen.queryByTestId("error-exclude")).toBeNull();

    api.connectionCreate.mockRejectedValueOnce({ code: "invalid_pattern", message: 'The include pattern "" is not a database name pattern.' });
    await fireEvent.click(byId("form-save"));
    expect((await screen.findByTestId("error-include")).textContent).toContain("include pattern");
    expect(screen.queryByTestId("form-error")).toBeNull();
  });

  it("shows a connection failure of the list in the list, not under a field", async () => {
    await openCreateForm();
    await fireEvent.click(byId("scope-all"));
    api.connectionDatabasesInput.mockRejectedValueOnce({ code: "wrong_password", message: "The server refused the password." });
    await fireEvent.click(byId("scope-list"));
    expect((await screen.findByTestId("scope-list-error")).textContent).toContain("The server refused the password.");
    expect(screen.queryByTestId("form-error")).toBeNull();
  });
});
