import { describe, expect, it } from "vitest";
import { emptyFilterForm, filterFromForm, isFiltered, localDayStart, type BackupFilterForm } from "./filter";

function form(overrides: Partial<BackupFilterForm> = {}): BackupFilterForm {
  return { ...emptyFilterForm(), ...overrides };
}

describe("localDayStart", () => {
  it("is local midnight of the day, or of a day after it", () => {
    expect(localDayStart("2026-05-01")?.getTime()).toBe(new Date(2026, 4, 1).getTime());
    expect(localDayStart("2026-05-31", 1)?.getTime()).toBe(new Date(2026, 5, 1).getTime());
    expect(localDayStart("2026-12-31", 1)?.getTime()).toBe(new Date(2027, 0, 1).getTime());
    const start = localDayStart("2026-05-01")!;
    expect([start.getHours(), start.getMinutes(), start.getSeconds()]).toEqual([0, 0, 0]);
  });

  it("refuses text that is not a real day", () => {
    expect(localDayStart("2026-02-30")).toBeNull();
    expect(localDayStart("2026-13-01")).toBeNull();
    expect(localDayStart("01.05.2026")).toBeNull();
    expect(localDayStart("")).toBeNull();
  });
});

describe("filterFromForm", () => {
  it("sends nulls for no filters", () => {
    expect(filterFromForm(form())).toEqual({
      filter: { connection: null, schedule: null, status: null, from: null, to: null },
    });
    expect(isFiltered(form())).toBe(false);
  });

  it("sends ids as numbers and the status as chosen", () => {
    const built = filterFromForm(form({ connection: "2", schedule: "7", status: "failed" }));
    expect(built).toEqual({ filter: { connection: 2, schedule: 7, status: "failed", from: null, to: null } });
    expect(isFiltered(form({ status: "failed" }))).toBe(true);
  });

  it("turns local days into UTC bounds: from the start of the first day to the end of the last", () => {
    const built = filterFromForm(form({ from: "2026-05-01", to: "2026-05-03" }));
    if (!("filter" in built)) throw new Error(built.message);
    expect(built.filter.from).toBe(new Date(2026, 4, 1).toISOString());
    // "to" includes its day: the bound is the next local midnight, which the backend excludes.
    expect(built.filter.to).toBe(new Date(2026, 4, 4).toISOString());
    // RFC 3339 in UTC, as the backend stores times (sortable as text).
    expect(built.filter.from).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
  });

  it("allows one day as both bounds, and either bound alone", () => {
    const same = filterFromForm(form({ from: "2026-05-01", to: "2026-05-01" }));
    if (!("filter" in same)) throw new Error(same.message);
    expect(Date.parse(same.filter.to!) - Date.parse(same.filter.from!)).toBeGreaterThanOrEqual(23 * 3600_000);
    const onlyTo = filterFromForm(form({ to: "2026-05-01" }));
    expect("filter" in onlyTo && onlyTo.filter.from).toBeNull();
  });

  it("says which date is wrong", () => {
    expect(filterFromForm(form({ from: "2026-05-03", to: "2026-05-01" }))).toEqual({
      field: "to",
      message: expect.stringContaining("before the “from” date"),
    });
    expect(filterFromForm(form({ from: "yesterday" }))).toMatchObject({ field: "from", message: "Enter a date as YYYY-MM-DD." });
    expect(filterFromForm(form({ to: "2026-02-30" }))).toMatchObject({ field: "to" });
  });
});
