import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { commands, type Backup, type BackupFilter, type BackupPage, type ScanReport, type Verification } from "../bindings";
import { running } from "../backups/running.svelte";
import { deferred } from "../../test/deferred";
import { backupRecord, savedConnection, savedSchedule } from "../../test/fixtures";
import Backups from "./Backups.svelte";

vi.mock("../bindings", () => ({
  EVENTS: { backup: "backup", schedules: "schedules", restore: "restore", copy: "copy" },
  commands: {
    connectionList: vi.fn(),
    backupCopies: vi.fn(),
    scheduleList: vi.fn(),
    backupSearch: vi.fn(),
    backupCancel: vi.fn(),
    backupVerify: vi.fn(),
    backupSaveCopy: vi.fn(),
    backupShowInFolder: vi.fn(),
    backupDelete: vi.fn(),
    backupScan: vi.fn(),
    backupRestore: vi.fn(),
    backupRestoreCancel: vi.fn(),
  },
}));

// The home folder, as the desktop app tells it: Save a copy starts there.
vi.mock("@tauri-apps/api/path", () => ({ homeDir: vi.fn(async () => "/home/ada") }));
vi.mock("@tauri-apps/plugin-dialog", () => ({ save: vi.fn(async () => null) }));

const api = vi.mocked(commands);

const production = savedConnection();
const staging = savedConnection({ id: 2, name: "staging", database: "shop" });
const nightly = savedSchedule({ id: 3, name: "production nightly", connectionId: 1 });
const stagingHourly = savedSchedule({ id: 4, name: "staging hourly", connectionId: 2 });

const checked: Verification = {
  ok: true,
  checks: [
    { name: "size", ok: true, detail: "1,258,291 bytes as recorded" },
    { name: "sha256", ok: true, detail: "matches the recorded SHA-256" },
    { name: "pg_restore --list", ok: true, detail: "42 entries" },
  ],
  restoredTables: null,
  seconds: 0.4,
};

const completed = backupRecord({
  id: 12,
  scheduleId: 3,
  trigger: "schedule",
  verifiedAt: "2026-05-01T10:00:00Z",
  verification: checked,
});
const failed = backupRecord({
  id: 11,
  connectionId: 2,
  connectionName: "staging",
  status: "failed",
  sizeBytes: null,
  filePath: null,
  sha256: null,
  runner: "local",
  runnerDetail: "/usr/lib/postgresql/15/bin/pg_dump",
  pgDumpVersion: "15.8",
  serverVersion: "16.2",
  errorMessage: "pg_dump 15.8 cannot dump a PostgreSQL 16.2 server: pg_dump must be as new as the server.",
  log: "pg_dump: error: aborting because of server version mismatch",
  startedAt: "2026-04-30T22:00:00Z",
  completedAt: "2026-04-30T22:00:01Z",
  durationSeconds: 1,
  trigger: "manual",
});
const orphan = backupRecord({
  id: 10,
  connectionId: 9,
  connectionName: "old shop",
  connectionRemoved: true,
  status: "cancelled",
  sizeBytes: null,
  fileState: "missing",
});

const NO_FILTER: BackupFilter = { connection: null, schedule: null, status: null, from: null, to: null };

function pageOf(items: Backup[], total = items.length): BackupPage {
  return { items, total };
}

/** `count` backups, newest (highest id) first, starting below `top`. */
function many(count: number, top = 1000): Backup[] {
  return Array.from({ length: count }, (_, i) => backupRecord({ id: top - i }));
}

function rows() {
  return screen.getAllByTestId("backup-row");
}

function rowOf(id: number) {
  const found = rows().find((r) => r.dataset.backupId === String(id));
  if (!found) throw new Error(`no row for backup ${id}`);
  return found;
}

function byId(id: string) {
  return screen.getByTestId(id);
}

async function renderList() {
  render(Backups);
  await screen.findByTestId("backups-table");
}

/** Opens a row's details and returns them. */
async function openDetails(id: number) {
  await fireEvent.click(within(rowOf(id)).getByTestId("backup-expand"));
  return screen.getByTestId("backup-details");
}

beforeEach(() => {
  vi.resetAllMocks();
  running.reset();
  api.backupCopies.mockResolvedValue([]);
  api.connectionList.mockResolvedValue([production, staging]);
  api.scheduleList.mockResolvedValue([nightly, stagingHourly]);
  api.backupSearch.mockResolvedValue(pageOf([completed, failed, orphan]));
});

describe("Backups list", () => {
  it("lists the backups newest first with name, status, size, format, runner, versions and the total", async () => {
    await renderList();
    expect(byId("page-title").textContent).toBe("Backups");
    expect(api.backupSearch).toHaveBeenCalledExactlyOnceWith(NO_FILTER, 50, 0);
    expect(byId("backups-total").textContent).toBe("3 backups");

    expect(rows().map((r) => r.dataset.status)).toEqual(["completed", "failed", "cancelled"]);
    expect(rows().map((r) => r.dataset.backupId)).toEqual(["12", "11", "10"]);
    const first = within(rows()[0]);
    await waitFor(() => expect(first.getByTestId("backup-connection").textContent?.trim()).toBe("production"));
    expect(first.getByTestId("backup-status").textContent).toBe("Completed");
    expect(first.getByTestId("backup-size").textContent?.trim()).toBe("1.2 MiB");
    expect(rows()[0].textContent).toContain("custom");
    expect(rows()[0].textContent).toContain("postgres:16");
    expect(first.getByTestId("backup-versions").textContent).toBe("16.4 → 16.2");

    const second = within(rows()[1]);
    expect(second.getByTestId("backup-connection").textContent?.trim()).toBe("staging");
    expect(second.getByTestId("backup-status").textContent).toBe("Failed");
    expect(second.getByTestId("backup-size").textContent?.trim()).toBe("—");
    // A backup of a removed connection keeps its row, under the connection's name.
    expect(within(rows()[2]).getByTestId("backup-connection").textContent?.trim()).toBe("old shop");
    expect(within(rows()[2]).getByTestId("backup-connection-removed")).toBeTruthy();
    expect(within(rows()[2]).getByTitle("old shop (removed)")).toBeTruthy();
    expect(within(rows()[0]).queryByTestId("backup-connection-removed")).toBeNull();
    expect(screen.queryByTestId("backups-empty")).toBeNull();
    // One page only: no pager.
    expect(screen.queryByTestId("backups-next")).toBeNull();
  });

  it("marks files a scan found gone or changed, and verified backups", async () => {
    const changed = backupRecord({ id: 9, fileState: "modified" });
    const bad = backupRecord({ id: 8, verification: { ...checked, ok: false } });
    api.backupSearch.mockResolvedValue(pageOf([completed, failed, orphan, changed, bad]));
    await renderList();

    const verified = within(rowOf(12)).getByTestId("backup-verified");
    expect(verified.textContent?.trim()).toBe("Verified");
    expect(verified.dataset.ok).toBe("true");
    expect(within(rowOf(12)).queryByTestId("backup-file-state")).toBeNull();
    expect(within(rowOf(11)).queryByTestId("backup-verified")).toBeNull();

    expect(within(rowOf(10)).getByTestId("backup-file-state").textContent?.trim()).toBe("File missing");
    expect(within(rowOf(9)).getByTestId("backup-file-state").textContent?.trim()).toBe("File changed");
    const failedCheck = within(rowOf(8)).getByTestId("backup-verified");
    expect(failedCheck.textContent?.trim()).toBe("Verify failed");
    expect(failedCheck.dataset.ok).toBe("false");
  });

  it("marks an unusual completed backup next to its status and lists the reasons in its details", async () => {
    const reasons = [
      "table public.invoice_line had 2260 rows and now has 226 (90 % fewer)",
      "its size, 293.0 KiB, is 71 % below the median of the last 5 (1.0 MiB)",
    ];
    const odd = backupRecord({ id: 13, unusual: reasons });
    // A failed run never carries the mark, whatever the record says.
    const oddFailed = backupRecord({ id: 14, status: "failed", unusual: ["it took 95 s"] });
    api.backupSearch.mockResolvedValue(pageOf([oddFailed, odd, completed, failed]));
    await renderList();

    const pill = within(rowOf(13)).getByTestId("backup-unusual");
    expect(pill.textContent?.trim()).toBe("Unusual");
    expect(pill.classList.contains("warning")).toBe(true);
    expect(pill.getAttribute("title")).toContain("90 % fewer");
    // Beside the status, in the same cell.
    expect(pill.closest("td")).toBe(within(rowOf(13)).getByTestId("backup-status").closest("td"));
    expect(within(rowOf(13)).getByTestId("backup-status").textContent).toBe("Completed");
    expect(within(rowOf(12)).queryByTestId("backup-unusual")).toBeNull();
    expect(within(rowOf(11)).queryByTestId("backup-unusual")).toBeNull();
    expect(within(rowOf(14)).queryByTestId("backup-unusual")).toBeNull();

    const details = await openDetails(13);
    expect(details.textContent).toContain("This backup looks unusual");
    const list = within(details).getByTestId("backup-unusual-reasons");
    expect(within(list).getAllByRole("listitem").map((li) => li.textContent)).toEqual(reasons);
  });

  it("shows no unusual box in the details of a normal backup", async () => {
    await renderList();
    const details = await openDetails(12);
    expect(within(details).queryByTestId("backup-unusual-reasons")).toBeNull();
    expect(details.textContent).not.toContain("looks unusual");
  });

  it("pages 50 at a time with Next and Previous, up to the total", async () => {
    api.backupSearch.mockResolvedValueOnce(pageOf(many(50, 1000), 107));
    await renderList();
    expect(rows()).toHaveLength(50);
    expect(byId("backups-total").textContent).toBe("107 backups");
    expect(byId("backups-range").textContent?.trim()).toBe("1–50");
    expect((byId("backups-prev") as HTMLButtonElement).disabled).toBe(true);

    api.backupSearch.mockResolvedValueOnce(pageOf(many(50, 950), 107));
    await fireEvent.click(byId("backups-next"));
    expect(api.backupSearch).toHaveBeenLastCalledWith(NO_FILTER, 50, 50);
    await waitFor(() => expect(rows()[0].dataset.id).toBe("950"));
    expect(byId("backups-range").textContent?.trim()).toBe("51–100");

    api.backupSearch.mockResolvedValueOnce(pageOf(many(7, 900), 107));
    await fireEvent.click(byId("backups-next"));
    expect(api.backupSearch).toHaveBeenLastCalledWith(NO_FILTER, 50, 100);
    await waitFor(() => expect(rows()).toHaveLength(7));
    expect((byId("backups-next") as HTMLButtonElement).disabled).toBe(true);
    expect(byId("backups-range").textContent?.trim()).toBe("101–107");

    api.backupSearch.mockResolvedValueOnce(pageOf(many(50, 950), 107));
    await fireEvent.click(byId("backups-prev"));
    expect(api.backupSearch).toHaveBeenLastCalledWith(NO_FILTER, 50, 50);
    await waitFor(() => expect(rows()).toHaveLength(50));
  });

  it("has no Next on a last page of exactly 50", async () => {
    api.backupSearch.mockResolvedValueOnce(pageOf(many(50, 1000), 50));
    await renderList();
    expect(screen.queryByTestId("backups-next")).toBeNull();
  });

  it("shows the empty state when there are no backups", async () => {
    api.backupSearch.mockResolvedValue(pageOf([]));
    render(Backups);
    const empty = await screen.findByTestId("backups-empty");
    expect(empty.textContent).toContain("No backups yet.");
    expect(screen.queryByTestId("backups-table")).toBeNull();
    expect(byId("backups-total").textContent).toBe("0 backups");
  });

  it("says why the list could not be loaded and tries again", async () => {
    api.backupSearch.mockRejectedValueOnce({ code: "store_unavailable", message: "The app database is locked." });
    render(Backups);
    const error = await screen.findByTestId("backups-error");
    expect(error.textContent).toContain("The app database is locked.");

    await fireEvent.click(byId("backups-retry"));
    await screen.findByTestId("backups-table");
  });

  it("shows running backups on top with Cancel, and reloads when one finishes", async () => {
    await renderList();
    expect(screen.queryByTestId("backups-running")).toBeNull();

    running.handle({ kind: "started", backupId: 13, connectionId: 1 });
    running.handle({ kind: "stage", backupId: 13, text: "Dumping with pg_dump 16.4 (postgres:16)" });
    running.handle({ kind: "progress", backupId: 13, bytes: 3 * 1024 * 1024, elapsedMs: 2000, bytesPerSecond: 1536 * 1024 });
    const section = await screen.findByTestId("backups-running");
    const item = within(section).getByTestId("running-backup");
    await waitFor(() => expect(within(item).getByTestId("running-backup-connection").textContent).toBe("production"));
    expect(within(item).getByTestId("running-backup-progress").textContent).toBe("3.0 MiB written · 1.5 MiB/s · 2 s");

    api.backupCancel.mockResolvedValueOnce(true);
    await fireEvent.click(within(item).getByTestId("running-backup-cancel"));
    expect(api.backupCancel).toHaveBeenCalledExactlyOnceWith(13);

    const record = backupRecord({ id: 13, status: "cancelled", sizeBytes: null });
    api.backupSearch.mockResolvedValueOnce(pageOf([record, completed, failed, orphan]));
    running.handle({ kind: "finished", backup: record });
    await waitFor(() => expect(rows().map((r) => r.dataset.status)).toEqual(["cancelled", "completed", "failed", "cancelled"]));
    expect(api.backupSearch).toHaveBeenCalledTimes(2);
    expect(screen.queryByTestId("backups-running")).toBeNull();
  });
});

describe("Backups filters", () => {
  it("filters by connection, schedule and status, starting again at the first page", async () => {
    api.backupSearch.mockResolvedValueOnce(pageOf(many(50), 120));
    await renderList();
    api.backupSearch.mockResolvedValueOnce(pageOf(many(50, 950), 120));
    await fireEvent.click(byId("backups-next"));
    await waitFor(() => expect(rows()[0].dataset.id).toBe("950"));

    const connection = byId("backups-filter-connection") as HTMLSelectElement;
    await waitFor(() => expect(connection.options).toHaveLength(3));
    api.backupSearch.mockResolvedValueOnce(pageOf([failed]));
    await fireEvent.change(connection, { target: { value: "2" } });
    expect(api.backupSearch).toHaveBeenLastCalledWith({ ...NO_FILTER, connection: 2 }, 50, 0);
    await waitFor(() => expect(rows().map((r) => r.dataset.id)).toEqual(["11"]));
    expect(byId("backups-total").textContent).toBe("1 backup");

    // With a connection chosen, only its schedules are offered.
    const schedule = byId("backups-filter-schedule") as HTMLSelectElement;
    expect([...schedule.options].map((o) => o.textContent)).toEqual(["Any or none", "staging hourly"]);
    await fireEvent.change(schedule, { target: { value: "4" } });
    expect(api.backupSearch).toHaveBeenLastCalledWith({ ...NO_FILTER, connection: 2, schedule: 4 }, 50, 0);

    await fireEvent.change(byId("backups-filter-status"), { target: { value: "failed" } });
    expect(api.backupSearch).toHaveBeenLastCalledWith({ ...NO_FILTER, connection: 2, schedule: 4, status: "failed" }, 50, 0);

    // Another connection drops the schedule that is not its own.
    await fireEvent.change(connection, { target: { value: "1" } });
    expect(api.backupSearch).toHaveBeenLastCalledWith({ ...NO_FILTER, connection: 1, status: "failed" }, 50, 0);
  });

  it("sends the chosen days as UTC bounds of this computer's days", async () => {
    await renderList();
    await fireEvent.change(byId("backups-filter-from"), { target: { value: "2026-05-01" } });
    expect(api.backupSearch).toHaveBeenLastCalledWith({ ...NO_FILTER, from: new Date(2026, 4, 1).toISOString() }, 50, 0);

    await fireEvent.change(byId("backups-filter-to"), { target: { value: "2026-05-03" } });
    expect(api.backupSearch).toHaveBeenLastCalledWith(
      { ...NO_FILTER, from: new Date(2026, 4, 1).toISOString(), to: new Date(2026, 4, 4).toISOString() },
      50,
      0,
    );
  });

  it("shows a backwards date range under the filters without asking", async () => {
    await renderList();
    await fireEvent.change(byId("backups-filter-from"), { target: { value: "2026-05-03" } });
    const calls = api.backupSearch.mock.calls.length;
    await fireEvent.change(byId("backups-filter-to"), { target: { value: "2026-05-01" } });

    expect((await screen.findByTestId("backups-filter-to-error")).textContent).toContain("before the “from” date");
    expect(byId("backups-filter-to").getAttribute("aria-invalid")).toBe("true");
    expect(api.backupSearch).toHaveBeenCalledTimes(calls);

    await fireEvent.change(byId("backups-filter-to"), { target: { value: "2026-05-04" } });
    expect(screen.queryByTestId("backups-filter-to-error")).toBeNull();
    expect(api.backupSearch).toHaveBeenCalledTimes(calls + 1);
  });

  it("says when nothing matches, and clears the filters", async () => {
    await renderList();
    api.backupSearch.mockResolvedValueOnce(pageOf([]));
    await fireEvent.change(byId("backups-filter-status"), { target: { value: "interrupted" } });
    const empty = await screen.findByTestId("backups-empty");
    expect(empty.textContent).toContain("No backups match these filters.");

    await fireEvent.click(byId("backups-empty-clear"));
    expect(api.backupSearch).toHaveBeenLastCalledWith(NO_FILTER, 50, 0);
    await screen.findByTestId("backups-table");
    expect((byId("backups-filter-status") as HTMLSelectElement).value).toBe("");
  });
});

describe("Backup details", () => {
  it("opens a row's details with everything recorded, and the last verification", async () => {
    await renderList();
    expect(screen.queryByTestId("backup-details")).toBeNull();

    await fireEvent.click(rows()[0]);
    let details = screen.getByTestId("backup-details");
    const the = within(details);
    expect(details.dataset.backupId).toBe("12");
    expect(the.getByTestId("backup-details-path").textContent).toBe(completed.filePath);
    expect(the.getByTestId("backup-details-sha256").textContent).toBe(completed.sha256);
    expect(the.getByTestId("backup-details-size").textContent).toBe("1.2 MiB (1,258,291 bytes)");
    expect(the.getByTestId("backup-details-compression").textContent).toBe("zstd:3");
    expect(the.getByTestId("backup-details-runner").textContent).toBe("docker · postgres:16");
    expect(the.getByTestId("backup-details-versions").textContent).toContain("pg_dump 16.4 · server 16.2");
    expect(the.getByTestId("backup-details-trigger").textContent).toBe("Schedule");
    await waitFor(() => expect(the.getByTestId("backup-details-schedule").textContent).toBe("production nightly"));
    expect(the.getByTestId("backup-details-duration").textContent).toBe("3 s");
    expect(the.getByTestId("backup-details-log").textContent).toContain('dumping contents of table "public.orders"');
    const verification = the.getByTestId("backup-verification");
    expect(verification.dataset.ok).toBe("true");
    expect(within(verification).getAllByTestId("verification-check").map((c) => c.textContent)).toEqual([
      expect.stringContaining("ok"),
      expect.stringContaining("matches the recorded SHA-256"),
      expect.stringContaining("42 entries"),
    ]);
    expect(within(rows()[0]).getByTestId("backup-expand").getAttribute("aria-expanded")).toBe("true");

    // Another row's button switches the details to it.
    await fireEvent.click(within(rows()[1]).getByTestId("backup-expand"));
    details = screen.getByTestId("backup-details");
    expect(details.dataset.backupId).toBe("11");
    expect(within(details).getByTestId("backup-details-error").textContent).toBe(failed.errorMessage);
    expect(within(details).getByTestId("backup-details-path").textContent).toBe("No file");
    expect(within(details).getByTestId("backup-details-trigger").textContent).toContain("Manual");
    expect(within(details).queryByTestId("backup-details-schedule")).toBeNull();
    // A failed run has no file to verify, copy or restore; its record can go.
    expect(within(details).queryByTestId("backup-verify")).toBeNull();
    expect(within(details).queryByTestId("backup-restore")).toBeNull();
    expect(within(details).getByTestId("backup-delete")).toBeTruthy();
    expect(screen.getAllByTestId("backup-details")).toHaveLength(1);

    // Clicking it again closes it.
    await fireEvent.click(rows()[1]);
    expect(screen.queryByTestId("backup-details")).toBeNull();
  });

  it("says what to do about a file the scan did not find", async () => {
    await renderList();
    const details = await openDetails(10);
    expect(within(details).getByTestId("backup-details-file-state").textContent).toContain("did not find this file");
  });

  it("verifies a backup, showing progress, then each check with ok or FAIL", async () => {
    const plain = backupRecord({ id: 12 });
    api.backupSearch.mockResolvedValue(pageOf([plain]));
    await renderList();
    const details = await openDetails(12);
    expect(within(details).queryByTestId("backup-verification")).toBeNull();

    const answer = deferred<Verification>();
    api.backupVerify.mockReturnValueOnce(answer.promise);
    await fireEvent.click(within(details).getByTestId("backup-verify"));
    expect(api.backupVerify).toHaveBeenCalledExactlyOnceWith(12, false, null);
    expect(within(details).getByTestId("backup-verify-progress").textContent).toContain("Checking the file");
    expect((within(details).getByTestId("backup-verify") as HTMLButtonElement).disabled).toBe(true);
    expect((within(details).getByTestId("backup-verify-restore") as HTMLButtonElement).disabled).toBe(true);

    api.backupSearch.mockResolvedValue(pageOf([{ ...plain, verification: { ...checked, ok: false } }]));
    answer.resolve({
      ...checked,
      ok: false,
      checks: [
        { name: "size", ok: true, detail: "1,258,291 bytes as recorded" },
        { name: "sha256", ok: false, detail: "differs from the recorded SHA-256: the file changed" },
      ],
    });
    const verification = await within(details).findByTestId("backup-verification");
    expect(verification.dataset.ok).toBe("false");
    expect(verification.textContent).toContain("Verification failed");
    const items = within(verification).getAllByTestId("verification-check");
    expect(items.map((i) => i.dataset.ok)).toEqual(["true", "false"]);
    expect(items[0].textContent).toMatch(/^ok\s*size/);
    expect(items[1].textContent).toMatch(/^FAIL\s*sha256/);
    expect(items[1].textContent).toContain("the file changed");
    expect(screen.queryByTestId("backup-verify-progress")).toBeNull();
    // The list reloads, so the row's badge shows it too.
    await waitFor(() => expect(within(rowOf(12)).getByTestId("backup-verified").dataset.ok).toBe("false"));
  });

  it("verifies by restoring, and lists the restored tables against the source", async () => {
    await renderList();
    const details = await openDetails(12);
    expect(within(details).getAllByTestId("verification-check")).toHaveLength(3);
    const answer = deferred<Verification>();
    api.backupVerify.mockReturnValueOnce(answer.promise);
    await fireEvent.click(within(details).getByTestId("backup-verify-restore"));

    expect(api.backupVerify).toHaveBeenCalledExactlyOnceWith(12, true, null);
    expect(within(details).getByTestId("backup-verify-progress").textContent).toContain("throwaway PostgreSQL");
    // The last verification makes way for the new one.
    expect(within(details).queryByTestId("backup-verification")).toBeNull();

    answer.resolve({
      ok: true,
      checks: [...checked.checks, { name: "restore", ok: true, detail: "restored into postgres:16 in 4.1 s" }],
      restoredTables: [
        { table: "public.orders", rows: 1200, sourceRows: 1200 },
        { table: "public.users", rows: 35, sourceRows: null },
      ],
      seconds: 6.3,
    });
    await waitFor(() => expect(within(details).getAllByTestId("verification-check")).toHaveLength(4));
    const tables = within(details).getAllByTestId("verification-table");
    expect(tables[0].textContent).toContain("public.orders");
    expect(tables[0].textContent).toContain("1,200");
    expect(tables[1].textContent).toContain("not reachable");
    expect(within(details).getByTestId("backup-verification").textContent).toContain("6.3 s");
  });

  it("says why verifying could not run", async () => {
    await renderList();
    const details = await openDetails(12);
    api.backupVerify.mockRejectedValueOnce({
      code: "backup_file_missing",
      message: "The file of backup 12 is gone. It was moved or deleted outside the app.",
    });
    await fireEvent.click(within(details).getByTestId("backup-verify"));
    expect((await within(details).findByTestId("backup-verify-error")).textContent).toContain("The file of backup 12 is gone.");
  });

  it("shows the file in its folder, and says when it cannot", async () => {
    await renderList();
    const details = await openDetails(12);
    api.backupShowInFolder.mockResolvedValueOnce(null);
    await fireEvent.click(within(details).getByTestId("backup-show-in-folder"));
    expect(api.backupShowInFolder).toHaveBeenCalledExactlyOnceWith(12);
    expect(within(details).queryByTestId("backup-action-error")).toBeNull();

    api.backupShowInFolder.mockRejectedValueOnce({ code: "backup_file_missing", message: "The file is gone." });
    await fireEvent.click(within(details).getByTestId("backup-show-in-folder"));
    expect((await within(details).findByTestId("backup-action-error")).textContent).toContain("The file is gone.");
  });

  it("saves a copy: the error under the destination, then the copy's path", async () => {
    await renderList();
    const details = await openDetails(12);
    await fireEvent.click(within(details).getByTestId("backup-save-copy"));

    const dialog = screen.getByRole("dialog", { name: "Save a copy" });
    const destination = within(dialog).getByTestId("backup-copy-destination") as HTMLInputElement;
    expect(document.activeElement).toBe(destination);
    // It starts from the home folder.
    await waitFor(() => expect(destination.value).toBe("/home/ada"));

    const message = "/home/ada/Backups/production-20260501-090000.dump already exists. Choose another name, or remove that file first.";
    api.backupSaveCopy.mockRejectedValueOnce({ code: "invalid_destination", message });
    await fireEvent.input(destination, { target: { value: "/home/ada/Backups" } });
    await fireEvent.click(within(dialog).getByTestId("backup-copy-save"));
    expect(api.backupSaveCopy).toHaveBeenCalledExactlyOnceWith(12, "/home/ada/Backups");
    const error = await within(dialog).findByTestId("backup-copy-destination-error");
    expect(error.textContent).toContain("already exists");
    expect(destination.getAttribute("aria-invalid")).toBe("true");
    expect(destination.getAttribute("aria-describedby")).toContain("backup-copy-destination-error");
    expect(within(dialog).queryByTestId("backup-copy-result")).toBeNull();

    api.backupSaveCopy.mockResolvedValueOnce("/home/ada/Backups/copy.dump");
    await fireEvent.input(destination, { target: { value: "/home/ada/Backups/copy.dump" } });
    expect(within(dialog).queryByTestId("backup-copy-destination-error")).toBeNull();
    await fireEvent.submit(within(dialog).getByTestId("backup-copy-form"));
    expect((await within(dialog).findByTestId("backup-copy-result")).textContent).toContain("/home/ada/Backups/copy.dump");

    await fireEvent.click(within(dialog).getByTestId("backup-copy-close"));
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("fills the destination from the desktop's save dialog, starting at the field's folder", async () => {
    const dialogs = vi.mocked(await import("@tauri-apps/plugin-dialog"));
    dialogs.save.mockResolvedValueOnce("/home/ada/Desktop/chosen.dump");
    await renderList();
    const details = await openDetails(12);
    await fireEvent.click(within(details).getByTestId("backup-save-copy"));
    const destination = byId("backup-copy-destination") as HTMLInputElement;
    await waitFor(() => expect(destination.value).toBe("/home/ada"));
    await fireEvent.click(byId("backup-copy-choose"));
    await waitFor(() => expect(destination.value).toBe("/home/ada/Desktop/chosen.dump"));
    const asked = dialogs.save.mock.calls[0][0];
    expect(asked?.defaultPath).toMatch(/^\/home\/ada\/[^/]+$/);
    expect(api.backupSaveCopy).not.toHaveBeenCalled();

    // Cancelled: the field keeps what it had.
    await fireEvent.click(byId("backup-copy-choose"));
    await waitFor(() => expect(dialogs.save).toHaveBeenCalledTimes(2));
    expect(destination.value).toBe("/home/ada/Desktop/chosen.dump");
  });

  it("asks for a destination before copying", async () => {
    vi.mocked((await import("@tauri-apps/api/path")).homeDir).mockRejectedValueOnce(new Error("not in the app"));
    await renderList();
    const details = await openDetails(12);
    await fireEvent.click(within(details).getByTestId("backup-save-copy"));
    await fireEvent.click(byId("backup-copy-save"));
    expect(byId("backup-copy-destination-error").textContent).toContain("Enter a folder");
    expect(api.backupSaveCopy).not.toHaveBeenCalled();
  });

  it("opens the restore dialog on the backup's connection and restores into a new database", async () => {
    await renderList();
    const details = await openDetails(12);
    await fireEvent.click(within(details).getByTestId("backup-restore"));
    const dialog = screen.getByRole("dialog", { name: "Restore backup" });
    await waitFor(() => expect((within(dialog).getByTestId("restore-connection") as HTMLSelectElement).value).toBe("1"));
    expect((within(dialog).getByTestId("restore-database") as HTMLInputElement).value).toBe("app_restored");

    api.backupRestore.mockResolvedValueOnce({ database: "app_restored", created: true, tool: "postgres:16", seconds: 3.2 });
    await fireEvent.click(within(dialog).getByTestId("restore-start"));
    expect(api.backupRestore).toHaveBeenCalledExactlyOnceWith(expect.objectContaining({ backupId: 12, connectionId: 1, create: true }));
    const result = await within(dialog).findByTestId("restore-result");
    expect(result.dataset.state).toBe("done");
    expect(result.textContent).toContain("Restored into app_restored with postgres:16 in 3.2 s");
  });

  it("deletes a backup after asking, and shows the note when its file was already gone", async () => {
    await renderList();
    const details = await openDetails(12);
    await fireEvent.click(within(details).getByTestId("backup-delete"));
    expect(details.textContent).toContain("Delete this backup of production");
    expect(document.activeElement).toBe(within(details).getByTestId("backup-delete-cancel"));

    api.backupDelete.mockResolvedValueOnce({
      id: 12,
      fileRemoved: false,
      note: "The file /home/ada/Backups/production/production-20260501-090000.dump was already gone.",
    });
    api.backupSearch.mockResolvedValue(pageOf([failed, orphan]));
    await fireEvent.click(within(details).getByTestId("backup-delete-confirm"));

    expect(api.backupDelete).toHaveBeenCalledExactlyOnceWith(12);
    await waitFor(() => expect(rows().map((r) => r.dataset.backupId)).toEqual(["11", "10"]));
    const notice = byId("backups-notice");
    expect(notice.textContent).toContain("Deleted backup #12.");
    expect(notice.textContent).toContain("was already gone.");
    expect(screen.queryByTestId("backup-details")).toBeNull();
  });

  it("keeps the row and shows why a delete failed", async () => {
    await renderList();
    const details = await openDetails(12);
    await fireEvent.click(within(details).getByTestId("backup-delete"));
    api.backupDelete.mockRejectedValueOnce({
      code: "delete_failed",
      message: "The file cannot be deleted: permission denied. Check the folder's permissions.",
    });
    await fireEvent.click(within(details).getByTestId("backup-delete-confirm"));

    expect((await within(details).findByTestId("backup-delete-error")).textContent).toContain("permission denied");
    expect(rows().map((r) => r.dataset.backupId)).toEqual(["12", "11", "10"]);
    expect(screen.queryByTestId("backups-notice")).toBeNull();
  });
});

describe("Scan files", () => {
  it("scans the files, says what it found, and reloads the list", async () => {
    await renderList();
    const answer = deferred<ScanReport>();
    api.backupScan.mockReturnValueOnce(answer.promise);
    await fireEvent.click(byId("backups-scan"));
    expect(api.backupScan).toHaveBeenCalledExactlyOnceWith(false);
    expect((byId("backups-scan") as HTMLButtonElement).disabled).toBe(true);

    api.backupSearch.mockResolvedValue(pageOf([{ ...completed, fileState: "missing" }, failed, orphan]));
    answer.resolve({ checked: 2, missing: [12], modified: [], restored: [] });
    const result = await screen.findByTestId("backups-scan-result");
    expect(result.dataset.state).toBe("done");
    expect(result.textContent).toContain("Checked 2 backups: 1 file missing.");
    await waitFor(() => expect(within(rowOf(12)).getByTestId("backup-file-state").textContent?.trim()).toBe("File missing"));
    expect(api.backupSearch).toHaveBeenCalledTimes(2);
  });

  it("says why the scan failed", async () => {
    await renderList();
    api.backupScan.mockRejectedValueOnce({ code: "store_unavailable", message: "The app database is locked." });
    await fireEvent.click(byId("backups-scan"));
    const result = await screen.findByTestId("backups-scan-result");
    expect(result.dataset.state).toBe("failed");
    expect(result.textContent).toContain("The app database is locked.");
  });
});
