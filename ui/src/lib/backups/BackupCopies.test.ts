// A backup's copies in storage locations, in its details: their states, copy, retry, verify.
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { commands, type Backup, type Copy } from "../bindings";
import { deferred } from "../../test/deferred";
import { emit, listeners } from "../../test/events";
import { backupRecord, copyRecord, savedLocation } from "../../test/fixtures";
import BackupDetails from "./BackupDetails.svelte";
import { formatDateTime } from "./format";

vi.mock("../bindings", () => ({
  EVENTS: { copy: "copy" },
  commands: {
    backupCopies: vi.fn(),
    backupCopy: vi.fn(),
    backupVerifyCopy: vi.fn(),
    storageList: vi.fn(),
  },
}));

vi.mock("@tauri-apps/api/event", () => import("../../test/events"));

const api = vi.mocked(commands);

const nas = savedLocation();
const offsite = savedLocation({ id: 2, name: "offsite" });
const closet = savedLocation({ id: 3, name: "closet" });

beforeEach(() => {
  vi.resetAllMocks();
  listeners.clear();
  api.backupCopies.mockResolvedValue([]);
  api.storageList.mockResolvedValue([nas, offsite, closet]);
});

function renderDetails(backup: Backup = backupRecord()) {
  render(BackupDetails, {
    backup,
    connectionName: "production",
    scheduleName: null,
    onchanged: vi.fn(),
    ondeleted: vi.fn(),
    onsavecopy: vi.fn(),
    onrestore: vi.fn(),
  });
}

function copyRow(locationId: number) {
  const found = screen.getAllByTestId("backup-copy").find((r) => r.dataset.locationId === String(locationId));
  if (!found) throw new Error(`no copy in location ${locationId}`);
  return found;
}

function text(element: HTMLElement) {
  return element.textContent?.replace(/\s+/g, " ").trim();
}

const failed = copyRecord({
  locationId: 2,
  locationName: "offsite",
  state: "failed",
  sizeBytes: null,
  bytesDone: 0,
  encrypted: true,
  errorMessage: "s3://team-backups at https://s3.example.com cannot be reached: connection refused.",
});
const missing = copyRecord({ locationId: 3, locationName: "closet", state: "missing", errorMessage: null });

describe("Backup copies", () => {
  it("lists each copy with its location, state, size, encryption and verification; problems with their errors", async () => {
    api.backupCopies.mockResolvedValueOnce([copyRecord({ verifiedAt: "2026-05-02T08:00:00Z" }), failed, missing]);
    renderDetails();
    const block = await screen.findByTestId("backup-copies");
    await waitFor(() => expect(within(block).getAllByTestId("backup-copy")).toHaveLength(3));
    expect(api.backupCopies).toHaveBeenCalledExactlyOnceWith(7);

    expect(copyRow(1).dataset.state).toBe("copied");
    expect(text(within(copyRow(1)).getByTestId("backup-copy-state"))).toBe("Copied");
    expect(within(copyRow(1)).getByTestId("backup-copy-state").classList.contains("ok")).toBe(true);
    expect(text(within(copyRow(1)).getByTestId("backup-copy-facts"))).toBe(
      `1.2 MiB · not encrypted · verified ${formatDateTime("2026-05-02T08:00:00Z")}`,
    );
    expect(within(copyRow(1)).queryByTestId("backup-copy-error")).toBeNull();
    expect(within(copyRow(1)).queryByTestId("backup-copy-retry")).toBeNull();

    // A failed copy is red, with the app's error.
    expect(copyRow(2).classList.contains("problem")).toBe(true);
    expect(within(copyRow(2)).getByTestId("backup-copy-state").classList.contains("problem")).toBe(true);
    expect(text(within(copyRow(2)).getByTestId("backup-copy-facts"))).toBe("encrypted");
    expect(text(within(copyRow(2)).getByTestId("backup-copy-error"))).toBe(failed.errorMessage);
    expect(text(within(copyRow(2)).getByTestId("backup-copy-retry"))).toBe("Retry");
    expect(within(copyRow(2)).queryByTestId("backup-copy-verify")).toBeNull();

    // A missing one is amber, and says what that means when the app gave no error.
    expect(copyRow(3).classList.contains("warning")).toBe(true);
    expect(text(within(copyRow(3)).getByTestId("backup-copy-state"))).toBe("Missing");
    expect(text(within(copyRow(3)).getByTestId("backup-copy-error"))).toBe("The copy's objects are no longer in the location.");
    expect(text(within(copyRow(3)).getByTestId("backup-copy-retry"))).toBe("Copy again");
  });

  it("retries a failed copy to its location, encrypted as before, showing its progress from the copy events", async () => {
    const answer = deferred<Copy>();
    api.backupCopies.mockResolvedValueOnce([failed]);
    api.backupCopy.mockReturnValueOnce(answer.promise);
    renderDetails(backupRecord({ sizeBytes: 4 * 1024 * 1024 }));
    await waitFor(() => expect(copyRow(2).dataset.state).toBe("failed"));

    await fireEvent.click(within(copyRow(2)).getByTestId("backup-copy-retry"));
    expect(api.backupCopy).toHaveBeenCalledExactlyOnceWith(7, 2, true);
    expect(copyRow(2).dataset.state).toBe("copying");
    expect(within(copyRow(2)).queryByTestId("backup-copy-error")).toBeNull();
    expect(within(copyRow(2)).queryByTestId("backup-copy-retry")).toBeNull();

    emit("copy", { kind: "progress", backupId: 7, locationId: 2, bytes: 1024 * 1024 });
    // Another backup's progress is not this one's.
    emit("copy", { kind: "progress", backupId: 8, locationId: 2, bytes: 3 * 1024 * 1024 });
    await waitFor(() => expect(within(copyRow(2)).getByTestId("backup-copy-progress").textContent).toContain("1.0 MiB of 4.0 MiB"));
    expect(within(copyRow(2)).getByRole("progressbar").getAttribute("aria-valuenow")).toBe("25");

    api.backupCopies.mockResolvedValueOnce([copyRecord({ locationId: 2, locationName: "offsite", encrypted: true })]);
    answer.resolve(copyRecord({ locationId: 2, locationName: "offsite", encrypted: true }));
    await waitFor(() => expect(copyRow(2).dataset.state).toBe("copied"));
    expect(within(copyRow(2)).queryByTestId("backup-copy-progress")).toBeNull();
    expect(api.backupCopies).toHaveBeenCalledTimes(2);
  });

  it("shows why a retry failed once, under the copy, as the app recorded it", async () => {
    api.backupCopies.mockResolvedValueOnce([failed]);
    api.backupCopy.mockRejectedValueOnce({ code: "storage_unreachable", message: "offsite cannot be reached: timed out." });
    api.backupCopies.mockResolvedValueOnce([{ ...failed, errorMessage: "offsite cannot be reached: timed out.", attempts: 2 }]);
    renderDetails();
    await waitFor(() => expect(copyRow(2).dataset.state).toBe("failed"));
    await fireEvent.click(within(copyRow(2)).getByTestId("backup-copy-retry"));

    await waitFor(() => expect(text(within(copyRow(2)).getByTestId("backup-copy-error"))).toBe("offsite cannot be reached: timed out."));
    expect(copyRow(2).dataset.state).toBe("failed");
    expect(api.backupCopies).toHaveBeenCalledTimes(2);
    // Not a second time below the list.
    expect(screen.queryByTestId("backup-copy-action-error")).toBeNull();
  });

  it("says why a copy could not start when no copy was recorded", async () => {
    api.backupCopy.mockRejectedValueOnce({
      code: "backup_file_missing",
      message: "The file of backup 7 is gone: /home/ada/Backups/production/production-20260501-090000.dump.",
    });
    renderDetails();
    await screen.findByTestId("backup-copies-none");
    await fireEvent.click(screen.getByTestId("backup-copy-to"));
    await screen.findByTestId("backup-copy-to-location");
    await fireEvent.click(screen.getByTestId("backup-copy-to-start"));
    expect(api.backupCopy).toHaveBeenCalledExactlyOnceWith(7, 1, false);

    const error = await screen.findByTestId("backup-copy-action-error");
    expect(error.textContent).toContain("Could not copy to nas: The file of backup 7 is gone");
    expect(screen.getByTestId("backup-copies-none")).toBeTruthy();
  });

  it("copies to a chosen location, encrypted when asked, and lists it while it runs", async () => {
    const answer = deferred<Copy>();
    api.backupCopies.mockResolvedValueOnce([copyRecord()]);
    api.backupCopy.mockReturnValueOnce(answer.promise);
    renderDetails();
    await waitFor(() => expect(copyRow(1).dataset.state).toBe("copied"));

    await fireEvent.click(screen.getByTestId("backup-copy-to"));
    const select = (await screen.findByTestId("backup-copy-to-location")) as HTMLSelectElement;
    // The first location without a good copy is offered first.
    expect(select.value).toBe("2");
    expect(Array.from(select.options).map((o) => o.textContent)).toEqual(["nas", "offsite", "closet"]);
    await fireEvent.change(select, { target: { value: "3" } });
    await fireEvent.click(screen.getByTestId("backup-copy-to-encrypt"));
    await fireEvent.click(screen.getByTestId("backup-copy-to-start"));

    expect(api.backupCopy).toHaveBeenCalledExactlyOnceWith(7, 3, true);
    expect(screen.queryByTestId("backup-copy-to-form")).toBeNull();
    expect(copyRow(3).dataset.state).toBe("copying");
    expect(text(within(copyRow(3)).getByTestId("backup-copy-location"))).toBe("closet");
    expect(within(copyRow(3)).getByTestId("backup-copy-progress")).toBeTruthy();

    api.backupCopies.mockResolvedValueOnce([copyRecord(), copyRecord({ locationId: 3, locationName: "closet", encrypted: true })]);
    answer.resolve(copyRecord({ locationId: 3, locationName: "closet", encrypted: true }));
    await waitFor(() => expect(copyRow(3).dataset.state).toBe("copied"));
    expect(text(within(copyRow(3)).getByTestId("backup-copy-facts"))).toContain("encrypted");

    // The next copy is encrypted only when asked for it again.
    await fireEvent.click(screen.getByTestId("backup-copy-to"));
    await screen.findByTestId("backup-copy-to-location");
    expect((screen.getByTestId("backup-copy-to-encrypt") as HTMLInputElement).checked).toBe(false);
  });

  it("points to the Storage page when there is no location to copy to", async () => {
    api.storageList.mockResolvedValueOnce([]);
    renderDetails();
    await screen.findByTestId("backup-copies-none");
    expect(screen.getByTestId("backup-copies-none").textContent).toBe("Not copied to any storage location.");
    await fireEvent.click(screen.getByTestId("backup-copy-to"));
    const none = await screen.findByTestId("backup-copy-to-none");
    expect(none.textContent).toContain("No storage locations yet.");
    expect(within(none).getByRole("link").getAttribute("href")).toBe("#/storage");
  });

  it("verifies a copy and shows what reading it back found", async () => {
    api.backupCopies.mockResolvedValue([copyRecord(), missing]);
    api.backupVerifyCopy.mockResolvedValueOnce({ ok: true, state: "copied", problems: [], bytesRead: 1_258_291 });
    api.backupVerifyCopy.mockResolvedValueOnce({
      ok: false,
      state: "missing",
      problems: ["production-20260501-090000.dump: not found"],
      bytesRead: 0,
    });
    renderDetails();
    await waitFor(() => expect(screen.getAllByTestId("backup-copy")).toHaveLength(2));

    await fireEvent.click(within(copyRow(1)).getByTestId("backup-copy-verify"));
    expect(api.backupVerifyCopy).toHaveBeenLastCalledWith(7, 1);
    const ok = await within(copyRow(1)).findByTestId("backup-copy-check");
    expect(ok.dataset.ok).toBe("true");
    expect(text(ok)).toBe("Copy verified: every object reads back as stored (1.2 MiB read).");

    await fireEvent.click(within(copyRow(3)).getByTestId("backup-copy-verify"));
    expect(api.backupVerifyCopy).toHaveBeenLastCalledWith(7, 3);
    const bad = await within(copyRow(3)).findByTestId("backup-copy-check");
    expect(bad.dataset.ok).toBe("false");
    expect(text(bad)).toBe("The copy is missing: production-20260501-090000.dump: not found");
  });

  it("reloads when the backend says the backup's copies changed", async () => {
    renderDetails();
    await screen.findByTestId("backup-copies-none");
    api.backupCopies.mockResolvedValueOnce([copyRecord({ state: "pending", sizeBytes: null, bytesDone: 0 })]);
    emit("copy", { kind: "changed", backupId: 7 });
    await waitFor(() => expect(copyRow(1).dataset.state).toBe("pending"));
    expect(text(within(copyRow(1)).getByTestId("backup-copy-state"))).toBe("Waiting");
    emit("copy", { kind: "changed", backupId: 99 });
    expect(api.backupCopies).toHaveBeenCalledTimes(2);
  });

  it("says a backup whose local file was removed is kept in the storage locations only", async () => {
    api.backupCopies.mockResolvedValueOnce([copyRecord()]);
    renderDetails(backupRecord({ localRemovedAt: "2026-05-03T00:00:00Z" }));
    const note = await screen.findByTestId("backup-local-removed");
    expect(note.textContent).toContain("Kept in storage locations only — restore fetches it back");
  });

  it("shows no copies for a backup that has no file to copy", () => {
    renderDetails(backupRecord({ status: "failed", filePath: null, sizeBytes: null, errorMessage: "pg_dump failed" }));
    expect(screen.getByTestId("backup-details")).toBeTruthy();
    expect(screen.queryByTestId("backup-copies")).toBeNull();
    expect(api.backupCopies).not.toHaveBeenCalled();
  });
});
