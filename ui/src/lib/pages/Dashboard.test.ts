import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { commands, type BackupPage, type ConnectionHealth, type Stats, type SystemStatus } from "../bindings";
import { running } from "../backups/running.svelte";
import { deferred } from "../../test/deferred";
import { emit as emitEvent, listeners } from "../../test/events";
import {
  backupRecord,
  copyRecord,
  dockerDown,
  emptyStats,
  keyringLocked,
  okStatus,
  savedConnection,
  savedSchedule,
  schemaTooNew,
} from "../../test/fixtures";
import Dashboard from "./Dashboard.svelte";

vi.mock("../bindings", () => ({
  EVENTS: { backup: "backup", schedules: "schedules", copy: "copy" },
  commands: {
    systemStatus: vi.fn(),
    copiesNeedingAttention: vi.fn(),
    backupList: vi.fn(),
    backupSearch: vi.fn(),
    connectionList: vi.fn(),
    backupCancel: vi.fn(),
    scheduleList: vi.fn(),
    schedulerStatus: vi.fn(),
    backupStats: vi.fn(),
  },
}));

vi.mock("@tauri-apps/api/event", () => import("../../test/events"));

// This computer's clock reads New York time.
vi.mock("../schedules/form", async (original) => ({
  ...(await original<typeof import("../schedules/form")>()),
  localTimeZone: () => "America/New_York",
}));

const systemStatus = vi.mocked(commands.systemStatus);
const api = vi.mocked(commands);

function card(key: string) {
  return screen.getByTestId(`status-${key}`);
}

beforeEach(() => {
  vi.resetAllMocks();
  running.reset();
  listeners.clear();
  api.backupList.mockResolvedValue([]);
  api.backupSearch.mockResolvedValue({ items: [], total: 0 });
  api.connectionList.mockResolvedValue([savedConnection(), savedConnection({ id: 2, name: "staging" })]);
  api.scheduleList.mockResolvedValue([]);
  api.schedulerStatus.mockResolvedValue({ runningHere: true, note: null, allPaused: false });
  api.backupStats.mockResolvedValue(emptyStats());
  api.copiesNeedingAttention.mockResolvedValue([]);
});

describe("Dashboard", () => {
  it("shows loading cards until the status arrives, then OK cards", async () => {
    const answer = deferred<SystemStatus>();
    systemStatus.mockReturnValueOnce(answer.promise);
    render(Dashboard);

    expect(screen.getByTestId("page-title").textContent).toBe("Dashboard");
    for (const key of ["database", "docker", "keyring"]) {
      expect(card(key).dataset.state).toBe("loading");
    }

    answer.resolve(okStatus());
    await waitFor(() => expect(card("database").dataset.state).toBe("ok"));

    expect(card("docker").dataset.state).toBe("ok");
    expect(card("keyring").dataset.state).toBe("ok");
    expect(card("database").textContent).toContain("Schema version 4 of supported 4");
    expect(card("docker").textContent).toContain("Docker 27.3.1 (API 1.47)");
    expect(card("keyring").textContent).toContain("Backend: Secret Service");
    expect(screen.getByTestId("status-app-version").textContent?.trim()).toBe("0.3.1");
    expect(screen.getByTestId("status-data-dir").textContent?.trim()).toBe(
      "/home/ada/.local/share/db-backup-manager",
    );
    expect(screen.getByTestId("status-verdict").textContent).toBe("All checks passed");
    expect(systemStatus).toHaveBeenCalledTimes(1);
  });

  it("shows each problem's message and fix on its card", async () => {
    const status = okStatus();
    status.database = { ...status.database, schemaVersion: 9, problem: schemaTooNew };
    status.docker = { version: null, apiVersion: null, problem: dockerDown };
    status.keyring = { backend: "Secret Service", problem: keyringLocked };
    systemStatus.mockResolvedValueOnce(status);
    render(Dashboard);

    await waitFor(() => expect(card("docker").dataset.state).toBe("problem"));
    expect(card("database").dataset.state).toBe("problem");
    expect(card("keyring").dataset.state).toBe("problem");

    expect(screen.getByTestId("status-docker-message").textContent).toBe(dockerDown.message);
    expect(screen.getByTestId("status-docker-fix").textContent).toContain(dockerDown.fix);
    expect(screen.getByTestId("status-database-message").textContent).toBe(schemaTooNew.message);
    expect(screen.getByTestId("status-database-fix").textContent).toContain(schemaTooNew.fix);
    expect(screen.getByTestId("status-keyring-message").textContent).toBe(keyringLocked.message);
    expect(screen.getByTestId("status-keyring-fix").textContent).toContain(keyringLocked.fix);
    expect(screen.getByTestId("status-verdict").textContent).toBe("3 checks need attention");
  });

  it("shows the error and retries when the command rejects with {code, message}", async () => {
    systemStatus.mockRejectedValueOnce({ code: "internal", message: "The status check crashed." });
    render(Dashboard);

    const error = await screen.findByTestId("status-error");
    expect(error.getAttribute("role")).toBe("alert");
    expect(error.textContent).toContain("Could not check the system status.");
    expect(screen.getByTestId("status-error-message").textContent).toBe("The status check crashed.");
    expect(error.textContent).toContain("internal");
    expect(screen.queryByTestId("status-docker")).toBeNull();
    // jsdom is not the desktop app, so the page says why asking may have failed.
    expect(error.textContent).toContain("not in the desktop app");

    systemStatus.mockResolvedValueOnce(okStatus());
    await fireEvent.click(screen.getByTestId("status-retry"));

    await waitFor(() => expect(card("docker").dataset.state).toBe("ok"));
    expect(screen.queryByTestId("status-error")).toBeNull();
    expect(systemStatus).toHaveBeenCalledTimes(2);
  });

  it("leaves out the browser hint inside the desktop app", async () => {
    (globalThis as { isTauri?: boolean }).isTauri = true;
    try {
      systemStatus.mockRejectedValueOnce({ code: "internal", message: "Boom." });
      render(Dashboard);
      const error = await screen.findByTestId("status-error");
      expect(error.textContent).not.toContain("not in the desktop app");
    } finally {
      delete (globalThis as { isTauri?: boolean }).isTauri;
    }
  });

  it("re-runs the command on Refresh and shows the new answer", async () => {
    systemStatus.mockResolvedValueOnce(okStatus());
    render(Dashboard);
    await waitFor(() => expect(card("docker").dataset.state).toBe("ok"));

    const second = deferred<SystemStatus>();
    systemStatus.mockReturnValueOnce(second.promise);
    await fireEvent.click(screen.getByTestId("status-refresh"));
    expect(card("docker").dataset.state).toBe("loading");

    const status = okStatus();
    status.docker = { version: null, apiVersion: null, problem: dockerDown };
    second.resolve(status);
    await waitFor(() => expect(card("docker").dataset.state).toBe("problem"));
    expect(systemStatus).toHaveBeenCalledTimes(2);
  });

  it("ignores an older answer that arrives after a newer one", async () => {
    const first = deferred<SystemStatus>();
    const second = deferred<SystemStatus>();
    systemStatus.mockReturnValueOnce(first.promise).mockReturnValueOnce(second.promise);
    render(Dashboard);
    await fireEvent.click(screen.getByTestId("status-refresh"));

    const fresh = okStatus();
    fresh.appVersion = "2.0.0";
    second.resolve(fresh);
    await waitFor(() => expect(screen.getByTestId("status-app-version").textContent?.trim()).toBe("2.0.0"));

    first.resolve(okStatus());
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.getByTestId("status-app-version").textContent?.trim()).toBe("2.0.0");
  });
});

describe("Dashboard backups", () => {
  beforeEach(() => {
    systemStatus.mockResolvedValue(okStatus());
  });

  it("lists the last five backups with their status", async () => {
    api.backupList.mockResolvedValue([
      backupRecord({ id: 5 }),
      backupRecord({ id: 4, connectionId: 2, status: "failed", errorMessage: "The server closed the connection." }),
      backupRecord({ id: 3, status: "cancelled" }),
    ]);
    render(Dashboard);

    await waitFor(() => expect(screen.getAllByTestId("recent-backup")).toHaveLength(3));
    expect(api.backupList).toHaveBeenCalledWith(null, 5, 0);
    const items = screen.getAllByTestId("recent-backup");
    expect(items.map((i) => i.dataset.status)).toEqual(["completed", "failed", "cancelled"]);
    await waitFor(() => expect(items[0].textContent).toContain("production"));
    expect(items[0].textContent).toContain("1.2 MiB");
    expect(items[1].textContent).toContain("staging");
    expect(items[1].textContent).toContain("The server closed the connection.");
    expect(screen.queryByTestId("recent-empty")).toBeNull();
  });

  it("says so when there are no backups yet", async () => {
    render(Dashboard);
    expect((await screen.findByTestId("recent-empty")).textContent).toContain("No backups yet.");
  });

  it("shows running backups only while there are some, and reloads the recent list when one ends", async () => {
    render(Dashboard);
    await screen.findByTestId("recent-empty");
    expect(screen.queryByTestId("dashboard-running")).toBeNull();

    running.handle({ kind: "started", backupId: 21, connectionId: 2 });
    running.handle({ kind: "stage", backupId: 21, text: "Detecting the server version" });
    running.handle({ kind: "progress", backupId: 21, bytes: 2048, elapsedMs: 1000, bytesPerSecond: 2048 });
    const section = await screen.findByTestId("dashboard-running");
    const item = within(section).getByTestId("running-backup");
    expect(item.textContent).toContain("staging");
    expect(item.textContent).toContain("Detecting the server version");
    expect(within(item).getByTestId("running-backup-progress").textContent).toBe("2.0 KiB written · 2.0 KiB/s · 1 s");

    const done = backupRecord({ id: 21, connectionId: 2 });
    api.backupList.mockResolvedValue([done]);
    running.handle({ kind: "finished", backup: done });
    await waitFor(() => expect(screen.queryByTestId("dashboard-running")).toBeNull());
    await waitFor(() => expect(screen.getAllByTestId("recent-backup")).toHaveLength(1));
    expect(api.backupList).toHaveBeenCalledTimes(2);
  });
});

describe("Dashboard next runs", () => {
  beforeEach(() => {
    systemStatus.mockResolvedValue(okStatus());
  });

  it("lists the next runs of active schedules, soonest first, in local time", async () => {
    api.scheduleList.mockResolvedValue([
      savedSchedule({ id: 1, name: "weekly", nextRunAt: "2026-05-03T00:00:00Z" }),
      savedSchedule({ id: 2, name: "nightly", connectionId: 2, nextRunAt: "2026-05-02T00:30:00Z" }),
      savedSchedule({ id: 3, name: "paused", isActive: false, nextRunAt: null }),
    ]);
    render(Dashboard);

    await waitFor(() => expect(screen.getAllByTestId("next-run")).toHaveLength(2));
    const items = screen.getAllByTestId("next-run");
    expect(items.map((i) => i.dataset.scheduleId)).toEqual(["2", "1"]);
    expect(items[0].textContent).toContain("nightly");
    await waitFor(() => expect(items[0].textContent).toContain("staging"));
    expect(items[0].textContent).toContain("Fri 2026-05-01 20:30");
    expect(screen.queryByTestId("next-runs-paused")).toBeNull();
    expect(screen.getByTestId("next-runs-all").getAttribute("href")).toBe("#/schedules");
  });

  it("lists at most five", async () => {
    api.scheduleList.mockResolvedValue(
      Array.from({ length: 7 }, (_, i) => savedSchedule({ id: i + 1, nextRunAt: `2026-05-0${i + 1}T00:00:00Z` })),
    );
    render(Dashboard);
    await waitFor(() => expect(screen.getAllByTestId("next-run")).toHaveLength(5));
    expect(screen.getAllByTestId("next-run").map((i) => i.dataset.scheduleId)).toEqual(["1", "2", "3", "4", "5"]);
  });

  it("says when all schedules are paused", async () => {
    api.scheduleList.mockResolvedValue([savedSchedule()]);
    api.schedulerStatus.mockResolvedValue({ runningHere: true, note: null, allPaused: true });
    render(Dashboard);

    expect((await screen.findByTestId("next-runs-paused")).textContent).toContain("All schedules paused");
  });

  it("says so when no schedule is active", async () => {
    render(Dashboard);
    expect((await screen.findByTestId("next-runs-empty")).textContent).toContain("No active schedules");
  });

  it("says why the schedules could not be loaded", async () => {
    api.scheduleList.mockRejectedValue({ code: "store_unavailable", message: "The app database is locked." });
    render(Dashboard);
    expect((await screen.findByTestId("next-runs-error")).textContent).toContain("The app database is locked.");
  });
});

describe("Dashboard statistics", () => {
  beforeEach(() => {
    systemStatus.mockResolvedValue(okStatus());
  });

  const stats: Stats = emptyStats({
    total: 12,
    completed: 9,
    failed: 2,
    cancelled: 1,
    recordedBytes: 5 * 1024 ** 3 + 300 * 1024 ** 2,
    bytesOnDisk: 4 * 1024 ** 3,
    successRate: 9 / 11,
    successRate30Days: 0.6,
    connections: [
      {
        connectionId: 1,
        name: "production",
        total: 10,
        completed: 8,
        failed: 1,
        recordedBytes: 5 * 1024 ** 3,
        successRate: 8 / 9,
        lastSuccessAt: new Date(2026, 4, 1, 2, 30).toISOString(),
        lastFailureAt: new Date(2026, 3, 28, 2, 30).toISOString(),
      },
      {
        connectionId: 2,
        name: "staging",
        total: 2,
        completed: 1,
        failed: 1,
        recordedBytes: 300 * 1024 ** 2,
        successRate: 0.5,
        lastSuccessAt: null,
        lastFailureAt: null,
      },
    ],
  });


  it("shows counts, success rates, storage and each connection", async () => {
    api.backupStats.mockResolvedValue(stats);
    render(Dashboard);

    const card = await screen.findByTestId("stats-card");
    expect(within(card).getByTestId("stats-total").textContent?.trim()).toBe("12");
    expect(within(card).getByTestId("stats-completed").textContent?.trim()).toBe("9");
    expect(within(card).getByTestId("stats-failed").textContent?.trim()).toBe("2");
    const rate = within(card).getByTestId("stats-success-rate").textContent?.replace(/\s+/g, " ").trim();
    expect(rate).toBe("82% all time 60% last 30 days");
    const storage = within(card).getByTestId("stats-storage").textContent?.replace(/\s+/g, " ").trim();
    expect(storage).toBe("5.3 GiB recorded 4.0 GiB on disk now");
    expect(within(card).getByTestId("stats-others").textContent).toBe("Also 1 cancelled.");

    const rows = within(card).getAllByTestId("stats-connection");
    expect(rows.map((r) => r.dataset.connectionId)).toEqual(["1", "2"]);
    expect(rows[0].textContent).toContain("production");
    expect(within(rows[0]).getByTestId("stats-connection-rate").textContent).toBe("89%");
    expect(within(rows[0]).getByTestId("stats-connection-last-success").textContent?.trim()).toBe("2026-05-01 02:30");
    expect(within(rows[0]).getByTestId("stats-connection-last-failure").textContent?.trim()).toBe("2026-04-28 02:30");
    expect(within(rows[1]).getByTestId("stats-connection-last-success").textContent?.trim()).toBe("Never");
    expect(within(rows[1]).getByTestId("stats-connection-last-failure").textContent?.trim()).toBe("None");
  });

  it("says there is no rate before any run ended", async () => {
    render(Dashboard);
    const card = await screen.findByTestId("stats-card");
    expect(within(card).getByTestId("stats-success-rate").textContent).toContain("—");
    expect(card.textContent).toContain("No backup has ended yet");
    expect(within(card).queryByTestId("stats-connections")).toBeNull();
  });

  it("reloads when a backup finishes", async () => {
    render(Dashboard);
    await screen.findByTestId("stats-card");
    api.backupStats.mockResolvedValue(stats);
    running.handle({ kind: "finished", backup: backupRecord({ id: 30 }) });
    await waitFor(() => expect(screen.getByTestId("stats-total").textContent?.trim()).toBe("12"));
    expect(api.backupStats).toHaveBeenCalledTimes(2);
  });

  it("says why the statistics could not be loaded", async () => {
    api.backupStats.mockRejectedValue({ code: "store_unavailable", message: "The app database is locked." });
    render(Dashboard);
    expect((await screen.findByTestId("stats-error")).textContent).toContain("The app database is locked.");
  });
});

function healthOf(overrides: Partial<ConnectionHealth> = {}): ConnectionHealth {
  return {
    connectionId: 1,
    connectionName: "production",
    overdue: true,
    lastGoodAt: "2026-05-01T09:00:00Z",
    dueBy: "2026-05-02T09:00:00Z",
    scheduleName: "production nightly",
    summary: "no backup for 3 days",
    provenAt: null,
    notProven: null,
    ...overrides,
  };
}

function statusWith(health: ConnectionHealth[]): SystemStatus {
  return { ...okStatus(), health };
}

describe("Dashboard overdue connections", () => {
  it("shows a card for each overdue connection, first on the page", async () => {
    systemStatus.mockResolvedValue(
      statusWith([
        healthOf(),
        healthOf({
          connectionId: 2,
          connectionName: "staging",
          lastGoodAt: null,
          scheduleName: "staging hourly",
          summary: "no backup yet, 3 hours after its schedule was made",
        }),
        healthOf({ connectionId: 4, connectionName: "reports", overdue: false, summary: "last good backup 2 hours ago" }),
      ]),
    );
    render(Dashboard);

    const container = await screen.findByTestId("overdue-cards");
    const cards = within(container).getAllByRole("alert");
    expect(cards.map((c) => c.dataset.testid)).toEqual(["overdue-1", "overdue-2"]);
    expect(screen.queryByTestId("overdue-4")).toBeNull();

    const first = screen.getByTestId("overdue-1");
    expect(within(first).getByRole("heading").textContent).toBe("production is overdue");
    expect(screen.getByTestId("overdue-1-summary").textContent).toBe("no backup for 3 days");
    expect(screen.getByTestId("overdue-1-schedule").textContent).toBe("Schedule: production nightly");
    // On this computer's clock (New York).
    expect(screen.getByTestId("overdue-1-last-good").textContent?.replace(/\s+/g, " ").trim()).toBe(
      "Last good backup: Fri 2026-05-01 05:00",
    );
    expect(screen.getByTestId("overdue-1-backups").getAttribute("href")).toBe("#/backups");
    expect(screen.getByTestId("overdue-1-connections").getAttribute("href")).toBe("#/connections");

    const second = screen.getByTestId("overdue-2");
    expect(second.textContent).toContain("staging is overdue");
    expect(second.textContent).toContain("no backup yet, 3 hours after its schedule was made");
    expect(second.textContent).toContain("Schedule: staging hourly");
    expect(screen.getByTestId("overdue-2-last-good").textContent?.replace(/\s+/g, " ").trim()).toBe(
      "Last good backup: never",
    );

    // Above everything else on the page, the system checks included.
    const checks = screen.getByRole("heading", { name: "System checks" });
    expect(container.compareDocumentPosition(checks) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    for (const section of ["dashboard-next-runs", "dashboard-recent", "dashboard-stats"]) {
      expect(container.compareDocumentPosition(screen.getByTestId(section)) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    }
  });

  it("shows no cards when nothing is overdue", async () => {
    systemStatus.mockResolvedValue(statusWith([healthOf({ overdue: false, summary: "last good backup 2 hours ago" })]));
    render(Dashboard);
    await waitFor(() => expect(card("docker").dataset.state).toBe("ok"));
    expect(screen.queryByTestId("overdue-cards")).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("asks again when a backup finishes, and a card goes once its connection is no longer overdue", async () => {
    systemStatus.mockResolvedValueOnce(statusWith([healthOf(), healthOf({ connectionId: 2, connectionName: "staging" })]));
    render(Dashboard);
    await screen.findByTestId("overdue-1");
    expect(screen.getByTestId("overdue-2")).toBeTruthy();

    const next = deferred<SystemStatus>();
    systemStatus.mockReturnValueOnce(next.promise);
    running.handle({ kind: "finished", backup: backupRecord({ id: 40, connectionId: 1 }) });
    await waitFor(() => expect(systemStatus).toHaveBeenCalledTimes(2));
    // While it asks, the page keeps what it showed: no "Checking" cards, the alarms stay.
    expect(card("docker").dataset.state).toBe("ok");
    expect(screen.getByTestId("overdue-1")).toBeTruthy();

    next.resolve(
      statusWith([
        healthOf({ connectionId: 2, connectionName: "staging" }),
        healthOf({ overdue: false, lastGoodAt: "2026-05-04T09:00:00Z", summary: "last good backup 1 minute ago" }),
      ]),
    );
    await waitFor(() => expect(screen.queryByTestId("overdue-1")).toBeNull());
    expect(screen.getByTestId("overdue-2")).toBeTruthy();

    systemStatus.mockResolvedValueOnce(statusWith([healthOf({ overdue: false }), healthOf({ connectionId: 2, overdue: false })]));
    running.handle({ kind: "finished", backup: backupRecord({ id: 41, connectionId: 2 }) });
    await waitFor(() => expect(screen.queryByTestId("overdue-cards")).toBeNull());
    expect(systemStatus).toHaveBeenCalledTimes(3);
  });

  it("keeps the cards while Refresh asks, then shows the new answer's", async () => {
    systemStatus.mockResolvedValueOnce(statusWith([healthOf()]));
    render(Dashboard);
    await screen.findByTestId("overdue-1");

    const next = deferred<SystemStatus>();
    systemStatus.mockReturnValueOnce(next.promise);
    await fireEvent.click(screen.getByTestId("status-refresh"));
    expect(card("docker").dataset.state).toBe("loading");
    expect(screen.getByTestId("overdue-1")).toBeTruthy();

    next.resolve(statusWith([healthOf({ connectionId: 2, connectionName: "staging" })]));
    await screen.findByTestId("overdue-2");
    expect(screen.queryByTestId("overdue-1")).toBeNull();
  });

  it("asks again when the schedules change", async () => {
    systemStatus.mockResolvedValueOnce(statusWith([]));
    render(Dashboard);
    await waitFor(() => expect(card("docker").dataset.state).toBe("ok"));
    await waitFor(() => expect(listeners.has("schedules")).toBe(true));
    expect(screen.queryByTestId("overdue-cards")).toBeNull();

    systemStatus.mockResolvedValueOnce(statusWith([healthOf()]));
    emitEvent("schedules", { kind: "changed" });
    await screen.findByTestId("overdue-1");
    expect(systemStatus).toHaveBeenCalledTimes(2);

    // A new next run alone changes nothing overdue.
    emitEvent("schedules", { kind: "nextRunUpdated", scheduleIds: [3] });
    await waitFor(() => expect(api.scheduleList).toHaveBeenCalledTimes(3));
    expect(systemStatus).toHaveBeenCalledTimes(2);
  });
});

describe("Dashboard not proven connections", () => {
  const reason = "table public.orders restored 0 rows, the source has 1,204.";

  it("warns about a connection whose newest backup did not restore, after the overdue cards", async () => {
    systemStatus.mockResolvedValue(
      statusWith([
        healthOf({ connectionId: 2, connectionName: "staging" }),
        healthOf({
          connectionId: 5,
          connectionName: "orders-db",
          overdue: false,
          scheduleName: "orders nightly",
          summary: "last good backup 2 hours ago",
          notProven: reason,
        }),
        healthOf({ connectionId: 4, connectionName: "reports", overdue: false, provenAt: "2026-05-01T09:00:00Z" }),
      ]),
    );
    render(Dashboard);

    const cards = await screen.findByTestId("not-proven-cards");
    const warning = screen.getByTestId("not-proven-5");
    expect(warning.getAttribute("role")).toBe("alert");
    expect(warning.classList.contains("warning")).toBe(true);
    expect(within(warning).getByRole("heading").textContent).toBe("orders-db: not proven");
    expect(screen.getByTestId("not-proven-5-reason").textContent?.trim()).toBe(
      `The newest backup did not restore: ${reason}`,
    );
    expect(screen.getByTestId("not-proven-5-schedule").textContent).toBe("Schedule: orders nightly");
    expect(screen.getByTestId("not-proven-5-backups").getAttribute("href")).toBe("#/backups");
    // Only the failed proof warns: a proven or unproven connection that is fine gets no card.
    expect(within(cards).getAllByRole("alert").map((c) => c.dataset.testid)).toEqual(["not-proven-5"]);
    expect(screen.queryByTestId("overdue-5")).toBeNull();
    expect(screen.queryByTestId("not-proven-4")).toBeNull();

    // Overdue first, then not proven, both above the system checks.
    const overdue = screen.getByTestId("overdue-cards");
    expect(overdue.compareDocumentPosition(cards) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    const checks = screen.getByRole("heading", { name: "System checks" });
    expect(cards.compareDocumentPosition(checks) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it("shows both cards for a connection that is overdue and not proven", async () => {
    systemStatus.mockResolvedValue(statusWith([healthOf({ notProven: reason })]));
    render(Dashboard);
    await screen.findByTestId("not-proven-1");
    expect(screen.getByTestId("overdue-1").textContent).toContain("production is overdue");
    expect(screen.getByTestId("not-proven-1").textContent).toContain("production: not proven");
  });

  it("says when an overdue connection was last proven", async () => {
    systemStatus.mockResolvedValue(
      statusWith([healthOf({ provenAt: "2026-04-30T14:15:00Z" }), healthOf({ connectionId: 2, connectionName: "staging" })]),
    );
    render(Dashboard);
    // On this computer's clock (New York).
    expect((await screen.findByTestId("overdue-1-proven")).textContent?.replace(/\s+/g, " ").trim()).toBe(
      "Proven: Thu 2026-04-30 10:15",
    );
    expect(screen.queryByTestId("overdue-2-proven")).toBeNull();
  });

  it("takes the card away once a proof passes", async () => {
    systemStatus.mockResolvedValueOnce(statusWith([healthOf({ overdue: false, notProven: reason })]));
    render(Dashboard);
    await screen.findByTestId("not-proven-1");

    systemStatus.mockResolvedValueOnce(
      statusWith([healthOf({ overdue: false, provenAt: "2026-05-04T09:00:00Z" })]),
    );
    await fireEvent.click(screen.getByTestId("status-refresh"));
    await waitFor(() => expect(screen.queryByTestId("not-proven-cards")).toBeNull());
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

describe("Dashboard unusual backups", () => {
  const DAY = 24 * 60 * 60 * 1000;
  const shrunk = backupRecord({
    id: 50,
    startedAt: "2026-05-01T09:00:00Z",
    unusual: [
      "table public.invoice_line had 2260 rows and now has 226 (90 % fewer)",
      "its size, 293.0 KiB, is 71 % below the median of the last 5 (1.0 MiB)",
    ],
  });
  const slow = backupRecord({
    id: 48,
    connectionId: 2,
    connectionName: "staging",
    startedAt: "2026-04-29T12:00:00Z",
    unusual: ["it took 95 s, 3.2 × the median of the last 5 (30 s)"],
  });
  const normal = backupRecord({ id: 49, startedAt: "2026-04-30T09:00:00Z" });

  function pageOf(...items: ReturnType<typeof backupRecord>[]): BackupPage {
    return { items, total: items.length };
  }

  it("lists the unusual completed backups of the last 30 days, after the overdue cards and before the rest", async () => {
    systemStatus.mockResolvedValue(statusWith([healthOf()]));
    api.backupSearch.mockResolvedValue(pageOf(slow, normal, shrunk));
    const before = Date.now();
    render(Dashboard);

    const notice = await screen.findByTestId("unusual-backups");
    expect(api.backupSearch).toHaveBeenCalledTimes(1);
    const [filter, limit, offset] = api.backupSearch.mock.calls[0];
    expect(filter).toMatchObject({ connection: null, schedule: null, status: "completed", to: null });
    const from = Date.parse(filter.from ?? "");
    expect(from).toBeGreaterThanOrEqual(before - 30 * DAY);
    expect(from).toBeLessThanOrEqual(Date.now() - 30 * DAY);
    expect(limit).toBe(200);
    expect(offset).toBe(0);

    expect(within(notice).getByRole("heading").textContent).toBe("Recent unusual backups");
    expect(screen.getByTestId("unusual-backups-lead").textContent?.replace(/\s+/g, " ").trim()).toBe(
      "In the last 30 days, 2 completed backups look unusual against their connection’s recent ones.",
    );
    const items = within(notice).getAllByTestId("unusual-backup");
    // Newest first; the normal one is left out.
    expect(items.map((i) => i.dataset.backupId)).toEqual(["50", "48"]);
    expect(items[0].textContent).toContain("production");
    // On this computer's clock (New York).
    expect(within(items[0]).getByRole("time").textContent).toBe("Fri 2026-05-01 05:00");
    expect(within(items[0]).getByTestId("unusual-backup-reason").textContent?.replace(/\s+/g, " ").trim()).toBe(
      "table public.invoice_line had 2260 rows and now has 226 (90 % fewer) (and 1 more)",
    );
    expect(items[1].textContent).toContain("staging");
    expect(within(items[1]).getByTestId("unusual-backup-reason").textContent?.trim()).toBe(
      "it took 95 s, 3.2 × the median of the last 5 (30 s)",
    );
    expect(screen.getByTestId("unusual-backups-open").getAttribute("href")).toBe("#/backups");
    expect(screen.queryByTestId("unusual-backups-more")).toBeNull();

    // Right after the overdue cards, before everything else.
    const overdue = screen.getByTestId("overdue-cards");
    expect(overdue.compareDocumentPosition(notice) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    const checks = screen.getByRole("heading", { name: "System checks" });
    expect(notice.compareDocumentPosition(checks) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    for (const section of ["dashboard-next-runs", "dashboard-recent", "dashboard-stats"]) {
      expect(notice.compareDocumentPosition(screen.getByTestId(section)) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    }
    // A notice, not an alarm.
    expect(notice.getAttribute("role")).toBeNull();
  });

  it("lists five and says how many more there are", async () => {
    systemStatus.mockResolvedValue(okStatus());
    api.backupSearch.mockResolvedValue(
      pageOf(
        ...Array.from({ length: 7 }, (_, i) =>
          backupRecord({ id: 60 + i, startedAt: `2026-05-0${i + 1}T09:00:00Z`, unusual: ["it took 95 s"] }),
        ),
      ),
    );
    render(Dashboard);
    const notice = await screen.findByTestId("unusual-backups");
    expect(within(notice).getAllByTestId("unusual-backup").map((i) => i.dataset.backupId)).toEqual([
      "66",
      "65",
      "64",
      "63",
      "62",
    ]);
    expect(screen.getByTestId("unusual-backups-more").textContent?.trim()).toBe("And 2 more on the Backups page.");
  });

  it("says nothing when no recent backup is unusual, or when they cannot be loaded", async () => {
    systemStatus.mockResolvedValue(okStatus());
    api.backupSearch.mockResolvedValueOnce(pageOf(normal));
    render(Dashboard);
    await screen.findByTestId("recent-empty");
    await waitFor(() => expect(api.backupSearch).toHaveBeenCalled());
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.queryByTestId("unusual-backups")).toBeNull();

    api.backupSearch.mockRejectedValueOnce({ code: "store_unavailable", message: "The app database is locked." });
    await fireEvent.click(screen.getByTestId("status-refresh"));
    await waitFor(() => expect(api.backupSearch).toHaveBeenCalledTimes(2));
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.queryByTestId("unusual-backups")).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("asks again when a backup finishes", async () => {
    systemStatus.mockResolvedValue(okStatus());
    render(Dashboard);
    await waitFor(() => expect(api.backupSearch).toHaveBeenCalledTimes(1));
    expect(screen.queryByTestId("unusual-backups")).toBeNull();

    api.backupSearch.mockResolvedValue(pageOf(shrunk));
    running.handle({ kind: "finished", backup: shrunk });
    const notice = await screen.findByTestId("unusual-backups");
    expect(within(notice).getAllByTestId("unusual-backup")).toHaveLength(1);
    expect(api.backupSearch).toHaveBeenCalledTimes(2);
  });

  it("shows only the newest answer when an older one arrives late", async () => {
    systemStatus.mockResolvedValue(okStatus());
    const first = deferred<BackupPage>();
    const second = deferred<BackupPage>();
    api.backupSearch.mockReturnValueOnce(first.promise).mockReturnValueOnce(second.promise);
    render(Dashboard);
    await fireEvent.click(screen.getByTestId("status-refresh"));
    await waitFor(() => expect(api.backupSearch).toHaveBeenCalledTimes(2));

    second.resolve(pageOf(slow));
    await waitFor(() => expect(screen.getAllByTestId("unusual-backup").map((i) => i.dataset.backupId)).toEqual(["48"]));
    first.resolve(pageOf(shrunk, slow));
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.getAllByTestId("unusual-backup").map((i) => i.dataset.backupId)).toEqual(["48"]);
  });
});

describe("Dashboard history", () => {
  const DAY = 24 * 60 * 60 * 1000;
  const withConnections: Stats = emptyStats({
    total: 5,
    completed: 4,
    failed: 1,
    connections: [
      {
        connectionId: 1,
        name: "production",
        total: 4,
        completed: 3,
        failed: 1,
        recordedBytes: 3 * 1024 ** 2,
        successRate: 0.75,
        lastSuccessAt: null,
        lastFailureAt: null,
      },
      {
        connectionId: 3,
        name: "empty one",
        total: 0,
        completed: 0,
        failed: 0,
        recordedBytes: 0,
        successRate: null,
        lastSuccessAt: null,
        lastFailureAt: null,
      },
      {
        connectionId: 2,
        name: "staging",
        total: 1,
        completed: 1,
        failed: 0,
        recordedBytes: 1024 ** 2,
        successRate: 1,
        lastSuccessAt: null,
        lastFailureAt: null,
      },
    ],
  });

  function ago(days: number) {
    return new Date(Date.now() - days * DAY).toISOString();
  }

  const productionHistory: BackupPage = {
    items: [
      backupRecord({ id: 4, startedAt: ago(1), unusual: ["it took 95 s, 3.2 × the median of the last 5 (30 s)"] }),
      backupRecord({ id: 3, startedAt: ago(2), status: "failed", sizeBytes: null, errorMessage: "boom" }),
      backupRecord({ id: 2, startedAt: ago(3) }),
    ],
    total: 3,
  };
  const stagingHistory: BackupPage = {
    items: [backupRecord({ id: 9, connectionId: 2, connectionName: "staging", startedAt: ago(4) })],
    total: 1,
  };

  /** The history requests: those with a connection filter. */
  function historyCalls() {
    return api.backupSearch.mock.calls.filter(([filter]) => filter.connection !== null);
  }

  beforeEach(() => {
    systemStatus.mockResolvedValue(okStatus());
    api.backupStats.mockResolvedValue(withConnections);
    api.backupSearch.mockImplementation(async (filter) => {
      if (filter.connection === 1) return productionHistory;
      if (filter.connection === 2) return stagingHistory;
      return { items: [], total: 0 };
    });
  });

  it("charts the first connection with backups, its last 90 days, under a History heading", async () => {
    const before = Date.now();
    render(Dashboard);
    const section = screen.getByTestId("dashboard-history");
    expect(within(section).getByRole("heading").textContent).toBe("History");

    const select = (await screen.findByTestId("history-connection")) as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(["production", "staging"]);
    expect(select.value).toBe("1");
    expect(screen.getByLabelText("Connection")).toBe(select);

    const chart = await screen.findByTestId("history-chart");
    expect(historyCalls()).toHaveLength(1);
    const [filter, limit, offset] = historyCalls()[0];
    expect(filter).toMatchObject({ connection: 1, schedule: null, status: null, to: null });
    const from = Date.parse(filter.from ?? "");
    expect(from).toBeGreaterThanOrEqual(before - 90 * DAY);
    expect(from).toBeLessThanOrEqual(Date.now() - 90 * DAY);
    expect([limit, offset]).toEqual([500, 0]);

    expect(within(chart).getAllByTestId("history-point")).toHaveLength(2);
    expect(within(chart).getAllByTestId("history-failure")).toHaveLength(1);
    expect(within(chart).getAllByTestId("history-unusual")).toHaveLength(1);
    expect(within(chart).getByRole("img").getAttribute("aria-label")).toContain("Backup history of production");

    await fireEvent.click(within(chart).getByTestId("history-table-toggle"));
    const table = screen.getByTestId("history-table");
    expect(within(table).getAllByTestId("history-row").map((r) => r.dataset.backupId)).toEqual(["4", "3", "2"]);
    expect(table.textContent).toContain("it took 95 s, 3.2 × the median of the last 5 (30 s)");

    // Between the recent backups and the statistics.
    const recent = screen.getByTestId("dashboard-recent");
    expect(recent.compareDocumentPosition(section) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(section.compareDocumentPosition(screen.getByTestId("dashboard-stats")) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it("charts the connection picked in the selector", async () => {
    render(Dashboard);
    await screen.findByTestId("history-chart");
    const select = screen.getByTestId("history-connection") as HTMLSelectElement;

    select.value = "2";
    await fireEvent.change(select);
    await waitFor(() => expect(historyCalls().at(-1)?.[0].connection).toBe(2));
    await waitFor(() =>
      expect(within(screen.getByTestId("history-chart")).getByRole("img").getAttribute("aria-label")).toContain(
        "Backup history of staging",
      ),
    );
    expect(screen.getAllByTestId("history-point")).toHaveLength(1);
    expect(select.value).toBe("2");
  });

  it("shows only the newest answer when the choice changes before the first arrives", async () => {
    const slow = deferred<BackupPage>();
    api.backupSearch.mockImplementation((filter) => {
      if (filter.connection === 1) return slow.promise;
      if (filter.connection === 2) return Promise.resolve(stagingHistory);
      return Promise.resolve({ items: [], total: 0 });
    });
    render(Dashboard);
    const select = (await screen.findByTestId("history-connection")) as HTMLSelectElement;
    await waitFor(() => expect(historyCalls()).toHaveLength(1));
    select.value = "2";
    await fireEvent.change(select);
    await screen.findByTestId("history-chart");

    slow.resolve(productionHistory);
    await new Promise((r) => setTimeout(r, 0));
    expect(within(screen.getByTestId("history-chart")).getByRole("img").getAttribute("aria-label")).toContain(
      "Backup history of staging",
    );
  });

  it("asks again when a backup finishes, keeping the chart meanwhile", async () => {
    render(Dashboard);
    await screen.findByTestId("history-chart");
    expect(historyCalls()).toHaveLength(1);

    const next = deferred<BackupPage>();
    api.backupSearch.mockImplementation((filter) =>
      filter.connection === 1 ? next.promise : Promise.resolve({ items: [], total: 0 }),
    );
    running.handle({ kind: "finished", backup: backupRecord({ id: 5 }) });
    await waitFor(() => expect(historyCalls()).toHaveLength(2));
    expect(historyCalls()[1][0].connection).toBe(1);
    expect(screen.getByTestId("history-chart")).toBeTruthy();

    next.resolve({ items: [...productionHistory.items, backupRecord({ id: 5, startedAt: ago(0.5) })], total: 4 });
    await waitFor(() => expect(screen.getAllByTestId("history-point")).toHaveLength(3));
  });

  it("says so when no connection has backups yet", async () => {
    api.backupStats.mockResolvedValue(emptyStats());
    render(Dashboard);
    expect((await screen.findByTestId("history-none")).textContent).toContain("No backups yet");
    expect(screen.queryByTestId("history-connection")).toBeNull();
    expect(historyCalls()).toHaveLength(0);
  });

  it("says why the history could not be loaded", async () => {
    api.backupSearch.mockImplementation(async (filter) => {
      if (filter.connection !== null) throw { code: "store_unavailable", message: "The app database is locked." };
      return { items: [], total: 0 };
    });
    render(Dashboard);
    expect((await screen.findByTestId("history-error")).textContent).toContain("The app database is locked.");
  });
});

describe("Dashboard copies", () => {
  const failedCopy = copyRecord({
    backupId: 31,
    locationId: 2,
    locationName: "offsite",
    state: "failed",
    finishedAt: "2026-05-01T09:10:00Z",
    errorMessage: "s3://team-backups at https://s3.example.com cannot be reached: connection refused.",
  });
  const altered = copyRecord({ backupId: 30, state: "altered", finishedAt: "2026-04-30T09:10:00Z", errorMessage: null });
  const pending = copyRecord({ backupId: 33, state: "pending", finishedAt: null, startedAt: null, sizeBytes: null, bytesDone: 0 });
  const copying = copyRecord({
    backupId: 32,
    locationId: 3,
    locationName: "closet",
    state: "copying",
    finishedAt: null,
    startedAt: "2026-05-01T10:00:00Z",
    sizeBytes: 4 * 1024 * 1024,
    bytesDone: 1024 * 1024,
  });

  it("lists failed, altered and missing copies first, with their errors, then those under way", async () => {
    systemStatus.mockResolvedValue(okStatus());
    api.copiesNeedingAttention.mockResolvedValue([pending, copying, failedCopy, altered]);
    render(Dashboard);

    const card = await screen.findByTestId("dashboard-copies");
    expect(within(card).getByRole("heading").textContent?.trim()).toBe("Copies that need attention");
    expect(screen.getByTestId("dashboard-copies-lead").textContent).toBe("1 failed, 1 altered, 1 copying, 1 waiting");
    const items = within(card).getAllByTestId("dashboard-copy");
    expect(items.map((i) => [i.dataset.backupId, i.dataset.state])).toEqual([
      ["31", "failed"],
      ["30", "altered"],
      ["32", "copying"],
      ["33", "pending"],
    ]);
    // Red for a copy that failed, amber for one found changed.
    expect(items[0].classList.contains("problem")).toBe(true);
    expect(items[0].textContent).toContain("Backup #31 → offsite");
    expect(within(items[0]).getByTestId("dashboard-copy-error").textContent).toBe(failedCopy.errorMessage);
    expect(items[1].classList.contains("warning")).toBe(true);
    expect(within(items[1]).getByTestId("dashboard-copy-error").textContent).toBe("The copy's objects differ from what was stored.");
    expect(items[2].textContent).toContain("1.0 MiB of 4.0 MiB");
    expect(within(items[3]).queryByTestId("dashboard-copy-error")).toBeNull();
    expect(screen.getByTestId("dashboard-copies-open").getAttribute("href")).toBe("#/backups");

    // After the overdue cards, before the system checks.
    const checks = screen.getByRole("heading", { name: "System checks" });
    expect(card.compareDocumentPosition(checks) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it("is hidden when no copy needs attention, or when they cannot be loaded", async () => {
    systemStatus.mockResolvedValue(okStatus());
    render(Dashboard);
    await waitFor(() => expect(api.copiesNeedingAttention).toHaveBeenCalledTimes(1));
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.queryByTestId("dashboard-copies")).toBeNull();

    api.copiesNeedingAttention.mockRejectedValueOnce({ code: "store_unusable", message: "The app database is locked." });
    await fireEvent.click(screen.getByTestId("status-refresh"));
    await waitFor(() => expect(api.copiesNeedingAttention).toHaveBeenCalledTimes(2));
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.queryByTestId("dashboard-copies")).toBeNull();
  });

  it("asks again on copy events, and goes once every copy is done", async () => {
    systemStatus.mockResolvedValue(okStatus());
    render(Dashboard);
    await waitFor(() => expect(api.copiesNeedingAttention).toHaveBeenCalledTimes(1));

    // A copy that starts shows with its progress.
    api.copiesNeedingAttention.mockResolvedValueOnce([copying]);
    emitEvent("copy", { kind: "progress", backupId: 32, locationId: 3, bytes: 1024 * 1024 });
    const card = await screen.findByTestId("dashboard-copies");
    expect(within(card).getByRole("heading").textContent?.trim()).toBe("Copies under way");
    emitEvent("copy", { kind: "progress", backupId: 32, locationId: 3, bytes: 3 * 1024 * 1024 });
    await waitFor(() => expect(within(card).getByTestId("dashboard-copy").textContent).toContain("3.0 MiB of 4.0 MiB"));
    // Progress of a listed copy is not asked for again.
    expect(api.copiesNeedingAttention).toHaveBeenCalledTimes(2);

    api.copiesNeedingAttention.mockResolvedValueOnce([failedCopy]);
    emitEvent("copy", { kind: "changed", backupId: 32 });
    await waitFor(() => expect(screen.getByTestId("dashboard-copy").dataset.state).toBe("failed"));

    api.copiesNeedingAttention.mockResolvedValueOnce([]);
    emitEvent("copy", { kind: "changed", backupId: 31 });
    await waitFor(() => expect(screen.queryByTestId("dashboard-copies")).toBeNull());
  });
});
