import { describe, expect, it } from "vitest";
import { describedByIds, withoutErrors, type FieldErrors } from "./fieldErrors";

describe("withoutErrors", () => {
  it("drops the given fields' messages and keeps the rest", () => {
    const errors: FieldErrors<"name" | "port" | "host"> = { name: "Enter a name.", port: "Not a port." };
    expect(withoutErrors(errors, "name", "host")).toEqual({ port: "Not a port." });
    // The original is left as it was.
    expect(errors).toEqual({ name: "Enter a name.", port: "Not a port." });
  });

  it("returns the same record when there is nothing to drop, so nothing re-renders", () => {
    const errors: FieldErrors<"name" | "port"> = { port: "Not a port." };
    expect(withoutErrors(errors, "name")).toBe(errors);
  });
});

describe("describedByIds", () => {
  it("lists the error first, then the hints, or nothing", () => {
    expect(describedByIds("name-error", "name-hint")).toBe("name-error name-hint");
    expect(describedByIds(null, "name-hint")).toBe("name-hint");
    expect(describedByIds(null)).toBeUndefined();
  });
});
