import { describe, expect, it } from "vitest";
import { backupRecord, proofRecord, savedSchedule } from "../../test/fixtures";
import {
  alertAfterText,
  compressionText,
  durationText,
  formatInZone,
  hasSeconds,
  missedWhen,
  offsetText,
  optionsText,
  previewRuns,
  proofSummary,
  relativeTime,
  retentionPlanText,
  retentionText,
  runsText,
  upcoming,
  verifyEveryText,
  wallClockText,
} from "./format";

describe("formatInZone", () => {
  it("shows an instant on the clock of the given zone, with its weekday", () => {
    expect(formatInZone("2026-05-02T00:30:00Z", "Europe/Berlin")).toBe("Sat 2026-05-02 02:30");
    expect(formatInZone("2026-05-02T00:30:00Z", "America/New_York")).toBe("Fri 2026-05-01 20:30");
    expect(formatInZone("2026-05-02T00:30:00Z", "UTC")).toBe("Sat 2026-05-02 00:30");
    expect(formatInZone("2026-01-15T12:05:00+05:30", "Asia/Kolkata")).toBe("Thu 2026-01-15 12:05");
  });

  it("uses 00, not 24, for midnight", () => {
    expect(formatInZone("2026-05-01T22:00:00Z", "Europe/Berlin")).toBe("Sat 2026-05-02 00:00");
  });

  it("says — for no time and keeps text it cannot read", () => {
    expect(formatInZone(null, "UTC")).toBe("—");
    expect(formatInZone("soon", "UTC")).toBe("soon");
  });

  it("falls back to the local clock for a zone this system does not know", () => {
    expect(formatInZone("2026-05-02T00:30:00Z", "Mars/Olympus")).toMatch(/^2026-05-0[12] \d\d:\d\d$/);
  });
});

describe("preview runs", () => {
  it("reads the wall clock and offset the string was written with", () => {
    expect(wallClockText("2026-03-29T03:30:00+02:00")).toBe("Sun 2026-03-29 03:30");
    expect(offsetText("2026-03-29T03:30:00+02:00")).toBe("UTC+2");
    expect(offsetText("2026-03-29T03:30:00+05:30")).toBe("UTC+5:30");
    expect(offsetText("2026-03-29T03:30:00-03:00")).toBe("UTC-3");
    expect(offsetText("2026-03-29T03:30:00+00:00")).toBe("UTC");
    expect(offsetText("2026-03-29T03:30:00Z")).toBe("UTC");
  });

  it("adds the local time only when it reads differently", () => {
    const runs = ["2026-05-02T02:30:00+02:00", "2026-05-03T02:30:00+02:00"];
    expect(previewRuns(runs, "Europe/Berlin")).toEqual([
      { iso: runs[0], inZone: "Sat 2026-05-02 02:30", offset: "UTC+2", local: null },
      { iso: runs[1], inZone: "Sun 2026-05-03 02:30", offset: "UTC+2", local: null },
    ]);
    const inNewYork = previewRuns(runs, "America/New_York");
    expect(inNewYork.map((r) => r.local)).toEqual(["Fri 2026-05-01 20:30", "Sat 2026-05-02 20:30"]);
    expect(inNewYork[0].inZone).toBe("Sat 2026-05-02 02:30");
  });
});

describe("relativeTime", () => {
  const now = Date.parse("2026-05-01T12:00:00Z");

  it.each([
    ["2026-05-01T12:00:30Z", "in under a minute"],
    ["2026-05-01T12:45:00Z", "in 45 min"],
    ["2026-05-01T17:00:00Z", "in 5 h"],
    ["2026-05-02T11:00:00Z", "in 23 h"],
    ["2026-05-04T12:00:00Z", "in 3 days"],
    ["2026-05-01T11:59:40Z", "just now"],
    ["2026-05-01T10:00:00Z", "2 h ago"],
    ["2026-04-28T12:00:00Z", "3 days ago"],
  ])("%s → %s", (iso, text) => {
    expect(relativeTime(iso, now)).toBe(text);
  });

  it("is empty for no time or junk", () => {
    expect(relativeTime(null, now)).toBe("");
    expect(relativeTime("later", now)).toBe("");
  });
});

describe("schedule texts", () => {
  it("writes compression as the backend reads it", () => {
    expect(compressionText({ method: "auto" })).toBe("auto");
    expect(compressionText({ method: "none" })).toBe("none");
    expect(compressionText({ method: "gzip", level: 6 })).toBe("gzip:6");
  });

  it("says how long backups are kept", () => {
    expect(retentionText(null, null)).toBe("Keeps all");
    expect(retentionText(7, null)).toBe("Keeps the last 7");
    expect(retentionText(null, 1)).toBe("Keeps 1 day");
    expect(retentionText(7, 30)).toBe("Keeps the last 7, at most 30 days");
  });

  it("sums up the backup options", () => {
    expect(optionsText(savedSchedule({ format: "directory", compression: { method: "zstd", level: 3 } }))).toBe(
      "Directory · zstd:3 · Keeps the last 7",
    );
  });

  it("says when missed runs were due and how many", () => {
    const one = { firstDueAt: "2026-05-01T00:30:00Z", lastDueAt: "2026-05-01T00:30:00Z" };
    expect(missedWhen(one, "UTC")).toBe("Fri 2026-05-01 00:30");
    const span = { firstDueAt: "2026-05-01T00:30:00Z", lastDueAt: "2026-05-03T00:30:00Z" };
    expect(missedWhen(span, "UTC")).toBe("Fri 2026-05-01 00:30 – Sun 2026-05-03 00:30");
    expect(runsText(1)).toBe("1 run");
    expect(runsText(3)).toBe("3 runs");
  });
});

describe("proof texts", () => {
  const now = Date.parse("2026-05-03T03:02:10Z");

  it("says how often a schedule verifies by restore, nothing when it never does", () => {
    expect(verifyEveryText(null)).toBeNull();
    expect(verifyEveryText(86_400)).toBe("Verifies by restore daily");
    expect(verifyEveryText(604_800)).toBe("Verifies by restore weekly");
    expect(verifyEveryText(259_200)).toBe("Verifies by restore every 3 days");
    expect(verifyEveryText(43_200)).toBe("Verifies by restore every 12 hours");
  });

  it("says when the newest proof passed, why it failed, or that it did not finish", () => {
    expect(proofSummary(null, now)).toBeNull();
    expect(proofSummary(proofRecord(), now)).toEqual({
      state: "proven",
      text: "Proven 2 days ago",
      at: "2026-05-01T03:02:10Z",
    });
    expect(
      proofSummary(proofRecord({ ok: false, error: "table public.orders has 0 rows, the source 1,204" }), now),
    ).toMatchObject({ state: "not-proven", text: "Not proven: table public.orders has 0 rows, the source 1,204" });
    expect(proofSummary(proofRecord({ ok: false, error: null }), now)?.text).toBe(
      "Not proven: the newest backup did not restore.",
    );
    expect(
      proofSummary(proofRecord({ ok: null, finishedAt: null, startedAt: "2026-05-03T01:00:00Z" }), now),
    ).toEqual({
      state: "unfinished",
      text: "Verify by restore started 2 h ago, not finished",
      at: "2026-05-03T01:00:00Z",
    });
  });
});

describe("upcoming", () => {
  it("lists active schedules with a next run, soonest first, at most `count`", () => {
    const list = [
      savedSchedule({ id: 1, nextRunAt: "2026-05-03T00:00:00Z" }),
      savedSchedule({ id: 2, nextRunAt: "2026-05-01T00:00:00Z" }),
      savedSchedule({ id: 3, nextRunAt: null }),
      savedSchedule({ id: 4, nextRunAt: "2026-04-30T00:00:00Z", isActive: false }),
      savedSchedule({ id: 5, nextRunAt: "2026-05-02T00:00:00+02:00" }),
    ];
    expect(upcoming(list, 5).map((s) => s.id)).toEqual([2, 5, 1]);
    expect(upcoming(list, 2).map((s) => s.id)).toEqual([2, 5]);
  });
});

describe("patterns with seconds", () => {
  it("tells a 6-field pattern (seconds first) from the rest", () => {
    expect(hasSeconds("*/10 * * * * *")).toBe(true);
    expect(hasSeconds("  0 30 2 * * *  ")).toBe(true);
    expect(hasSeconds("30 2 * * *")).toBe(false);
    expect(hasSeconds("@hourly")).toBe(false);
  });

  it("shows seconds on request, in the zone and on the written clock", () => {
    expect(formatInZone("2026-05-02T00:30:10Z", "Europe/Berlin", true)).toBe("Sat 2026-05-02 02:30:10");
    expect(formatInZone("2026-05-02T00:30:10Z", "Europe/Berlin")).toBe("Sat 2026-05-02 02:30");
    expect(wallClockText("2026-05-04T20:27:40+02:00", true)).toBe("Mon 2026-05-04 20:27:40");
    expect(wallClockText("2026-05-04T20:27+02:00", true)).toBe("Mon 2026-05-04 20:27:00");
  });

  it("lists runs ten seconds apart as different times", () => {
    const runs = ["2026-05-04T20:27:10+02:00", "2026-05-04T20:27:20+02:00", "2026-05-04T20:27:30+02:00"];
    const listed = previewRuns(runs, "America/New_York", true);
    expect(listed.map((r) => r.inZone)).toEqual([
      "Mon 2026-05-04 20:27:10",
      "Mon 2026-05-04 20:27:20",
      "Mon 2026-05-04 20:27:30",
    ]);
    expect(listed[0].local).toBe("Mon 2026-05-04 14:27:10");
  });
});

describe("alertAfterText", () => {
  it("says how long without a good backup alerts, in the largest whole unit", () => {
    expect(alertAfterText(null)).toBeNull();
    expect(alertAfterText(86_400)).toBe("Alerts after 1 day without a good backup");
    expect(alertAfterText(172_800)).toBe("Alerts after 2 days without a good backup");
    expect(alertAfterText(3600)).toBe("Alerts after 1 hour without a good backup");
    expect(alertAfterText(129_600)).toBe("Alerts after 36 hours without a good backup");
    expect(durationText(300)).toBe("5 minutes");
    expect(durationText(301)).toBe("301 seconds");
  });
});

describe("retentionPlanText", () => {
  it("says how many backups retention would delete and keep", () => {
    expect(retentionPlanText({ delete: [], keep: 3 })).toBe("Retention would delete no backups now; keeps 3.");
    expect(retentionPlanText({ delete: [backupRecord()], keep: 7 })).toBe("Retention would delete 1 backup now; keeps 7.");
    expect(retentionPlanText({ delete: [backupRecord({ id: 1 }), backupRecord({ id: 2 })], keep: 7 })).toBe(
      "Retention would delete 2 backups now; keeps 7.",
    );
  });
});
