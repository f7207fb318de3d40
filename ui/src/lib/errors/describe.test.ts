import { describe, expect, it } from "vitest";
import { describeError } from "./describe";

describe("describeError", () => {
  it("reads the {code, message} shape commands reject with", () => {
    expect(describeError({ code: "internal", message: "Boom." })).toEqual({ code: "internal", message: "Boom." });
  });
  it("handles Error objects, strings and junk", () => {
    expect(describeError(new TypeError("invoke is undefined"))).toEqual({ code: null, message: "invoke is undefined" });
    expect(describeError("plain text")).toEqual({ code: null, message: "plain text" });
    expect(describeError(undefined)).toEqual({ code: null, message: "Unknown error." });
    expect(describeError({ code: 5 })).toEqual({ code: null, message: "Unknown error." });
  });
});
