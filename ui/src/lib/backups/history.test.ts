import { describe, expect, it } from "vitest";
import { backupRecord } from "../../test/fixtures";
import {
  CHART,
  byteTicks,
  chartedBackups,
  isFailure,
  completedSince,
  dayLabel,
  daysAgo,
  durationLabel,
  durationTicks,
  historyFilter,
  historyGeometry,
  historySummary,
  linearScale,
  niceStep,
  timeTicks,
  unusualBackups,
  type HistoryGeometry,
} from "./history";

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

const MiB = 1024 * 1024;
const DAY = 24 * 60 * 60 * 1000;

/** A backup `daysBefore` days before NOW. */
function at(daysBefore: number, overrides: Parameters<typeof backupRecord>[0] = {}) {
  return backupRecord({ startedAt: new Date(NOW - daysBefore * DAY).toISOString(), ...overrides });
}

function expectInsidePlot(g: HistoryGeometry) {
  for (const p of g.points) {
    expect(p.x).toBeGreaterThanOrEqual(CHART.left);
    expect(p.x).toBeLessThanOrEqual(CHART.right);
    expect(p.y).toBeGreaterThanOrEqual(CHART.size.top);
    expect(p.y).toBeLessThanOrEqual(CHART.size.bottom);
  }
  for (const b of g.bars) {
    expect(b.x).toBeGreaterThanOrEqual(CHART.left);
    expect(b.x + b.width).toBeLessThanOrEqual(CHART.right);
    expect(b.y).toBeGreaterThanOrEqual(CHART.duration.top);
    expect(b.y + b.height).toBeLessThanOrEqual(CHART.duration.bottom + 0.05);
  }
  for (const f of g.failures) {
    expect(f.x).toBeGreaterThanOrEqual(CHART.left);
    expect(f.x).toBeLessThanOrEqual(CHART.right);
  }
  for (const t of g.sizeTicks) {
    expect(t.at).toBeGreaterThanOrEqual(CHART.size.top);
    expect(t.at).toBeLessThanOrEqual(CHART.size.bottom);
  }
  for (const t of g.durationTicks) {
    expect(t.at).toBeGreaterThanOrEqual(CHART.duration.top);
    expect(t.at).toBeLessThanOrEqual(CHART.duration.bottom);
  }
  for (const t of g.timeTicks) {
    expect(t.at).toBeGreaterThanOrEqual(CHART.left);
    expect(t.at).toBeLessThanOrEqual(CHART.right);
  }
}

describe("scales and ticks", () => {
  it("maps a domain linearly onto a range, and an empty domain onto the middle", () => {
    const s = linearScale([0, 10], [100, 0]);
    expect(s(0)).toBe(100);
    expect(s(10)).toBe(0);
    expect(s(2.5)).toBe(75);
    expect(linearScale([5, 5], [0, 10])(5)).toBe(5);
  });

  it.each([
    [0.3, 0.5],
    [1, 1],
    [1.3, 2],
    [3, 5],
    [7, 10],
    [240, 500],
  ])("rounds a step %s up to %s", (raw, nice) => {
    expect(niceStep(raw)).toBe(nice);
  });

  it("puts byte ticks on nice steps of one unit, the last at or above the largest size", () => {
    expect(byteTicks(1.3 * MiB)).toEqual([0, 0.5 * MiB, 1 * MiB, 1.5 * MiB]);
    expect(byteTicks(300 * 1024)).toEqual([0, 100 * 1024, 200 * 1024, 300 * 1024]);
    expect(byteTicks(900)).toEqual([0, 500, 1000]);
    // No size at all: an axis up to 1 KiB.
    expect(byteTicks(0)).toEqual([0, 1024]);
    const ticks = byteTicks(3.7 * 1024 * MiB);
    expect(ticks[0]).toBe(0);
    expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(3.7 * 1024 * MiB);
  });

  it("puts duration ticks on steps of seconds and minutes", () => {
    expect(durationTicks(95)).toEqual([0, 60, 120]);
    expect(durationTicks(3)).toEqual([0, 2, 4]);
    expect(durationTicks(0.4)).toEqual([0, 0.2, 0.4]);
    expect(durationTicks(0)).toEqual([0, 1]);
    expect(durationTicks(20_000)).toEqual([0, 10800, 21600]);
    expect(durationTicks(100_000).at(-1)).toBeGreaterThanOrEqual(100_000);
    expect([0, 0.5, 30, 120].map(durationLabel)).toEqual(["0 s", "0.5 s", "30 s", "2 min"]);
  });

  it("puts time ticks on local midnights, whole days apart", () => {
    const ticks = timeTicks(NOW - 90 * DAY, NOW);
    expect(ticks.length).toBeGreaterThanOrEqual(5);
    expect(ticks.length).toBeLessThanOrEqual(7);
    for (const t of ticks) {
      const d = new Date(t);
      expect([d.getHours(), d.getMinutes(), d.getSeconds()]).toEqual([0, 0, 0]);
      expect(t).toBeGreaterThanOrEqual(NOW - 90 * DAY);
      expect(t).toBeLessThanOrEqual(NOW);
    }
    expect(timeTicks(NOW, NOW)).toEqual([]);
    expect(dayLabel(new Date(2026, 4, 1, 9).getTime())).toBe("May 1");
  });
});

describe("historyGeometry", () => {
  it("draws an empty history as axes only", () => {
    const g = historyGeometry([], NOW);
    expect(g.points).toEqual([]);
    expect(g.bars).toEqual([]);
    expect(g.failures).toEqual([]);
    expect(g.line).toBe("");
    expect(g.start).toBe(NOW - 90 * DAY);
    expect(g.end).toBe(NOW);
    expect(g.sizeTicks.map((t) => t.label)).toEqual(["0 B", "1.0 KiB"]);
    expect(g.timeTicks.length).toBeGreaterThan(0);
    expectInsidePlot(g);
  });

  it("places a single backup at its time and size, without a line", () => {
    const g = historyGeometry([at(45, { id: 1, sizeBytes: 1.2 * MiB, durationSeconds: 3 })], NOW);
    expect(g.points).toHaveLength(1);
    // Half way back: the middle of the plot.
    expect(g.points[0].x).toBeCloseTo((CHART.left + CHART.right) / 2, 0);
    expect(g.points[0].unusual).toBe(false);
    expect(g.line).toBe("");
    expect(g.bars).toHaveLength(1);
    expect(g.bars[0].failed).toBe(false);
    expect(g.sizeTicks.at(-1)?.label).toBe("1.5 MiB");
    expectInsidePlot(g);
  });

  it("joins the sizes oldest first, scaled so the largest is under the top tick", () => {
    const backups = [
      at(1, { id: 3, sizeBytes: 1 * MiB }),
      at(60, { id: 1, sizeBytes: 0.5 * MiB }),
      at(30, { id: 2, sizeBytes: 1.5 * MiB }),
    ];
    const g = historyGeometry(backups, NOW);
    expect(g.points.map((p) => p.id)).toEqual([1, 2, 3]);
    const [a, b, c] = g.points;
    expect(a.x).toBeLessThan(b.x);
    expect(b.x).toBeLessThan(c.x);
    // Top tick 1.5 MiB: the largest is at the top, 0.5 MiB a third of the way up, 1 MiB two thirds.
    expect(b.y).toBe(CHART.size.top);
    expect(a.y).toBe(CHART.size.bottom - (CHART.size.bottom - CHART.size.top) / 3);
    expect(c.y).toBe(CHART.size.bottom - ((CHART.size.bottom - CHART.size.top) * 2) / 3);
    expect(g.line).toBe(`M${a.x} ${a.y} L${b.x} ${b.y} L${c.x} ${c.y}`);
    expectInsidePlot(g);
  });

  it("marks failures without a size on the time axis and rings the unusual ones", () => {
    const backups = [
      at(10, { id: 1, sizeBytes: 1 * MiB, durationSeconds: 30 }),
      at(9, { id: 2, status: "failed", sizeBytes: null, filePath: null, durationSeconds: 95 }),
      at(8, { id: 3, status: "interrupted", sizeBytes: null, durationSeconds: null }),
      at(7, { id: 4, sizeBytes: 300 * 1024, durationSeconds: 31, unusual: ["its size is 71 % below"] }),
      at(6, { id: 5, status: "cancelled", sizeBytes: null }),
      at(5, { id: 6, status: "running", sizeBytes: null, durationSeconds: null, completedAt: null }),
    ];
    const g = historyGeometry(backups, NOW);
    expect(g.points.map((p) => [p.id, p.unusual])).toEqual([
      [1, false],
      [4, true],
    ]);
    expect(g.failures.map((f) => f.id)).toEqual([2, 3]);
    for (const f of g.failures) expect(f.y).toBe(CHART.size.bottom);
    expect(g.bars.map((b) => [b.id, b.failed])).toEqual([
      [1, false],
      [2, true],
      [4, false],
    ]);
    // 95 s is the longest: its bar reaches the top tick's share of 120 s.
    expect(g.durationTicks.map((t) => t.label)).toEqual(["0 s", "1 min", "2 min"]);
    expectInsidePlot(g);
  });

  it("leaves out backups older than the window and stretches the axis to one from a clock ahead", () => {
    const g = historyGeometry([at(120, { id: 1 }), at(-1, { id: 2 }), at(3, { id: 3 })], NOW);
    expect(g.points.map((p) => p.id)).toEqual([3, 2]);
    expect(g.end).toBe(NOW + DAY);
    expect(g.points[1].x).toBe(CHART.right);
    expectInsidePlot(g);
  });

  it("keeps a bar at the very edge inside the plot", () => {
    const g = historyGeometry([at(90, { id: 1 }), at(0, { id: 2 })], NOW);
    expect(g.bars[0].x).toBe(CHART.left);
    expect(g.bars[1].x + g.bars[1].width).toBe(CHART.right);
    expectInsidePlot(g);
  });
});

describe("historySummary and historyFilter", () => {
  it("says what the chart shows", () => {
    const backups = [
      at(10, { sizeBytes: 1 * MiB, durationSeconds: 30 }),
      at(9, { status: "failed", sizeBytes: null, durationSeconds: 95 }),
      at(7, { sizeBytes: 300 * 1024, durationSeconds: 31, unusual: ["its size is 71 % below"] }),
    ];
    expect(historySummary(backups, "production", NOW)).toBe(
      "Backup history of production, last 90 days: 3 backups, 1 failed, 1 unusual. " +
        "Size from 300 KiB to 1.0 MiB, latest 300 KiB. Longest run 1 min 35 s.",
    );
    expect(historySummary([], "staging", NOW)).toBe("Backup history of staging, last 90 days: no backups.");
  });

  it("asks for one connection's backups of the last 90 days", () => {
    expect(historyFilter(2, NOW)).toEqual({
      connection: 2,
      schedule: null,
      status: null,
      from: "2026-03-02T12:00:00.000Z",
      to: null,
    });
  });

  it("charts the runs that ended, oldest first", () => {
    const backups = [at(1, { id: 2 }), at(2, { id: 1, status: "cancelled" }), at(3, { id: 3, status: "failed" })];
    expect(chartedBackups(backups).map((b) => b.id)).toEqual([3, 2]);
  });

  it("charts a partial server set, marked like a failure: it left databases out", () => {
    const partial = at(2, { id: 4, status: "partial" });
    expect(chartedBackups([at(1, { id: 5 }), partial]).map((b) => b.id)).toEqual([4, 5]);
    expect(isFailure(partial)).toBe(true);
    expect(isFailure(at(1, { id: 5 }))).toBe(false);
  });
});
