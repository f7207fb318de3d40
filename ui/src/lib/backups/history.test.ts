import { describe, expect, it } from "vitest";
import { backupRecord } from "../../test/fixtures";
import { completedSince, daysAgo, unusualBackups } from "./history";

const NOW = Date.parse("2026-05-31T12:00:00Z");

describe("daysAgo and completedSince", () => {
  it("counts back whole days from now", () => {
    expect(daysAgo(NOW, 30)).toBe("2026-05-01T12:00:00.000Z");
    expect(daysAgo(NOW, 0)).toBe("2026-05-31T12:00:00.000Z");
  });

  it("asks for the completed backups of every connection since then", () => {
    expect(completedSince(NOW, 30)).toEqual({
      connection: null,
      schedule: null,
      status: "completed",
      from: "2026-05-01T12:00:00.000Z",
      to: null,
    });
  });
});

describe("unusualBackups", () => {
  it("keeps the completed backups with reasons, newest first", () => {
    const older = backupRecord({ id: 1, startedAt: "2026-05-01T09:00:00Z", unusual: ["it took 95 s"] });
    const normal = backupRecord({ id: 2, startedAt: "2026-05-02T09:00:00Z" });
    const failed = backupRecord({ id: 3, status: "failed", startedAt: "2026-05-03T09:00:00Z", unusual: ["x"] });
    const newer = backupRecord({ id: 4, startedAt: "2026-05-04T09:00:00Z", unusual: ["its size is 71 % below"] });
    expect(unusualBackups([older, normal, failed, newer]).map((b) => b.id)).toEqual([4, 1]);
    expect(unusualBackups([])).toEqual([]);
  });
});
