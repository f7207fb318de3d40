import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import {
  commands,
  type Backup,
  type Schedule,
  type ScheduleInput,
  type SchedulePreview,
  type SchedulerStatus,
  type SchedulesEvent,
} from "../bindings";
import { running } from "../backups/running.svelte";
import { deferred } from "../../test/deferred";
import { emit as emitEvent, listeners } from "../../test/events";
import { backupRecord, proofRecord, savedConnection, savedSchedule } from "../../test/fixtures";
import Schedules from "./Schedules.svelte";

vi.mock("../bindings", () => ({
  EVENTS: { backup: "backup", schedules: "schedules" },
  commands: {
    connectionList: vi.fn(),
    storageList: vi.fn(),
    scheduleSetCopyPlan: vi.fn(),
    scheduleList: vi.fn(),
    scheduleCreate: vi.fn(),
    scheduleUpdate: vi.fn(),
    scheduleDelete: vi.fn(),
    schedulePause: vi.fn(),
    scheduleResume: vi.fn(),
    scheduleRunNow: vi.fn(),
    scheduleMissed: vi.fn(),
    schedulePreview: vi.fn(),
    schedulerStatus: vi.fn(),
    schedulesSetPaused: vi.fn(),
    retentionPreview: vi.fn(),
    backupCancel: vi.fn(),
  },
}));

// The test plays the backend's events.
vi.mock("@tauri-apps/api/event", () => import("../../test/events"));

// This computer is in New York; the schedules run on Berlin's clock.
vi.mock("../schedules/form", async (original) => ({
  ...(await original<typeof import("../schedules/form")>()),
  localTimeZone: () => "America/New_York",
}));

const api = vi.mocked(commands);

const production = savedConnection();
const staging = savedConnection({ id: 2, name: "staging" });
const nightly = savedSchedule();
const failing = savedSchedule({
  id: 4,
  name: "staging hourly",
  connectionId: 2,
  cron: "@hourly",
  description: "every hour, at minute 0",
  timezone: "UTC",
  lastStatus: "failed",
  lastError: "pg_dump: error: connection to server failed: FATAL: password authentication failed",
  nextRunAt: "2026-05-01T13:00:00Z",
});
const paused = savedSchedule({
  id: 5,
  name: "archive",
  isActive: false,
  nextRunAt: null,
  lastRunAt: null,
  lastStatus: null,
  lastBackupId: null,
});

const runningHere: SchedulerStatus = { runningHere: true, note: null, allPaused: false };

function previewOf(pattern: string, timezone = "America/New_York"): SchedulePreview {
  return {
    pattern,
    timezone,
    description: `plain words for ${pattern}`,
    runs: [
      "2026-05-02T02:30:00-04:00",
      "2026-05-03T02:30:00-04:00",
      "2026-05-04T02:30:00-04:00",
      "2026-05-05T02:30:00-04:00",
      "2026-05-06T02:30:00-04:00",
    ],
  };
}

beforeEach(() => {
  vi.resetAllMocks();
  running.reset();
  listeners.clear();
  api.connectionList.mockResolvedValue([production, staging]);
  api.storageList.mockResolvedValue([]);
  api.scheduleList.mockResolvedValue([nightly, failing, paused]);
  api.schedulerStatus.mockResolvedValue(runningHere);
  api.scheduleMissed.mockResolvedValue([]);
  api.schedulePreview.mockImplementation(async (pattern, timezone) => previewOf(pattern, timezone));
  api.retentionPreview.mockImplementation(async (scheduleId) => ({
    scheduleId,
    keepLast: 7,
    keepDays: null,
    delete: [],
    keep: 7,
  }));
});

function byId(id: string) {
  return screen.getByTestId(id);
}

function row(id: number) {
  const found = screen.getAllByTestId("schedule-row").find((r) => r.dataset.scheduleId === String(id));
  if (!found) throw new Error(`no row for schedule ${id}`);
  return found;
}

function type(id: string, value: string) {
  return fireEvent.input(byId(id), { target: { value } });
}

function emit(event: SchedulesEvent) {
  emitEvent("schedules", event);
}

async function renderList() {
  render(Schedules);
  await screen.findAllByTestId("schedule-row");
}

async function openNewForm() {
  await renderList();
  await fireEvent.click(byId("schedule-new"));
  return byId("schedule-form");
}

describe("Schedules list", () => {
  it("shows each schedule with its connection, pattern, zone, state, next and last run", async () => {
    await renderList();
    expect(byId("page-title").textContent).toBe("Schedules");
    expect(screen.getAllByTestId("schedule-row").map((r) => r.dataset.scheduleId)).toEqual(["3", "4", "5"]);

    const first = within(row(3));
    expect(first.getByTestId("schedule-row-name").textContent).toBe("production nightly");
    await waitFor(() => expect(first.getByTestId("schedule-row-connection").textContent).toBe("production"));
    expect(first.getByTestId("schedule-row-cron").textContent).toBe("30 2 * * *");
    expect(first.getByTestId("schedule-row-description").textContent).toBe("at 02:30, every day");
    expect(first.getByTestId("schedule-row-timezone").textContent).toContain("Europe/Berlin");
    expect(first.getByTestId("schedule-row-state").textContent?.trim()).toBe("Active");
    // 00:30 UTC is 20:30 the evening before in New York, this computer's zone.
    expect(first.getByTestId("schedule-row-next-run").textContent).toContain("Fri 2026-05-01 20:30");
    expect(first.getByTestId("schedule-row-last-run").textContent).toContain("Thu 2026-04-30 20:30");
    expect(first.getByTestId("backup-status").textContent).toBe("Completed");
    expect(first.getByTestId("schedule-row-options").textContent).toBe("Custom · auto · Keeps the last 7");
    expect(first.queryByTestId("schedule-row-last-error")).toBeNull();

    const second = within(row(4));
    expect(second.getByTestId("schedule-row-connection").textContent).toBe("staging");
    expect(second.getByTestId("backup-status").textContent).toBe("Failed");
    expect(second.getByTestId("schedule-row-last-error").textContent).toContain("password authentication failed");

    const third = within(row(5));
    expect(third.getByTestId("schedule-row-state").textContent?.trim()).toBe("Paused");
    expect(third.getByTestId("schedule-row-next-run").textContent?.trim()).toBe("Paused");
    expect(third.getByTestId("schedule-row-last-run").textContent?.trim()).toBe("Never");
    expect(third.getByTestId("schedule-toggle").textContent?.trim()).toBe("Resume");
  });

  it("explains an empty list and offers a new schedule", async () => {
    api.scheduleList.mockResolvedValue([]);
    render(Schedules);

    const empty = await screen.findByTestId("empty-state");
    expect(empty.textContent).toContain("No schedules yet.");
    expect(screen.queryByTestId("schedules-go-connections")).toBeNull();
    await fireEvent.click(within(empty).getByRole("button", { name: /New schedule/ }));
    expect(byId("schedule-form")).toBeTruthy();
  });

  it("points to the Connections page when there is nothing to schedule", async () => {
    api.scheduleList.mockResolvedValue([]);
    api.connectionList.mockResolvedValue([]);
    render(Schedules);

    await waitFor(() => expect(byId("schedules-go-connections").getAttribute("href")).toBe("#/connections"));
    await fireEvent.click(byId("schedule-new"));
    expect(byId("schedule-no-connections").textContent).toContain("no saved connections");
    expect((byId("schedule-save") as HTMLButtonElement).disabled).toBe(true);
  });

  it("says why the list could not be loaded and tries again", async () => {
    api.scheduleList.mockRejectedValueOnce({ code: "store_unavailable", message: "The app database is locked." });
    render(Schedules);

    const error = await screen.findByTestId("schedules-error");
    expect(error.textContent).toContain("The app database is locked.");
    expect(error.textContent).toContain("store_unavailable");

    await fireEvent.click(byId("schedules-retry"));
    await screen.findAllByTestId("schedule-row");
    expect(screen.queryByTestId("schedules-error")).toBeNull();
  });

  it("reloads when the backend says schedules changed or a backup finished, and stops listening when closed", async () => {
    const { unmount } = render(Schedules);
    await screen.findAllByTestId("schedule-row");
    await waitFor(() => expect(listeners.has("schedules")).toBe(true));
    expect(api.scheduleList).toHaveBeenCalledTimes(1);

    api.scheduleList.mockResolvedValue([nightly]);
    emit({ kind: "changed" });
    await waitFor(() => expect(screen.getAllByTestId("schedule-row")).toHaveLength(1));
    expect(api.schedulerStatus).toHaveBeenCalledTimes(2);

    api.scheduleList.mockResolvedValue([{ ...nightly, nextRunAt: "2026-05-03T00:30:00Z" }]);
    emit({ kind: "nextRunUpdated", scheduleIds: [3] });
    await waitFor(() =>
      expect(within(row(3)).getByTestId("schedule-row-next-run").textContent).toContain("Sat 2026-05-02 20:30"),
    );

    api.scheduleList.mockResolvedValue([{ ...nightly, lastStatus: "failed", lastError: "disk full" }]);
    running.handle({ kind: "finished", backup: backupRecord({ status: "failed", scheduleId: 3, trigger: "schedule" }) });
    await waitFor(() => expect(within(row(3)).getByTestId("schedule-row-last-error").textContent).toContain("disk full"));

    unmount();
    await waitFor(() => expect(listeners.has("schedules")).toBe(false));
  });
});

describe("Schedule row alert", () => {
  it("says after how long without a good backup a schedule alerts, only when it has its own threshold", async () => {
    api.scheduleList.mockResolvedValue([
      { ...nightly, alertAfterSeconds: 172_800 },
      { ...failing, alertAfterSeconds: 3600 },
      paused,
    ]);
    await renderList();

    expect(within(row(3)).getByTestId("schedule-row-alert").textContent).toBe(
      "Alerts after 2 days without a good backup",
    );
    expect(within(row(4)).getByTestId("schedule-row-alert").textContent).toBe(
      "Alerts after 1 hour without a good backup",
    );
    expect(within(row(5)).queryByTestId("schedule-row-alert")).toBeNull();
  });
});

describe("Schedule row copies", () => {
  it("says where a schedule's backups are copied, only when they are", async () => {
    api.storageList.mockResolvedValue([
      { id: 1, name: "nas", settings: { kind: "folder", path: "/mnt/nas" }, keepLast: null, keepDays: null, createdAt: "2026-04-01T00:00:00Z" },
      { id: 2, name: "offsite", settings: { kind: "folder", path: "/mnt/off" }, keepLast: null, keepDays: null, createdAt: "2026-04-01T00:00:00Z" },
    ]);
    api.scheduleList.mockResolvedValue([
      { ...nightly, copies: { to: [1, 2], encrypt: true, keepLocal: true } },
      { ...failing, copies: { to: [2], encrypt: false, keepLocal: false } },
      paused,
    ]);
    await renderList();

    await waitFor(() =>
      expect(within(row(3)).getByTestId("schedule-row-copies").textContent).toBe("to nas, offsite · encrypted"),
    );
    expect(within(row(3)).getByTestId("schedule-row-copies").closest("div")?.textContent).toContain("Copies");
    expect(within(row(4)).getByTestId("schedule-row-copies").textContent).toBe("to offsite · local copy removed");
    expect(within(row(5)).queryByTestId("schedule-row-copies")).toBeNull();
  });

  it("hands the locations to the form, which sends a changed plan after saving", async () => {
    api.storageList.mockResolvedValue([
      { id: 1, name: "nas", settings: { kind: "folder", path: "/mnt/nas" }, keepLast: null, keepDays: null, createdAt: "2026-04-01T00:00:00Z" },
    ]);
    api.scheduleUpdate.mockResolvedValueOnce(nightly);
    api.scheduleSetCopyPlan.mockResolvedValueOnce({ ...nightly, copies: { to: [1], encrypt: false, keepLocal: true } });
    await renderList();
    await fireEvent.click(within(row(3)).getByTestId("schedule-edit"));
    const box = screen.getAllByTestId("schedule-copy-to").find((b) => b.dataset.locationId === "1") as HTMLInputElement;
    expect(box.closest("label")?.textContent?.trim()).toBe("nas");
    await fireEvent.click(box);
    await fireEvent.click(byId("schedule-save"));
    await waitFor(() => expect(api.scheduleSetCopyPlan).toHaveBeenCalledExactlyOnceWith(3, { to: [1], encrypt: false, keepLocal: true }));
    await waitFor(() => expect(screen.queryByTestId("schedule-form")).toBeNull());
  });
});

describe("Schedule row proof", () => {
  it("says how often a schedule verifies by restore and when its newest backup was proven", async () => {
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString();
    api.scheduleList.mockResolvedValue([
      { ...nightly, verifyEverySeconds: 604_800, lastProof: proofRecord({ finishedAt: twoDaysAgo }) },
      {
        ...failing,
        verifyEverySeconds: 259_200,
        lastProof: proofRecord({ scheduleId: 4, ok: false, error: "restore failed: pg_restore: error: could not read input file" }),
      },
      paused,
    ]);
    await renderList();

    const proven = within(row(3));
    expect(proven.getByTestId("schedule-row-verify").textContent).toBe("Verifies by restore weekly");
    const proof = proven.getByTestId("schedule-row-proof");
    expect(proof.textContent?.trim()).toBe("Proven 2 days ago");
    expect(proof.dataset.state).toBe("proven");

    // A failed proof is a warning line of its own, with the reason.
    const failed = within(row(4)).getByTestId("schedule-row-proof");
    expect(failed.dataset.state).toBe("not-proven");
    expect(failed.classList.contains("warning")).toBe(true);
    expect(failed.textContent?.trim()).toBe(
      "Not proven: restore failed: pg_restore: error: could not read input file",
    );
    expect(within(row(4)).getByTestId("schedule-row-verify").textContent).toBe("Verifies by restore every 3 days");

    // Never verified, no proof: nothing said.
    expect(within(row(5)).queryByTestId("schedule-row-verify")).toBeNull();
    expect(within(row(5)).queryByTestId("schedule-row-proof")).toBeNull();
  });
});

describe("Scheduler status", () => {
  it("shows where schedules run when another process runs them", async () => {
    const note = "Schedules are already run by dbm daemon (pid 123) for this data folder.";
    api.schedulerStatus.mockResolvedValue({ runningHere: false, note, allPaused: false });
    await renderList();

    expect((await screen.findByTestId("scheduler-note")).textContent).toBe(note);
    expect(screen.queryByTestId("schedules-paused-banner")).toBeNull();
  });

  it("pauses and resumes every schedule, with a banner while they are paused", async () => {
    await renderList();
    const button = await screen.findByTestId("schedules-pause-all");
    expect(button.textContent?.trim()).toBe("Pause all schedules");
    expect(screen.queryByTestId("schedules-paused-banner")).toBeNull();

    const answer = deferred<SchedulerStatus>();
    api.schedulesSetPaused.mockReturnValueOnce(answer.promise);
    await fireEvent.click(button);
    expect(api.schedulesSetPaused).toHaveBeenCalledExactlyOnceWith(true);
    expect((button as HTMLButtonElement).disabled).toBe(true);

    answer.resolve({ ...runningHere, allPaused: true });
    expect((await screen.findByTestId("schedules-paused-banner")).textContent).toContain("All schedules are paused.");
    expect(byId("schedules-pause-all").textContent?.trim()).toBe("Resume all schedules");
    expect(within(row(3)).getByTestId("schedule-row-next-run").textContent?.trim()).toBe("All schedules paused");

    api.schedulesSetPaused.mockResolvedValueOnce(runningHere);
    await fireEvent.click(byId("schedules-pause-all"));
    expect(api.schedulesSetPaused).toHaveBeenLastCalledWith(false);
    await waitFor(() => expect(screen.queryByTestId("schedules-paused-banner")).toBeNull());
    expect(byId("schedules-pause-all").textContent?.trim()).toBe("Pause all schedules");
  });

  it("says why pausing failed", async () => {
    await renderList();
    api.schedulesSetPaused.mockRejectedValueOnce({ code: "store_unavailable", message: "The app database is locked." });
    await fireEvent.click(await screen.findByTestId("schedules-pause-all"));

    expect((await screen.findByTestId("scheduler-error")).textContent).toBe(
      "Could not pause the schedules: The app database is locked.",
    );
    expect(byId("schedules-pause-all").textContent?.trim()).toBe("Pause all schedules");
  });
});

describe("Schedule row actions", () => {
  it("runs a schedule now, shows it running, then the result, and reloads", async () => {
    await renderList();
    const answer = deferred<Backup>();
    api.scheduleRunNow.mockReturnValueOnce(answer.promise);
    const first = within(row(3));

    await fireEvent.click(first.getByTestId("schedule-run-now"));
    expect(api.scheduleRunNow).toHaveBeenCalledExactlyOnceWith(3);
    expect(first.getByTestId("schedule-run-progress").textContent).toContain("Waiting to start…");
    expect((first.getByTestId("schedule-run-now") as HTMLButtonElement).disabled).toBe(true);

    running.handle({ kind: "started", backupId: 40, connectionId: 1 });
    running.handle({ kind: "stage", backupId: 40, text: "Dumping with pg_dump 16.4 (postgres:16)" });
    await waitFor(() => expect(first.getByTestId("schedule-run-progress").textContent).toContain("Dumping with pg_dump 16.4"));

    const done = backupRecord({ id: 40, scheduleId: 3 });
    running.handle({ kind: "finished", backup: done });
    answer.resolve(done);
    const result = await within(row(3)).findByTestId("schedule-run-result");
    expect(result.dataset.state).toBe("completed");
    expect(result.textContent).toContain("Backed up: 1.2 MiB in 3 s");
    expect(within(row(3)).queryByTestId("schedule-run-progress")).toBeNull();
    await waitFor(() => expect(api.scheduleList.mock.calls.length).toBeGreaterThanOrEqual(2));
  });

  it("shows why a run failed", async () => {
    await renderList();
    api.scheduleRunNow.mockRejectedValueOnce({ code: "keyring_locked", message: "The system keyring is locked." });

    await fireEvent.click(within(row(4)).getByTestId("schedule-run-now"));

    const result = await within(row(4)).findByTestId("schedule-run-result");
    expect(result.dataset.state).toBe("failed");
    expect(result.textContent).toContain("The system keyring is locked.");
  });

  it("pauses an active schedule and resumes a paused one", async () => {
    await renderList();
    api.schedulePause.mockResolvedValueOnce({ ...nightly, isActive: false, nextRunAt: null });
    api.scheduleList.mockResolvedValue([{ ...nightly, isActive: false, nextRunAt: null }, failing, paused]);

    await fireEvent.click(within(row(3)).getByTestId("schedule-toggle"));
    expect(api.schedulePause).toHaveBeenCalledExactlyOnceWith(3);
    await waitFor(() => expect(within(row(3)).getByTestId("schedule-row-state").textContent?.trim()).toBe("Paused"));
    expect(within(row(3)).getByTestId("schedule-toggle").textContent?.trim()).toBe("Resume");

    api.scheduleResume.mockResolvedValueOnce({ ...paused, isActive: true });
    await fireEvent.click(within(row(5)).getByTestId("schedule-toggle"));
    expect(api.scheduleResume).toHaveBeenCalledExactlyOnceWith(5);
    expect(api.schedulePause).toHaveBeenCalledTimes(1);
  });

  it("asks in the row before deleting", async () => {
    await renderList();
    api.scheduleDelete.mockResolvedValue(null);

    await fireEvent.click(within(row(4)).getByTestId("schedule-delete"));
    expect(row(4).textContent).toContain("Delete the schedule staging hourly?");
    expect(document.activeElement).toBe(within(row(4)).getByTestId("schedule-delete-cancel"));
    await fireEvent.click(within(row(4)).getByTestId("schedule-delete-cancel"));
    expect(within(row(4)).queryByTestId("schedule-delete-confirm")).toBeNull();
    expect(api.scheduleDelete).not.toHaveBeenCalled();
    await waitFor(() => expect(document.activeElement).toBe(within(row(4)).getByTestId("schedule-delete")));

    await fireEvent.click(within(row(4)).getByTestId("schedule-delete"));
    api.scheduleList.mockResolvedValue([nightly, paused]);
    await fireEvent.click(within(row(4)).getByTestId("schedule-delete-confirm"));

    expect(api.scheduleDelete).toHaveBeenCalledExactlyOnceWith(4);
    await waitFor(() => expect(screen.getAllByTestId("schedule-row")).toHaveLength(2));
    expect(byId("schedules-notice").textContent).toContain("Deleted “staging hourly”.");
  });

  it("shows a failed delete in the prompt", async () => {
    await renderList();
    api.scheduleDelete.mockRejectedValueOnce({ code: "store_unavailable", message: "The app database is locked." });
    await fireEvent.click(within(row(3)).getByTestId("schedule-delete"));
    await fireEvent.click(within(row(3)).getByTestId("schedule-delete-confirm"));

    expect((await within(row(3)).findByTestId("schedule-delete-error")).textContent).toBe("The app database is locked.");
  });

  it("lists missed and skipped runs on request, and reloads them when one is recorded", async () => {
    await renderList();
    api.scheduleMissed.mockResolvedValueOnce([
      {
        scheduleId: 3,
        reason: "missed",
        firstDueAt: "2026-04-28T00:30:00Z",
        lastDueAt: "2026-04-30T00:30:00Z",
        count: 3,
        detail: null,
        recordedAt: "2026-05-01T08:00:00Z",
      },
      {
        scheduleId: 3,
        reason: "busy",
        firstDueAt: "2026-04-27T00:30:00Z",
        lastDueAt: "2026-04-27T00:30:00Z",
        count: 1,
        detail: "A manual backup of production was running.",
        recordedAt: "2026-04-27T00:30:01Z",
      },
    ]);
    const toggle = within(row(3)).getByTestId("schedule-missed-toggle");
    expect(toggle.getAttribute("aria-expanded")).toBe("false");

    await fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    expect(api.scheduleMissed).toHaveBeenCalledExactlyOnceWith(3);
    const items = await within(row(3)).findAllByTestId("schedule-missed-item");
    expect(items.map((i) => i.dataset.reason)).toEqual(["missed", "busy"]);
    expect(items[0].textContent).toContain("Missed");
    expect(items[0].textContent).toContain("Mon 2026-04-27 20:30 – Wed 2026-04-29 20:30");
    expect(items[0].textContent).toContain("3 runs");
    expect(items[0].textContent).toContain("closed or asleep");
    expect(items[1].textContent).toContain("Skipped");
    expect(items[1].textContent).toContain("1 run");
    expect(items[1].textContent).toContain("A manual backup of production was running.");

    api.scheduleMissed.mockResolvedValueOnce([]);
    emit({
      kind: "missed",
      missed: {
        scheduleId: 3,
        reason: "busy",
        firstDueAt: "2026-05-01T00:30:00Z",
        lastDueAt: "2026-05-01T00:30:00Z",
        count: 1,
        detail: null,
        recordedAt: "2026-05-01T00:30:01Z",
      },
    });
    await waitFor(() => expect(api.scheduleMissed).toHaveBeenCalledTimes(2));
    expect(await within(row(3)).findByTestId("schedule-missed-empty")).toBeTruthy();

    await fireEvent.click(toggle);
    expect(within(row(3)).queryByTestId("schedule-missed")).toBeNull();
  });
});

describe("Schedule form", () => {
  it("opens on the name, with the first connection, nightly at 02:30 in this computer's zone", async () => {
    await openNewForm();
    expect(screen.getByRole("dialog", { name: "New schedule" })).toBeTruthy();
    expect(document.activeElement).toBe(byId("schedule-name"));
    expect((byId("schedule-connection") as HTMLSelectElement).value).toBe("1");
    expect((byId("schedule-cron") as HTMLInputElement).value).toBe("30 2 * * *");
    expect((byId("schedule-timezone") as HTMLInputElement).value).toBe("America/New_York");
    expect((byId("schedule-format") as HTMLSelectElement).value).toBe("custom");
    expect((byId("schedule-active") as HTMLInputElement).checked).toBe(true);
    expect((byId("schedule-name") as HTMLInputElement).placeholder).toBe("production 30 2 * * *");
    expect(screen.getByLabelText("Time zone")).toBe(byId("schedule-timezone"));
  });

  it("previews the pattern in plain words with the next five runs, once typing pauses", async () => {
    await openNewForm();
    await waitFor(() => expect(api.schedulePreview).toHaveBeenCalledWith("30 2 * * *", "America/New_York", 5));
    const preview = byId("schedule-preview");
    await waitFor(() => expect(within(preview).getAllByTestId("schedule-preview-run")).toHaveLength(5));
    expect(within(preview).getByTestId("schedule-preview-description").textContent).toBe("plain words for 30 2 * * *");
    expect(within(preview).getAllByTestId("schedule-preview-run")[0].textContent).toContain("Sat 2026-05-02 02:30");
    // In the computer's own zone: no second time.
    expect(within(preview).queryByTestId("schedule-preview-local")).toBeNull();

    api.schedulePreview.mockClear();
    await type("schedule-cron", "0");
    await type("schedule-cron", "0 3");
    await type("schedule-cron", "0 3 * * 1-5");
    await type("schedule-timezone", "Europe/Berlin");
    api.schedulePreview.mockResolvedValueOnce({
      pattern: "0 3 * * 1-5",
      timezone: "Europe/Berlin",
      description: "at 03:00, Monday through Friday",
      runs: ["2026-05-04T03:00:00+02:00", "2026-05-05T03:00:00+02:00"],
    });
    await waitFor(() => expect(byId("schedule-preview-description").textContent).toBe("at 03:00, Monday through Friday"));
    // Typing in quick succession asks once, with what was typed last.
    expect(api.schedulePreview).toHaveBeenCalledExactlyOnceWith("0 3 * * 1-5", "Europe/Berlin", 5);
    const runs = screen.getAllByTestId("schedule-preview-run");
    expect(runs[0].textContent).toContain("Mon 2026-05-04 03:00");
    expect(runs[0].textContent).toContain("UTC+2");
    expect(runs[0].textContent).toContain("Sun 2026-05-03 21:00 your time");
  });

  it("shows the preview's error under the pattern, and clears it for a good one", async () => {
    await openNewForm();
    await waitFor(() => expect(screen.getAllByTestId("schedule-preview-run")).toHaveLength(5));
    const message = "\"61 * * * *\" is not a usable schedule: invalid value for minutes.";
    api.schedulePreview.mockRejectedValueOnce({ code: "invalid_cron", message });

    await type("schedule-cron", "61 * * * *");
    const error = await screen.findByTestId("schedule-cron-error");
    expect(error.textContent).toContain(message);
    const cron = byId("schedule-cron");
    expect(cron.getAttribute("aria-invalid")).toBe("true");
    expect(cron.getAttribute("aria-describedby")).toContain("schedule-cron-error");
    expect(screen.queryAllByTestId("schedule-preview-run")).toHaveLength(0);
    expect(byId("schedule-preview").dataset.state).toBe("invalid");

    await fireEvent.click(byId("schedule-preset-hourly"));
    expect((cron as HTMLInputElement).value).toBe("@hourly");
    await waitFor(() => expect(screen.getAllByTestId("schedule-preview-run")).toHaveLength(5));
    expect(screen.queryByTestId("schedule-cron-error")).toBeNull();
    expect(byId("schedule-preset-hourly").getAttribute("aria-pressed")).toBe("true");
  });

  it("shows a bad time zone's message, with its suggestions, under the zone", async () => {
    await openNewForm();
    const message = "\"Europe/Berln\" is not a time zone. Did you mean Europe/Berlin?";
    api.schedulePreview.mockRejectedValue({ code: "invalid_timezone", message });

    await type("schedule-timezone", "Europe/Berln");
    expect((await screen.findByTestId("schedule-timezone-error")).textContent).toContain("Did you mean Europe/Berlin?");
    expect(screen.queryByTestId("schedule-cron-error")).toBeNull();
  });

  it("creates with the typed ScheduleInput, then closes and reloads", async () => {
    await openNewForm();
    await type("schedule-name", "staging weekly");
    await fireEvent.change(byId("schedule-connection"), { target: { value: "2" } });
    await fireEvent.click(byId("schedule-preset-weekly"));
    await type("schedule-timezone", "UTC");
    await fireEvent.change(byId("schedule-format"), { target: { value: "directory" } });
    await fireEvent.change(byId("schedule-compression"), { target: { value: "gzip" } });
    await type("schedule-compression-level", "6");
    await type("schedule-keep-last", "8");
    await type("schedule-keep-days", "");
    await fireEvent.click(byId("schedule-active"));

    const created = savedSchedule({ id: 9, name: "staging weekly", connectionId: 2 });
    api.scheduleCreate.mockResolvedValueOnce(created);
    api.scheduleList.mockResolvedValue([nightly, failing, paused, created]);
    await fireEvent.click(byId("schedule-save"));

    const sent: ScheduleInput = {
      name: "staging weekly",
      connectionId: 2,
      cron: "@weekly",
      timezone: "UTC",
      isActive: false,
      format: "directory",
      compression: { method: "gzip", level: 6 },
      keepLast: 8,
      keepDays: null,
      alertAfterSeconds: null,
      verifyEverySeconds: 604_800,
      stallAfterSeconds: null,
      timeLimitSeconds: null,
      hooks: { pingUrl: null, onSuccessUrl: null, onFailureUrl: null, onFinishCmd: null, timeoutSeconds: null },
    };
    expect(api.scheduleCreate).toHaveBeenCalledExactlyOnceWith(sent);
    await waitFor(() => expect(screen.queryByTestId("schedule-form")).toBeNull());
    await waitFor(() => expect(screen.getAllByTestId("schedule-row")).toHaveLength(4));
    expect(byId("schedules-notice").textContent).toContain("Added “staging weekly”.");
  });

  it("offers only the compressions a format can use", async () => {
    await openNewForm();
    await fireEvent.change(byId("schedule-compression"), { target: { value: "lz4" } });
    expect(screen.getByTestId("schedule-compression-level")).toBeTruthy();

    await fireEvent.change(byId("schedule-format"), { target: { value: "tar" } });
    const select = byId("schedule-compression") as HTMLSelectElement;
    expect([...select.options].map((o) => o.value)).toEqual(["auto", "none"]);
    expect(select.value).toBe("auto");
    expect(screen.queryByTestId("schedule-compression-level")).toBeNull();
  });

  it("shows a rejected field under it and keeps the form open", async () => {
    await openNewForm();
    api.scheduleCreate.mockRejectedValueOnce({
      code: "invalid_keep_days",
      message: "Keeping backups for 40000 days is not possible.",
    });
    await type("schedule-keep-days", "40000");
    await fireEvent.click(byId("schedule-save"));

    const error = await screen.findByTestId("schedule-keep-days-error");
    expect(error.textContent).toContain("40000 days is not possible.");
    await waitFor(() => expect(document.activeElement).toBe(byId("schedule-keep-days")));
    expect(byId("schedule-form")).toBeTruthy();
    expect(screen.queryByTestId("schedule-form-error")).toBeNull();

    await type("schedule-keep-days", "30");
    expect(screen.queryByTestId("schedule-keep-days-error")).toBeNull();
  });

  it("refuses a retention that is not a number without asking the backend", async () => {
    await openNewForm();
    await type("schedule-keep-last", "a week");
    await fireEvent.click(byId("schedule-save"));

    expect((await screen.findByTestId("schedule-keep-last-error")).textContent).toContain("whole number");
    expect(api.scheduleCreate).not.toHaveBeenCalled();
  });

  it("shows other save errors in the form's error box", async () => {
    await openNewForm();
    api.scheduleCreate.mockRejectedValueOnce({ code: "store_unavailable", message: "The app database is locked." });
    await fireEvent.click(byId("schedule-save"));

    const error = await screen.findByTestId("schedule-form-error");
    expect(error.textContent).toContain("The app database is locked.");
    expect(error.textContent).toContain("store_unavailable");
  });

  it("edits a schedule with its saved values and sends them to scheduleUpdate", async () => {
    await renderList();
    await fireEvent.click(within(row(4)).getByTestId("schedule-edit"));

    expect(screen.getByRole("dialog", { name: "Edit schedule" })).toBeTruthy();
    expect((byId("schedule-name") as HTMLInputElement).value).toBe("staging hourly");
    expect((byId("schedule-connection") as HTMLSelectElement).value).toBe("2");
    expect((byId("schedule-cron") as HTMLInputElement).value).toBe("@hourly");
    expect((byId("schedule-timezone") as HTMLInputElement).value).toBe("UTC");
    expect((byId("schedule-keep-last") as HTMLInputElement).value).toBe("7");

    await type("schedule-cron", "15 * * * *");
    const updated: Schedule = { ...failing, cron: "15 * * * *" };
    api.scheduleUpdate.mockResolvedValueOnce(updated);
    await fireEvent.submit(byId("schedule-form"));

    expect(api.scheduleUpdate).toHaveBeenCalledExactlyOnceWith(4, {
      name: "staging hourly",
      connectionId: 2,
      cron: "15 * * * *",
      timezone: "UTC",
      isActive: true,
      format: "custom",
      compression: { method: "auto" },
      keepLast: 7,
      keepDays: null,
      alertAfterSeconds: null,
      verifyEverySeconds: null,
      stallAfterSeconds: null,
      timeLimitSeconds: null,
      hooks: { pingUrl: null, onSuccessUrl: null, onFailureUrl: null, onFinishCmd: null, timeoutSeconds: null },
    });
    expect(api.scheduleCreate).not.toHaveBeenCalled();
    await waitFor(() => expect(screen.queryByTestId("schedule-form")).toBeNull());
    expect(byId("schedules-notice").textContent).toContain("Saved “staging hourly”.");
  });

  it("sends the alert threshold in seconds, and null when it is empty", async () => {
    await openNewForm();
    const amount = byId("schedule-alert-after") as HTMLInputElement;
    const unit = byId("schedule-alert-unit") as HTMLSelectElement;
    expect(amount.value).toBe("");
    expect(unit.value).toBe("days");
    expect(screen.getByLabelText(/Alert when no good backup for/)).toBe(amount);
    expect(document.getElementById(amount.getAttribute("aria-describedby") ?? "")?.textContent).toBe(
      "Empty: after two missed runs. The tray, the Dashboard and a notification say so.",
    );

    await type("schedule-alert-after", "36");
    await fireEvent.change(unit, { target: { value: "hours" } });
    api.scheduleCreate.mockResolvedValueOnce(savedSchedule({ id: 9, alertAfterSeconds: 129_600 }));
    await fireEvent.click(byId("schedule-save"));

    expect(api.scheduleCreate).toHaveBeenCalledExactlyOnceWith(expect.objectContaining({ alertAfterSeconds: 129_600 }));
  });

  it("refuses an alert threshold that is not a number without asking the backend", async () => {
    await openNewForm();
    await type("schedule-alert-after", "a while");
    await fireEvent.click(byId("schedule-save"));

    expect((await screen.findByTestId("schedule-alert-after-error")).textContent).toContain("Enter a number of days");
    expect(api.scheduleCreate).not.toHaveBeenCalled();
    await waitFor(() => expect(document.activeElement).toBe(byId("schedule-alert-after")));
  });

  it("shows a rejected alert threshold under its field", async () => {
    await openNewForm();
    api.scheduleCreate.mockRejectedValueOnce({
      code: "invalid_alert_after",
      message: "The alert must come after 5 minutes to 365 days without a good backup.",
    });
    await type("schedule-alert-after", "400");
    await fireEvent.click(byId("schedule-save"));

    const error = await screen.findByTestId("schedule-alert-after-error");
    expect(error.textContent).toContain("5 minutes to 365 days");
    expect(api.scheduleCreate).toHaveBeenCalledExactlyOnceWith(expect.objectContaining({ alertAfterSeconds: 34_560_000 }));
    await waitFor(() => expect(document.activeElement).toBe(byId("schedule-alert-after")));
    expect(byId("schedule-alert-after").getAttribute("aria-invalid")).toBe("true");
    expect(byId("schedule-alert-unit").getAttribute("aria-invalid")).toBe("true");
    expect(screen.queryByTestId("schedule-form-error")).toBeNull();

    await type("schedule-alert-after", "30");
    expect(screen.queryByTestId("schedule-alert-after-error")).toBeNull();
  });

  it("shows a saved alert threshold in days or hours when editing, and sends it back", async () => {
    api.scheduleList.mockResolvedValue([
      { ...nightly, alertAfterSeconds: 172_800 },
      { ...failing, alertAfterSeconds: 129_600 },
    ]);
    await renderList();

    await fireEvent.click(within(row(3)).getByTestId("schedule-edit"));
    expect((byId("schedule-alert-after") as HTMLInputElement).value).toBe("2");
    expect((byId("schedule-alert-unit") as HTMLSelectElement).value).toBe("days");
    await fireEvent.click(byId("schedule-cancel"));

    await fireEvent.click(within(row(4)).getByTestId("schedule-edit"));
    expect((byId("schedule-alert-after") as HTMLInputElement).value).toBe("36");
    expect((byId("schedule-alert-unit") as HTMLSelectElement).value).toBe("hours");
    api.scheduleUpdate.mockResolvedValueOnce({ ...failing, alertAfterSeconds: 129_600 });
    await fireEvent.submit(byId("schedule-form"));
    expect(api.scheduleUpdate).toHaveBeenCalledExactlyOnceWith(4, expect.objectContaining({ alertAfterSeconds: 129_600 }));

    // Emptying the field goes back to the default.
    await waitFor(() => expect(screen.queryByTestId("schedule-form")).toBeNull());
    await fireEvent.click(within(row(3)).getByTestId("schedule-edit"));
    await type("schedule-alert-after", "");
    api.scheduleUpdate.mockResolvedValueOnce({ ...nightly, alertAfterSeconds: null });
    await fireEvent.submit(byId("schedule-form"));
    expect(api.scheduleUpdate).toHaveBeenLastCalledWith(3, expect.objectContaining({ alertAfterSeconds: null }));
  });

  it("closes on Escape without saving", async () => {
    await openNewForm();
    await fireEvent.keyDown(byId("schedule-cron"), { key: "Escape" });
    expect(screen.queryByTestId("schedule-form")).toBeNull();
    expect(api.scheduleCreate).not.toHaveBeenCalled();
  });
});

describe("Patterns with seconds", () => {
  it("previews a 6-field pattern's runs to the second", async () => {
    await openNewForm();
    await waitFor(() => expect(screen.getAllByTestId("schedule-preview-run")).toHaveLength(5));
    api.schedulePreview.mockResolvedValueOnce({
      pattern: "*/10 * * * * *",
      timezone: "America/New_York",
      description: "every 10 seconds",
      runs: [
        "2026-05-01T20:27:10-04:00",
        "2026-05-01T20:27:20-04:00",
        "2026-05-01T20:27:30-04:00",
        "2026-05-01T20:27:40-04:00",
      ],
    });
    await type("schedule-cron", "*/10 * * * * *");

    await waitFor(() => expect(byId("schedule-preview-description").textContent).toBe("every 10 seconds"));
    const runs = screen.getAllByTestId("schedule-preview-run").map((r) => r.querySelector("time")?.textContent);
    expect(runs).toEqual([
      "Fri 2026-05-01 20:27:10",
      "Fri 2026-05-01 20:27:20",
      "Fri 2026-05-01 20:27:30",
      "Fri 2026-05-01 20:27:40",
    ]);
  });

  it("shows a row's next and last run with seconds for such a pattern only", async () => {
    api.scheduleList.mockResolvedValue([
      savedSchedule({
        id: 6,
        name: "every 10 s",
        cron: "*/10 * * * * *",
        timezone: "America/New_York",
        nextRunAt: "2026-05-02T00:30:10Z",
        lastRunAt: "2026-05-02T00:30:00Z",
      }),
      nightly,
    ]);
    await renderList();
    expect(within(row(6)).getByTestId("schedule-row-next-run").textContent).toContain("Fri 2026-05-01 20:30:10");
    expect(within(row(6)).getByTestId("schedule-row-last-run").textContent).toContain("Fri 2026-05-01 20:30:00");
    expect(within(row(3)).getByTestId("schedule-row-next-run").textContent).toMatch(/Fri 2026-05-01 20:30(?!:)/);
  });
});

describe("Retention preview", () => {
  it("says what the saved rules would delete now when editing a schedule that has them", async () => {
    const old = backupRecord({ id: 1, startedAt: "2026-04-01T00:30:00Z" });
    const older = backupRecord({ id: 2, startedAt: "2026-03-31T00:30:00Z" });
    api.retentionPreview.mockResolvedValueOnce({ scheduleId: 3, keepLast: 7, keepDays: null, delete: [old, older], keep: 7 });
    await renderList();
    await fireEvent.click(within(row(3)).getByTestId("schedule-edit"));

    expect(api.retentionPreview).toHaveBeenCalledExactlyOnceWith(3);
    const preview = byId("schedule-retention-preview");
    expect(preview.textContent).toContain("Saved rules: Keeps the last 7");
    await waitFor(() =>
      expect(byId("schedule-retention-text").textContent).toBe("Retention would delete 2 backups now; keeps 7."),
    );
    expect(within(preview).getAllByTestId("schedule-retention-backup")).toHaveLength(2);
    expect(preview.textContent).toContain("Retention runs after each completed run.");

    // Edited rules are not what it shows: it says so.
    await type("schedule-keep-last", "3");
    expect(preview.textContent).toContain("Save to apply the new rules");
  });

  it("is not asked for a new schedule or one that keeps everything", async () => {
    api.scheduleList.mockResolvedValue([{ ...nightly, keepLast: null, keepDays: null }]);
    await renderList();
    await fireEvent.click(within(row(3)).getByTestId("schedule-edit"));
    expect(screen.queryByTestId("schedule-retention-preview")).toBeNull();
    await fireEvent.click(byId("schedule-cancel"));
    await fireEvent.click(byId("schedule-new"));
    expect(screen.queryByTestId("schedule-retention-preview")).toBeNull();
    expect(api.retentionPreview).not.toHaveBeenCalled();
  });

  it("says why the preview could not be worked out", async () => {
    api.retentionPreview.mockRejectedValueOnce({ code: "store_unavailable", message: "The app database is locked." });
    await renderList();
    await fireEvent.click(within(row(3)).getByTestId("schedule-edit"));
    expect((await screen.findByTestId("schedule-retention-error")).textContent).toContain("The app database is locked.");
  });
});
