import { describe, expect, it } from "vitest";
import { backupRecord, serverSetRecord } from "../../test/fixtures";
import {
  backupConnectionLabel,
  backupDurationMs,
  connectionLabel,
  connectionNames,
  countText,
  deletedText,
  dumpOptionsFor,
  formatBytes,
  formatDateTime,
  formatDuration,
  formatPercent,
  formatRate,
  formatSeconds,
  isUnusual,
  resultState,
  resultText,
  runDurationText,
  runnerText,
  scanText,
  sizeText,
  statusTone,
  versionsText,
} from "./format";

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [512, "512 B"],
    [1023, "1023 B"],
    [1024, "1.0 KiB"],
    [1536, "1.5 KiB"],
    [1_258_291, "1.2 MiB"],
    [157_286_400, "150 MiB"],
    [5 * 1024 ** 3, "5.0 GiB"],
    [2.5 * 1024 ** 4, "2.5 TiB"],
  ])("%d bytes → %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it("moves up a unit instead of showing 1024 of the smaller one", () => {
    expect(formatBytes(1024 * 1024 - 10)).toBe("1.0 MiB");
    expect(formatBytes(102_350)).toBe("100 KiB");
  });

  it("says — for nonsense", () => {
    expect(formatBytes(-1)).toBe("—");
    expect(formatBytes(Number.NaN)).toBe("—");
  });
});

describe("formatRate", () => {
  it("is bytes per second", () => {
    expect(formatRate(3.1 * 1024 * 1024)).toBe("3.1 MiB/s");
    expect(formatRate(0)).toBe("0 B/s");
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0.0 s"],
    [400, "0.4 s"],
    [3200, "3 s"],
    [59_600, "1 min"],
    [125_000, "2 min 5 s"],
    [3_600_000, "1 h"],
    [3_780_000, "1 h 3 min"],
  ])("%d ms → %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("formatDateTime", () => {
  it("shows local time as YYYY-MM-DD HH:MM, with seconds on request", () => {
    const iso = new Date(2026, 4, 1, 9, 5, 7).toISOString();
    expect(formatDateTime(iso)).toBe("2026-05-01 09:05");
    expect(formatDateTime(iso, true)).toBe("2026-05-01 09:05:07");
  });

  it("says — for no time and keeps text it cannot read", () => {
    expect(formatDateTime(null)).toBe("—");
    expect(formatDateTime("soon")).toBe("soon");
  });
});

describe("backup columns", () => {
  it("computes the duration from start and completion", () => {
    expect(backupDurationMs(backupRecord())).toBe(3000);
    expect(backupDurationMs(backupRecord({ completedAt: null }))).toBeNull();
  });

  it("shows versions, runner and size, with — for what is unknown", () => {
    expect(versionsText(backupRecord())).toBe("16.4 → 16.2");
    expect(versionsText(backupRecord({ pgDumpVersion: null }))).toBe("? → 16.2");
    expect(versionsText(backupRecord({ pgDumpVersion: null, serverVersion: null }))).toBe("—");
    expect(runnerText(backupRecord())).toBe("postgres:16");
    expect(runnerText(backupRecord({ runner: "local", runnerDetail: null }))).toBe("local");
    expect(runnerText(backupRecord({ runner: null, runnerDetail: null }))).toBe("—");
    expect(sizeText(backupRecord())).toBe("1.2 MiB");
    expect(sizeText(backupRecord({ sizeBytes: null }))).toBe("—");
  });

  it("gives each status a tone", () => {
    expect(statusTone("completed")).toBe("ok");
    expect(statusTone("failed")).toBe("problem");
    expect(statusTone("interrupted")).toBe("problem");
    expect(statusTone("cancelled")).toBe("muted");
    expect(statusTone("running")).toBe("active");
    // Partial is its own tone: usable, unlike a failed run.
    expect(statusTone("partial")).toBe("warning");
  });

  it("names connections, and says which one it cannot name", () => {
    const names = connectionNames([{ id: 1, name: "production" }]);
    expect(connectionLabel(names, 1)).toBe("production");
    expect(connectionLabel(names, 9)).toBe("Connection #9");
    expect(connectionLabel(names, null)).toBe("Unknown connection");
  });
});

describe("resultText", () => {
  it("sums up a completed run with its size and time", () => {
    expect(resultText(backupRecord())).toBe("Backed up: 1.2 MiB in 3 s");
    expect(resultState("completed")).toBe("completed");
  });

  it("shows a failed run's error message", () => {
    const failed = backupRecord({ status: "failed", errorMessage: "pg_dump: error: permission denied for table orders" });
    expect(resultText(failed)).toBe("pg_dump: error: permission denied for table orders");
    expect(resultText(backupRecord({ status: "failed", errorMessage: null }))).toBe("The backup failed.");
    expect(resultState("failed")).toBe("failed");
    expect(resultState("interrupted")).toBe("failed");
  });

  it("says how much of the server a partial set holds", () => {
    expect(resultState("partial")).toBe("partial");
    expect(resultText(serverSetRecord())).toBe(
      'Backed up 4 of 5 databases: 1 of 5 parts failed: legacy: pg_dump: error: query failed: ERROR: permission denied for table "audit"',
    );
    expect(resultText(serverSetRecord({ errorMessage: null }))).toBe("Backed up 4 of 5 databases.");
  });

  it("says a cancelled run was cancelled", () => {
    expect(resultText(backupRecord({ status: "cancelled" }))).toBe("Cancelled.");
    expect(resultState("cancelled")).toBe("cancelled");
  });
});

describe("dumpOptionsFor", () => {
  it("sends null (the defaults) for the custom format", () => {
    expect(dumpOptionsFor("custom")).toBeNull();
  });

  it("sends the chosen format with default compression and no filters", () => {
    expect(dumpOptionsFor("plain")).toEqual({
      format: "plain",
      compression: { method: "auto" },
      schemaOnly: false,
      dataOnly: false,
      includeSchemas: [],
      excludeSchemas: [],
      includeTables: [],
      excludeTables: [],
      jobs: null,
    });
    expect(dumpOptionsFor("directory")?.format).toBe("directory");
  });
});

describe("formatSeconds", () => {
  it.each([
    [3.24, "3.2 s"],
    [0.04, "0.0 s"],
    [59.9, "59.9 s"],
    [125, "2 min 5 s"],
    [-1, "—"],
  ])("%s → %s", (seconds, text) => {
    expect(formatSeconds(seconds)).toBe(text);
  });
});

describe("formatPercent", () => {
  it.each([
    [null, "—"],
    [1, "100%"],
    [0, "0%"],
    [5 / 9, "56%"],
    [0.8, "80%"],
    // Not quite everything, not quite nothing: said so.
    [0.9996, "99.9%"],
    [0.004, "0.4%"],
  ])("%s → %s", (rate, text) => {
    expect(formatPercent(rate)).toBe(text);
  });
});

describe("library texts", () => {
  it("counts in words", () => {
    expect(countText(1, "backup")).toBe("1 backup");
    expect(countText(0, "backup")).toBe("0 backups");
    expect(countText(1234, "backup")).toBe("1,234 backups");
  });

  it("sums up a scan", () => {
    expect(scanText({ checked: 12, missing: [], modified: [], restored: [] })).toBe(
      "Checked 12 backups: every file is as recorded.",
    );
    expect(scanText({ checked: 12, missing: [3], modified: [4, 5], restored: [] })).toBe(
      "Checked 12 backups: 1 file missing, 2 files changed.",
    );
    expect(scanText({ checked: 1, missing: [], modified: [], restored: [7] })).toBe(
      "Checked 1 backup: every file is as recorded; 1 marked file is back as recorded.",
    );
  });

  it("says what a delete did, with the backend's note", () => {
    expect(deletedText({ id: 12, fileRemoved: true, note: null })).toBe("Deleted backup #12.");
    expect(deletedText({ id: 12, fileRemoved: false, note: "The file /b/x.dump was already gone." })).toBe(
      "Deleted backup #12. The file /b/x.dump was already gone.",
    );
  });

  it("shows the recorded duration, else the one from start and end", () => {
    expect(runDurationText(backupRecord({ durationSeconds: 125 }))).toBe("2 min 5 s");
    expect(runDurationText(backupRecord({ durationSeconds: null }))).toBe("3 s");
    expect(runDurationText(backupRecord({ durationSeconds: null, completedAt: null }))).toBe("—");
  });
});

describe("backupConnectionLabel", () => {
  it("names the connection, and marks one removed with its backups kept", () => {
    expect(backupConnectionLabel({ connectionId: 3, connectionName: "shop", connectionRemoved: false })).toBe("shop");
    expect(backupConnectionLabel({ connectionId: 3, connectionName: "shop", connectionRemoved: true })).toBe("shop (removed)");
    expect(backupConnectionLabel({ connectionId: 3, connectionName: "", connectionRemoved: false })).toBe("Connection #3");
  });
});

describe("isUnusual", () => {
  it("is true only for a completed backup with reasons", () => {
    expect(isUnusual(backupRecord())).toBe(false);
    expect(isUnusual(backupRecord({ unusual: ["its size, 293.0 KiB, is 71 % below the median"] }))).toBe(true);
    expect(isUnusual(backupRecord({ status: "failed", unusual: ["it took 95 s"] }))).toBe(false);
    expect(isUnusual(backupRecord({ status: "running", unusual: ["it took 95 s"] }))).toBe(false);
  });
});
