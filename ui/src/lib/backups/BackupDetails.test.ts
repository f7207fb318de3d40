// What a scheduled run's hooks answered, in the backup's details.
import { render, screen, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { commands, type Backup } from "../bindings";
import { backupRecord, hookResult } from "../../test/fixtures";
import BackupDetails from "./BackupDetails.svelte";

vi.mock("../bindings", () => ({
  EVENTS: { copy: "copy" },
  commands: { backupCopies: vi.fn() },
}));

beforeEach(() => {
  vi.mocked(commands.backupCopies).mockResolvedValue([]);
});

function renderDetails(backup: Backup) {
  render(BackupDetails, {
    backup,
    connectionName: "production",
    scheduleName: "production nightly",
    onchanged: vi.fn(),
    ondeleted: vi.fn(),
    onsavecopy: vi.fn(),
    onrestore: vi.fn(),
  });
}

describe("Backup details hooks", () => {
  it("lists each hook with its result, detail and target, failed ones as warnings", () => {
    renderDetails(
      backupRecord({
        scheduleId: 3,
        trigger: "schedule",
        hooks: [
          hookResult(),
          hookResult({
            hook: "on-success",
            target: "http://kuma.local:3001/api/push/abc",
            ok: false,
            detail: "timed out after 10 s",
            seconds: 10,
          }),
          hookResult({ hook: "on-finish", target: "logger -t dbm", detail: "exit status 0", seconds: 0.04 }),
        ],
      }),
    );

    const section = screen.getByTestId("backup-hooks");
    expect(screen.getByRole("region", { name: "Hooks after the run" })).toBe(section);
    expect(section.classList.contains("failed")).toBe(true);
    expect(screen.getByTestId("backup-hooks-verdict").textContent?.trim()).toBe("1 hook failed");

    const items = within(section).getAllByTestId("backup-hook");
    expect(items.map((i) => i.dataset.ok)).toEqual(["true", "false", "true"]);
    expect(items.map((i) => i.classList.contains("bad"))).toEqual([false, true, false]);
    const text = (i: number) => items[i].textContent?.replace(/\s+/g, " ").trim();
    expect(text(0)).toBe("ok Ping URL HTTP 200 · 0.2 s https://hc-ping.com/5f2c/success");
    expect(text(1)).toBe("FAILED URL on success timed out after 10 s · 10.0 s http://kuma.local:3001/api/push/abc");
    expect(text(2)).toBe("ok Command exit status 0 · 0.0 s logger -t dbm");
  });

  it("says so when every hook answered", () => {
    renderDetails(backupRecord({ hooks: [hookResult(), hookResult({ hook: "on-failure", detail: "HTTP 204" })] }));
    const section = screen.getByTestId("backup-hooks");
    expect(section.classList.contains("failed")).toBe(false);
    expect(screen.getByTestId("backup-hooks-verdict").textContent?.trim()).toBe("all answered");
    expect(within(section).getAllByTestId("backup-hook")[1].textContent).toContain("URL on failure");
  });

  it("shows nothing about hooks for a run without any", () => {
    renderDetails(backupRecord());
    expect(screen.getByTestId("backup-details")).toBeTruthy();
    expect(screen.queryByTestId("backup-hooks")).toBeNull();
  });
});
