import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { backupRecord } from "../../test/fixtures";
import { CHART } from "./history";
import HistoryChart from "./HistoryChart.svelte";

const NOW = Date.parse("2026-05-31T12:00:00Z");
const DAY = 24 * 60 * 60 * 1000;
const MiB = 1024 * 1024;

function at(daysBefore: number, overrides: Parameters<typeof backupRecord>[0] = {}) {
  return backupRecord({ startedAt: new Date(NOW - daysBefore * DAY).toISOString(), ...overrides });
}

const backups = [
  at(1, { id: 5, sizeBytes: 300 * 1024, durationSeconds: 95, unusual: ["its size, 300 KiB, is 71 % below the median"] }),
  at(2, { id: 4, status: "failed", sizeBytes: null, filePath: null, durationSeconds: 4, errorMessage: "boom" }),
  at(3, { id: 3, sizeBytes: 1.2 * MiB, durationSeconds: 30 }),
  at(40, { id: 2, sizeBytes: 1.1 * MiB, durationSeconds: 28 }),
  at(80, { id: 1, sizeBytes: 1.0 * MiB, durationSeconds: 27 }),
  at(200, { id: 0, sizeBytes: 9 * MiB }),
];

function num(el: Element, name: string): number {
  return Number(el.getAttribute(name));
}

describe("HistoryChart", () => {
  it("draws every point, bar and mark inside the viewBox, with labelled axes", () => {
    render(HistoryChart, { backups, connectionName: "production", now: NOW });
    const svg = screen.getByTestId("history-svg");
    expect(svg.getAttribute("viewBox")).toBe(`0 0 ${CHART.width} ${CHART.height}`);
    expect(svg.getAttribute("role")).toBe("img");
    expect(svg.getAttribute("aria-label")).toBe(
      "Backup history of production, last 90 days: 5 backups, 1 failed, 1 unusual. " +
        "Size from 300 KiB to 1.2 MiB, latest 300 KiB. Longest run 1 min 35 s.",
    );

    // The one from 200 days ago is left out.
    const points = screen.getAllByTestId("history-point");
    expect(points.map((p) => p.dataset.backupId)).toEqual(["1", "2", "3", "5"]);
    for (const p of points) {
      expect(num(p, "cx")).toBeGreaterThanOrEqual(0);
      expect(num(p, "cx")).toBeLessThanOrEqual(CHART.width);
      expect(num(p, "cy")).toBeGreaterThanOrEqual(0);
      expect(num(p, "cy")).toBeLessThanOrEqual(CHART.height);
    }
    for (const bar of screen.getAllByTestId("history-bar")) {
      expect(num(bar, "x")).toBeGreaterThanOrEqual(0);
      expect(num(bar, "x") + num(bar, "width")).toBeLessThanOrEqual(CHART.width);
      expect(num(bar, "y")).toBeGreaterThanOrEqual(0);
      expect(num(bar, "y") + num(bar, "height")).toBeLessThanOrEqual(CHART.height);
    }
    expect(screen.getAllByTestId("history-bar")).toHaveLength(5);
    expect(svg.querySelectorAll("rect.bar.failed")).toHaveLength(1);

    const failures = screen.getAllByTestId("history-failure");
    expect(failures.map((f) => f.dataset.backupId)).toEqual(["4"]);
    expect(failures[0].textContent).toContain("Failed");
    const rings = screen.getAllByTestId("history-unusual");
    expect(rings.map((r) => r.dataset.backupId)).toEqual(["5"]);
    expect(rings[0].getAttribute("cx")).toBe(points[3].getAttribute("cx"));

    const sizeLabels = screen.getAllByTestId("history-size-tick").map((t) => t.textContent?.trim());
    expect(sizeLabels).toEqual(["0 B", "512 KiB", "1.0 MiB", "1.5 MiB"]);
    expect(screen.getAllByTestId("history-duration-tick").map((t) => t.textContent?.trim())).toEqual([
      "0 s",
      "1 min",
      "2 min",
    ]);
    const days = screen.getAllByTestId("history-time-tick").map((t) => t.textContent?.trim() ?? "");
    expect(days.length).toBeGreaterThanOrEqual(5);
    for (const d of days) expect(d).toMatch(/^(Mar|Apr|May) \d{1,2}$/);
    for (const t of screen.getAllByTestId("history-time-tick")) {
      expect(num(t, "x")).toBeGreaterThanOrEqual(0);
      expect(num(t, "x")).toBeLessThanOrEqual(CHART.width);
      expect(num(t, "y")).toBeLessThanOrEqual(CHART.height);
    }
    expect(svg.textContent).toContain("Size");
    expect(svg.textContent).toContain("Duration");
    expect(svg.querySelector("path.size-line")?.getAttribute("d")).toMatch(/^M[\d.]+ [\d.]+( L[\d.]+ [\d.]+){3}$/);
  });

  it("shows the same runs as a table behind a toggle", async () => {
    render(HistoryChart, { backups, connectionName: "production", now: NOW });
    const toggle = screen.getByTestId("history-table-toggle");
    expect(toggle.textContent?.trim()).toBe("Show as table");
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(screen.queryByTestId("history-table")).toBeNull();

    await fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    expect(toggle.textContent?.trim()).toBe("Hide table");
    const table = screen.getByTestId("history-table");
    expect(toggle.getAttribute("aria-controls")).toBe(table.id);
    expect(within(table).getAllByRole("columnheader").map((h) => h.textContent)).toEqual([
      "Date",
      "Status",
      "Size",
      "Duration",
      "Unusual",
    ]);
    const rows = within(table).getAllByTestId("history-row");
    expect(rows.map((r) => r.dataset.backupId)).toEqual(["5", "4", "3", "2", "1"]);
    const cells = (i: number) => within(rows[i]).getAllByRole("cell").map((c) => c.textContent?.trim());
    expect(cells(0).slice(1)).toEqual(["Completed", "300 KiB", "1 min 35 s", "its size, 300 KiB, is 71 % below the median"]);
    expect(cells(1).slice(1)).toEqual(["Failed", "—", "4 s", "—"]);
    expect(cells(0)[0]).toMatch(/^2026-05-\d\d \d\d:\d\d$/);

    await fireEvent.click(toggle);
    expect(screen.queryByTestId("history-table")).toBeNull();
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
  });

  it("draws a single backup as one point, without a line", () => {
    render(HistoryChart, { backups: [at(5, { id: 9 })], connectionName: "staging", now: NOW });
    expect(screen.getAllByTestId("history-point")).toHaveLength(1);
    expect(screen.getByTestId("history-svg").querySelector("path.size-line")).toBeNull();
    expect(screen.queryByTestId("history-failure")).toBeNull();
    expect(screen.queryByTestId("history-unusual")).toBeNull();
  });

  it("draws only failures on the time axis when no run succeeded", () => {
    const failed = [1, 2].map((d) => at(d, { id: d, status: "failed", sizeBytes: null, durationSeconds: null }));
    render(HistoryChart, { backups: failed, connectionName: "staging", now: NOW });
    expect(screen.queryByTestId("history-point")).toBeNull();
    expect(screen.getAllByTestId("history-failure")).toHaveLength(2);
    expect(screen.getByTestId("history-svg").getAttribute("aria-label")).toBe(
      "Backup history of staging, last 90 days: 2 backups, 2 failed, 0 unusual.",
    );
  });

  it("says so when there is nothing in the last 90 days", () => {
    render(HistoryChart, { backups: [at(120)], connectionName: "staging", now: NOW });
    expect(screen.getByTestId("history-chart").textContent).toContain("No backups of staging in the last 90 days.");
    expect(screen.queryByTestId("history-svg")).toBeNull();
    expect(screen.queryByTestId("history-table-toggle")).toBeNull();
  });
});
