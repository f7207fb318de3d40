// Server sets on the Backups page: one row per set, its parts under it, its details and restore.
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { commands } from "../bindings";
import { running } from "../backups/running.svelte";
import { backupRecord, savedConnection, serverConnection, serverSetRecord } from "../../test/fixtures";
import Backups from "./Backups.svelte";

vi.mock("../bindings", () => ({
  EVENTS: { backup: "backup", schedules: "schedules", restore: "restore", copy: "copy" },
  commands: {
    connectionList: vi.fn(),
    backupCopies: vi.fn(),
    scheduleList: vi.fn(),
    backupSearch: vi.fn(),
    backupVerify: vi.fn(),
    backupShowInFolder: vi.fn(),
    backupDelete: vi.fn(),
    backupRestore: vi.fn(),
    backupRestoreSet: vi.fn(),
    backupRestoreCancel: vi.fn(),
  },
}));

vi.mock("@tauri-apps/api/path", () => ({ homeDir: vi.fn(async () => "/home/ada") }));
vi.mock("@tauri-apps/plugin-dialog", () => ({ save: vi.fn(async () => null) }));

const api = vi.mocked(commands);
const set = serverSetRecord();
const single = backupRecord({ id: 7 });
const broken = backupRecord({ id: 6, status: "failed", filePath: null, sizeBytes: null, errorMessage: "pg_dump failed." });

function rowOf(id: number) {
  const found = screen.getAllByTestId("backup-row").find((r) => r.dataset.backupId === String(id));
  if (!found) throw new Error(`no row for backup ${id}`);
  return found;
}

async function renderList() {
  render(Backups);
  await screen.findByTestId("backups-table");
}

beforeEach(() => {
  vi.resetAllMocks();
  running.reset();
  api.backupCopies.mockResolvedValue([]);
  api.connectionList.mockResolvedValue([savedConnection(), serverConnection()]);
  api.scheduleList.mockResolvedValue([]);
  api.backupSearch.mockResolvedValue({ items: [set, single, broken], total: 3 });
});

describe("A server set in the Backups list", () => {
  it("is one row saying how much of the server it holds, with a Partial badge unlike Failed", async () => {
    await renderList();
    expect(screen.getAllByTestId("backup-row")).toHaveLength(3);
    const row = within(rowOf(20));
    expect(row.getByTestId("backup-connection").textContent).toBe("cluster");
    expect(row.getByTestId("backup-set-toggle").textContent?.trim()).toBe("Set · 4 of 5");

    const badge = row.getByTestId("backup-status");
    expect(badge.textContent).toBe("Partial");
    expect(badge.classList.contains("warning")).toBe(true);
    expect(badge.classList.contains("problem")).toBe(false);
    const failed = within(rowOf(6)).getByTestId("backup-status");
    expect(failed.classList.contains("problem")).toBe(true);
    // A one-database backup has no set toggle.
    expect(within(rowOf(7)).queryByTestId("backup-set-toggle")).toBeNull();
  });

  it("expands into its globals and databases with a disclosure button, without opening the details", async () => {
    await renderList();
    const toggle = within(rowOf(20)).getByTestId("backup-set-toggle");
    expect(toggle.tagName).toBe("BUTTON");
    expect(toggle.getAttribute("type")).toBe("button");
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(screen.queryByTestId("set-parts")).toBeNull();

    await fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    const partsRow = screen.getByTestId("backup-parts-row");
    expect(partsRow.id).toBe(toggle.getAttribute("aria-controls"));
    expect(screen.queryByTestId("backup-details")).toBeNull();

    const globals = within(partsRow).getByTestId("set-globals");
    expect(globals.textContent).toContain("Roles and settings");
    expect(within(globals).getByTestId("set-part-status").textContent).toBe("Completed");
    expect(within(globals).getByTestId("set-globals-no-passwords").textContent?.trim()).toBe("without role passwords");

    const parts = within(partsRow).getAllByTestId("set-part");
    expect(parts.map((p) => p.dataset.database)).toEqual(["app", "shop", "shop_eu", "legacy", "analytics"]);
    expect(parts.map((p) => within(p).getByTestId("set-part-status").textContent)).toEqual([
      "Completed",
      "Completed",
      "Completed",
      "Failed",
      "Completed",
    ]);
    expect(parts.map((p) => within(p).getByTestId("set-part-size").textContent)).toEqual([
      "1.0 MiB",
      "2.0 MiB",
      "512 KiB",
      "—",
      "3.0 MiB",
    ]);
    expect(within(parts[3]).getByTestId("set-part-error").textContent).toContain('permission denied for table "audit"');
    expect(within(parts[0]).queryByTestId("set-part-error")).toBeNull();
    // The row's list is short: paths are for the details.
    expect(within(partsRow).queryByTestId("set-part-path")).toBeNull();

    await fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(screen.queryByTestId("backup-parts-row")).toBeNull();
  });

  it("says nothing about passwords when the globals have them", async () => {
    api.backupSearch.mockResolvedValue({
      items: [serverSetRecord({ status: "completed", globals: { ...set.globals!, rolePasswords: true } })],
      total: 1,
    });
    await renderList();
    await fireEvent.click(within(rowOf(20)).getByTestId("backup-set-toggle"));
    expect(screen.getByTestId("set-globals")).toBeTruthy();
    expect(screen.queryByTestId("set-globals-no-passwords")).toBeNull();
  });

  it("lists the parts in the details too, with their files, and offers a partial set's restore", async () => {
    await renderList();
    await fireEvent.click(within(rowOf(20)).getByTestId("backup-expand"));
    const details = screen.getByTestId("backup-details");
    expect(details.textContent).toContain("Folder");
    expect(within(details).getByTestId("backup-details-error").classList.contains("warning")).toBe(true);

    const section = within(details).getByTestId("backup-details-set");
    expect(section.textContent).toContain("Server set · 4 of 5 databases");
    const parts = within(section).getAllByTestId("set-part");
    expect(parts).toHaveLength(5);
    expect(within(parts[1]).getByTestId("set-part-path").textContent).toBe(
      "/home/ada/Backups/cluster/cluster-20260501-090000.set/02-shop.dump",
    );
    expect(parts[1].textContent).toContain("of 8.0 MiB on the server");
    expect(within(parts[3]).queryByTestId("set-part-path")).toBeNull();

    await fireEvent.click(within(details).getByTestId("backup-restore"));
    const dialog = screen.getByRole("dialog", { name: "Restore backup" });
    expect((within(dialog).getByTestId("restore-set-whole") as HTMLInputElement).checked).toBe(true);
  });

  it("shows no parts section in a one-database backup's details", async () => {
    await renderList();
    await fireEvent.click(within(rowOf(7)).getByTestId("backup-expand"));
    const details = screen.getByTestId("backup-details");
    expect(within(details).queryByTestId("backup-details-set")).toBeNull();
    expect(details.textContent).not.toContain("Folder");
  });
});
