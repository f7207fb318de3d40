import { fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import App from "./App.svelte";
import { commands } from "./lib/bindings";
import { emptyStats, okStatus } from "./test/fixtures";

vi.mock("./lib/bindings", () => ({
  EVENTS: { backup: "backup", schedules: "schedules", copy: "copy" },
  commands: {
    storageList: vi.fn(),
    keyInfo: vi.fn(),
    copiesNeedingAttention: vi.fn(),
    systemStatus: vi.fn(),
    connectionList: vi.fn(),
    connectionPgpassEntries: vi.fn(),
    backupList: vi.fn(),
    backupSearch: vi.fn(),
    backupStats: vi.fn(),
    backupRun: vi.fn(),
    backupCancel: vi.fn(),
    settingsGet: vi.fn(),
    settingsSave: vi.fn(),
    scheduleList: vi.fn(),
    schedulerStatus: vi.fn(),
  },
}));

const NAV = ["dashboard", "connections", "schedules", "backups", "storage", "settings"] as const;

function title() {
  return screen.getByTestId("page-title").textContent;
}

beforeEach(() => {
  vi.mocked(commands.systemStatus).mockResolvedValue(okStatus());
  vi.mocked(commands.connectionList).mockResolvedValue([]);
  vi.mocked(commands.connectionPgpassEntries).mockResolvedValue([]);
  vi.mocked(commands.backupList).mockResolvedValue([]);
  vi.mocked(commands.backupSearch).mockResolvedValue({ items: [], total: 0 });
  vi.mocked(commands.backupStats).mockResolvedValue(emptyStats());
  vi.mocked(commands.scheduleList).mockResolvedValue([]);
  vi.mocked(commands.storageList).mockResolvedValue([]);
  vi.mocked(commands.copiesNeedingAttention).mockResolvedValue([]);
  vi.mocked(commands.keyInfo).mockResolvedValue({ recipient: "age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq", extraRecipients: [], exportedAt: null });
  vi.mocked(commands.schedulerStatus).mockResolvedValue({ runningHere: true, note: null, allPaused: false });
  vi.mocked(commands.settingsGet).mockResolvedValue({
    engine: "auto",
    imageTemplate: "postgres:{major}",
    backupRoot: "/home/ada/.local/share/db-backup-manager/backups",
    notifyOnFailure: true,
    notifyOnSuccess: false,
    catchUpGraceHours: 24,
    stallAfterSeconds: 600,
  });
});

afterEach(() => {
  window.location.hash = "";
});

describe("App frame", () => {
  it("has a keyboard-reachable link for every page and starts on the Dashboard", () => {
    render(App);
    for (const id of NAV) {
      const item = screen.getByTestId(`nav-${id}`);
      expect(item.tagName).toBe("A");
      expect(item.getAttribute("href")).toBe(`#/${id}`);
    }
    expect(title()).toBe("Dashboard");
    expect(screen.getByTestId("nav-dashboard").getAttribute("aria-current")).toBe("page");
    expect(screen.getByTestId("nav-connections").hasAttribute("aria-current")).toBe(false);
  });

  it("switches pages from the navigation and marks only the active item", async () => {
    render(App);
    // Each page's heading, and a test id and text it shows once loaded.
    const expected = {
      connections: ["Connections", "empty-state", "No connections yet."],
      schedules: ["Schedules", "empty-state", "No schedules yet."],
      backups: ["Backups", "empty-state", "No backups yet."],
      storage: ["Storage", "empty-state", "No storage locations yet."],
      settings: ["Settings", "settings-form", "Backup folder"],
      dashboard: ["Dashboard", null, null],
    } as const;

    for (const [id, [heading, testid, text]] of Object.entries(expected)) {
      await fireEvent.click(screen.getByTestId(`nav-${id}`));
      expect(title()).toBe(heading);
      expect(window.location.hash).toBe(`#/${id}`);
      if (testid) expect((await screen.findByTestId(testid)).textContent).toContain(text);
      const current = NAV.filter((n) => screen.getByTestId(`nav-${n}`).getAttribute("aria-current") === "page");
      expect(current).toEqual([id]);
    }
  });

  it("opens the page named in the hash", () => {
    window.location.hash = "#/backups";
    render(App);
    expect(title()).toBe("Backups");
    expect(screen.getByTestId("nav-backups").getAttribute("aria-current")).toBe("page");
  });
});
