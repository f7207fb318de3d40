import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { commands, type Backup } from "../bindings";
import { running } from "../backups/running.svelte";
import { backupRecord, savedConnection } from "../../test/fixtures";
import Backups from "./Backups.svelte";

vi.mock("../bindings", () => ({
  commands: {
    connectionList: vi.fn(),
    backupList: vi.fn(),
    backupCancel: vi.fn(),
  },
}));

const api = vi.mocked(commands);

const production = savedConnection();
const staging = savedConnection({ id: 2, name: "staging" });

const completed = backupRecord({ id: 12 });
const failed = backupRecord({
  id: 11,
  connectionId: 2,
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
  trigger: "schedule",
});
const orphan = backupRecord({ id: 10, connectionId: 9, status: "cancelled", sizeBytes: null });

/** `count` backups, newest (highest id) first, starting below `top`. */
function many(count: number, top = 1000): Backup[] {
  return Array.from({ length: count }, (_, i) => backupRecord({ id: top - i }));
}

function rows() {
  return screen.getAllByTestId("backup-row");
}

beforeEach(() => {
  vi.resetAllMocks();
  running.reset();
  api.connectionList.mockResolvedValue([production, staging]);
  api.backupList.mockResolvedValue([completed, failed, orphan]);
});

describe("Backups page", () => {
  it("lists the backups newest first with name, status, size, format, runner and versions", async () => {
    render(Backups);
    expect(screen.getByTestId("page-title").textContent).toBe("Backups");
    await screen.findByTestId("backups-table");
    expect(api.backupList).toHaveBeenCalledExactlyOnceWith(null, 50, 0);

    expect(rows().map((r) => r.dataset.status)).toEqual(["completed", "failed", "cancelled"]);
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
    // A backup of a connection that is gone keeps its row.
    expect(within(rows()[2]).getByTestId("backup-connection").textContent?.trim()).toBe("Connection #9");
    expect(screen.queryByTestId("backups-empty")).toBeNull();
    // One page only: no pager.
    expect(screen.queryByTestId("backups-next")).toBeNull();
  });

  it("opens a row's details: file, checksum, compression, trigger, times, error and log", async () => {
    render(Backups);
    await screen.findByTestId("backups-table");
    expect(screen.queryByTestId("backup-details")).toBeNull();

    await fireEvent.click(rows()[0]);
    let details = screen.getByTestId("backup-details");
    expect(details.dataset.backupId).toBe("12");
    expect(within(details).getByTestId("backup-details-path").textContent).toBe(completed.filePath);
    expect(within(details).getByTestId("backup-details-sha256").textContent).toBe(completed.sha256);
    expect(within(details).getByTestId("backup-details-compression").textContent).toBe("zstd:3");
    expect(within(details).getByTestId("backup-details-trigger").textContent).toContain("Manual");
    expect(within(details).getByTestId("backup-details-duration").textContent).toBe("3 s");
    expect(within(details).getByTestId("backup-details-log").textContent).toContain('dumping contents of table "public.orders"');
    expect(within(rows()[0]).getByTestId("backup-expand").getAttribute("aria-expanded")).toBe("true");

    // Another row's button switches the details to it.
    await fireEvent.click(within(rows()[1]).getByTestId("backup-expand"));
    details = screen.getByTestId("backup-details");
    expect(details.dataset.backupId).toBe("11");
    expect(within(details).getByTestId("backup-details-error").textContent).toBe(failed.errorMessage);
    expect(within(details).getByTestId("backup-details-path").textContent).toBe("No file");
    expect(within(details).getByTestId("backup-details-trigger").textContent).toBe("Schedule");
    expect(screen.getAllByTestId("backup-details")).toHaveLength(1);

    // Clicking it again closes it.
    await fireEvent.click(rows()[1]);
    expect(screen.queryByTestId("backup-details")).toBeNull();
  });

  it("pages 50 at a time with Next and Previous", async () => {
    api.backupList.mockResolvedValueOnce(many(50, 1000));
    render(Backups);
    await screen.findByTestId("backups-table");
    expect(rows()).toHaveLength(50);
    expect(screen.getByTestId("backups-range").textContent?.trim()).toBe("1–50");
    expect((screen.getByTestId("backups-prev") as HTMLButtonElement).disabled).toBe(true);

    api.backupList.mockResolvedValueOnce(many(50, 950));
    await fireEvent.click(screen.getByTestId("backups-next"));
    expect(api.backupList).toHaveBeenLastCalledWith(null, 50, 50);
    await waitFor(() => expect(rows()[0].dataset.id).toBe("950"));
    expect(screen.getByTestId("backups-range").textContent?.trim()).toBe("51–100");

    api.backupList.mockResolvedValueOnce(many(7, 900));
    await fireEvent.click(screen.getByTestId("backups-next"));
    expect(api.backupList).toHaveBeenLastCalledWith(null, 50, 100);
    await waitFor(() => expect(rows()).toHaveLength(7));
    // A short page is the last one.
    expect((screen.getByTestId("backups-next") as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId("backups-range").textContent?.trim()).toBe("101–107");

    api.backupList.mockResolvedValueOnce(many(50, 950));
    await fireEvent.click(screen.getByTestId("backups-prev"));
    expect(api.backupList).toHaveBeenLastCalledWith(null, 50, 50);
    await waitFor(() => expect(rows()).toHaveLength(50));
  });

  it("filters by connection, starting again at the first page", async () => {
    api.backupList.mockResolvedValueOnce(many(50));
    render(Backups);
    await screen.findByTestId("backups-table");
    api.backupList.mockResolvedValueOnce(many(50, 950));
    await fireEvent.click(screen.getByTestId("backups-next"));
    await waitFor(() => expect(rows()[0].dataset.id).toBe("950"));

    const filter = screen.getByTestId("backups-filter") as HTMLSelectElement;
    await waitFor(() => expect(filter.options).toHaveLength(3));
    api.backupList.mockResolvedValueOnce([failed]);
    await fireEvent.change(filter, { target: { value: "2" } });

    expect(api.backupList).toHaveBeenLastCalledWith(2, 50, 0);
    await waitFor(() => expect(rows().map((r) => r.dataset.id)).toEqual(["11"]));
  });

  it("shows the empty state when there are no backups", async () => {
    api.backupList.mockResolvedValue([]);
    render(Backups);
    const empty = await screen.findByTestId("backups-empty");
    expect(empty.textContent).toContain("No backups yet.");
    expect(screen.queryByTestId("backups-table")).toBeNull();
  });

  it("says why the list could not be loaded and tries again", async () => {
    api.backupList.mockRejectedValueOnce({ code: "store_unavailable", message: "The app database is locked." });
    render(Backups);
    const error = await screen.findByTestId("backups-error");
    expect(error.textContent).toContain("The app database is locked.");

    await fireEvent.click(screen.getByTestId("backups-retry"));
    await screen.findByTestId("backups-table");
  });

  it("shows running backups on top with Cancel, and reloads when one finishes", async () => {
    render(Backups);
    await screen.findByTestId("backups-table");
    expect(screen.queryByTestId("backups-running")).toBeNull();

    running.handle({ kind: "started", backupId: 13, connectionId: 1 });
    running.handle({ kind: "stage", backupId: 13, text: "Dumping with pg_dump 16.4 (postgres:16)" });
    running.handle({ kind: "progress", backupId: 13, bytes: 3 * 1024 * 1024, elapsedMs: 2000, bytesPerSecond: 1536 * 1024 });
    const section = await screen.findByTestId("backups-running");
    const item = within(section).getByTestId("running-backup");
    await waitFor(() => expect(within(item).getByTestId("running-backup-connection").textContent).toBe("production"));
    expect(within(item).getByTestId("running-backup-stage").textContent).toBe("Dumping with pg_dump 16.4 (postgres:16)");
    expect(within(item).getByTestId("running-backup-progress").textContent).toBe("3.0 MiB written · 1.5 MiB/s · 2 s");

    api.backupCancel.mockResolvedValueOnce(true);
    await fireEvent.click(within(item).getByTestId("running-backup-cancel"));
    expect(api.backupCancel).toHaveBeenCalledExactlyOnceWith(13);

    const record = backupRecord({ id: 13, status: "cancelled", sizeBytes: null });
    api.backupList.mockResolvedValueOnce([record, completed, failed, orphan]);
    running.handle({ kind: "finished", backup: record });
    await waitFor(() => expect(rows().map((r) => r.dataset.status)).toEqual(["cancelled", "completed", "failed", "cancelled"]));
    expect(api.backupList).toHaveBeenCalledTimes(2);
    expect(screen.queryByTestId("backups-running")).toBeNull();
  });
});
