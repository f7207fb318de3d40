import { describe, expect, it } from "vitest";
import { amountOf, amountToForm, secondsFromAmount } from "./amount";
import {
  checksFromForm,
  checksSummary,
  emptyChecksForm,
  hasOwnChecks,
  hookUrlFromForm,
  verifyToForm,
  type ChecksFormState,
} from "./checks";

function checks(overrides: Partial<ChecksFormState> = {}): ChecksFormState {
  return { ...emptyChecksForm(), ...overrides };
}

describe("proof interval", () => {
  it("sends the chosen interval in seconds, a custom one in days", () => {
    expect(checksFromForm(checks())).toMatchObject({ value: { verifyEverySeconds: 604_800 } });
    expect(checksFromForm(checks({ verifyEvery: "daily" }))).toMatchObject({ value: { verifyEverySeconds: 86_400 } });
    expect(checksFromForm(checks({ verifyEvery: "never" }))).toMatchObject({ value: { verifyEverySeconds: null } });
    expect(checksFromForm(checks({ verifyEvery: "custom", verifyDays: " 3 " }))).toMatchObject({
      value: { verifyEverySeconds: 259_200 },
    });
    expect(checksFromForm(checks({ verifyEvery: "custom", verifyDays: "0.5" }))).toMatchObject({
      value: { verifyEverySeconds: 43_200 },
    });
    // Days typed while another choice is made do not count.
    expect(checksFromForm(checks({ verifyEvery: "daily", verifyDays: "abc" }))).toMatchObject({
      value: { verifyEverySeconds: 86_400 },
    });
  });

  it("refuses a custom interval that is empty or not a number; the range is the backend's", () => {
    expect(checksFromForm(checks({ verifyEvery: "custom", verifyDays: "  " }))).toEqual({
      field: "verifyEvery",
      message: "Enter how many days apart to verify, or choose Never.",
    });
    expect(checksFromForm(checks({ verifyEvery: "custom", verifyDays: "a week" }))).toEqual({
      field: "verifyEvery",
      message: "Enter a number of days, e.g. 3.",
    });
    expect(checksFromForm(checks({ verifyEvery: "custom", verifyDays: "-2" }))).toMatchObject({ field: "verifyEvery" });
    expect(checksFromForm(checks({ verifyEvery: "custom", verifyDays: "400" }))).toMatchObject({
      value: { verifyEverySeconds: 34_560_000 },
    });
  });

  it("shows a saved interval as its named choice, or as days", () => {
    expect(verifyToForm(null)).toEqual({ choice: "never", days: "" });
    expect(verifyToForm(86_400)).toEqual({ choice: "daily", days: "" });
    expect(verifyToForm(604_800)).toEqual({ choice: "weekly", days: "" });
    expect(verifyToForm(1_209_600)).toEqual({ choice: "custom", days: "14" });
    expect(verifyToForm(3600)).toEqual({ choice: "custom", days: "0.04167" });
  });
});

describe("run limits", () => {
  it("reads empty as none, the stall limit in minutes and the time limit in its unit", () => {
    expect(checksFromForm(checks())).toMatchObject({ value: { stallAfterSeconds: null, timeLimitSeconds: null } });
    expect(checksFromForm(checks({ stallAfter: "15", timeLimit: "90" }))).toMatchObject({
      value: { stallAfterSeconds: 900, timeLimitSeconds: 5400 },
    });
    expect(checksFromForm(checks({ stallAfter: "0.5", timeLimit: "1.5", timeLimitUnit: "hours" }))).toMatchObject({
      value: { stallAfterSeconds: 30, timeLimitSeconds: 5400 },
    });
  });

  it("refuses what is not a number, naming the unit", () => {
    expect(checksFromForm(checks({ stallAfter: "1e3" }))).toEqual({
      field: "stallAfter",
      message: "Enter a number of minutes, or leave it empty for the app's setting.",
    });
    expect(checksFromForm(checks({ timeLimit: "soon" }))).toEqual({
      field: "timeLimit",
      message: "Enter a number of minutes, or leave it empty for no limit.",
    });
  });
});

describe("hooks", () => {
  it("sends trimmed addresses and the command, null for empty fields", () => {
    const built = checksFromForm(
      checks({
        pingUrl: "  https://hc-ping.com/5f2c/{status} ",
        onSuccessUrl: "",
        onFailureUrl: "HTTP://ntfy.local/backups",
        onFinishCmd: "  jq .status >> /var/log/dbm.log ",
        hookTimeout: "30",
      }),
    );
    expect(built).toMatchObject({
      value: {
        hooks: {
          pingUrl: "https://hc-ping.com/5f2c/{status}",
          onSuccessUrl: null,
          onFailureUrl: "HTTP://ntfy.local/backups",
          onFinishCmd: "jq .status >> /var/log/dbm.log",
          timeoutSeconds: 30,
        },
      },
    });
  });

  it("accepts only full http and https addresses without spaces", () => {
    const refused = {
      ok: false,
      message: "Enter a full address that starts with http:// or https://, without spaces, e.g. https://hc-ping.com/<uuid>.",
    };
    for (const bad of ["hc-ping.com/5f2c", "ftp://example.com", "https://", "https:///path", "https://a b.com", "javascript:alert(1)"]) {
      expect(hookUrlFromForm(bad), bad).toEqual(refused);
    }
    expect(hookUrlFromForm("http://localhost:3001/api/push/abc?status={status}")).toEqual({
      ok: true,
      value: "http://localhost:3001/api/push/abc?status={status}",
    });
    expect(hookUrlFromForm(" ")).toEqual({ ok: true, value: null });
  });

  it("checks the addresses in the order shown, then the timeout", () => {
    expect(checksFromForm(checks({ pingUrl: "x", onSuccessUrl: "y" }))).toMatchObject({ field: "pingUrl" });
    expect(checksFromForm(checks({ onSuccessUrl: "y", onFailureUrl: "z" }))).toMatchObject({ field: "onSuccessUrl" });
    expect(checksFromForm(checks({ hookTimeout: "ten" }))).toEqual({
      field: "hookTimeout",
      message: "Enter a whole number of seconds, or leave it empty for 10 seconds.",
    });
    // 0 and 900 are the backend's to refuse (invalid_hook).
    expect(checksFromForm(checks({ hookTimeout: "900" }))).toMatchObject({ value: { hooks: { timeoutSeconds: 900 } } });
  });
});

describe("the section", () => {
  it("opens by itself only when a schedule has its own values", () => {
    expect(hasOwnChecks(checks())).toBe(false);
    expect(hasOwnChecks(checks({ timeLimitUnit: "hours" }))).toBe(false);
    expect(hasOwnChecks(checks({ verifyEvery: "never" }))).toBe(true);
    expect(hasOwnChecks(checks({ stallAfter: "5" }))).toBe(true);
    expect(hasOwnChecks(checks({ onFinishCmd: "true" }))).toBe(true);
  });

  it("sums up what it holds while closed", () => {
    expect(checksSummary(checks())).toBe("Verify weekly · no hooks");
    expect(checksSummary(checks({ verifyEvery: "never", stallAfter: "5" }))).toBe("No verify by restore · 1 limit · no hooks");
    expect(
      checksSummary(checks({ verifyEvery: "custom", verifyDays: "3", timeLimit: "2", stallAfter: "5", pingUrl: "https://a", onFinishCmd: "x" })),
    ).toBe("Verify every 3 days · 2 limits · 2 hooks");
  });
});

describe("amounts", () => {
  it("shows seconds in a unit precisely enough to read back the same second", () => {
    expect(amountOf(90, 60)).toBe("1.5");
    for (const [seconds, unit] of [[1, 60], [59, 3600], [3601, 86_400], [123_457, 86_400]]) {
      const shown = amountOf(seconds, unit);
      expect(secondsFromAmount(shown, unit, "bad")).toEqual({ ok: true, value: seconds });
    }
  });

  it("picks the largest unit a saved length divides into", () => {
    const units = [
      { unit: "minutes", label: "minutes", seconds: 60 },
      { unit: "hours", label: "hours", seconds: 3600 },
    ] as const;
    expect(amountToForm(7200, units, "minutes")).toEqual({ amount: "2", unit: "hours" });
    expect(amountToForm(5400, units, "minutes")).toEqual({ amount: "90", unit: "minutes" });
    expect(amountToForm(45, units, "minutes")).toEqual({ amount: "0.75", unit: "minutes" });
    expect(amountToForm(null, units, "hours")).toEqual({ amount: "", unit: "hours" });
  });
});
