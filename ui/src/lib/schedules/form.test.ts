import { describe, expect, it } from "vitest";
import { savedConnection, savedSchedule } from "../../test/fixtures";
import {
  DEFAULT_CRON,
  alertAfterFromForm,
  alertAfterToForm,
  buildScheduleInput,
  compressionFromForm,
  compressionMethodsFor,
  compressionToForm,
  defaultScheduleName,
  emptyScheduleForm,
  fieldForScheduleError,
  formFromSchedule,
  parseOptionalCount,
  timeZoneNames,
  withFormat,
  type ScheduleFormState,
} from "./form";

function filled(overrides: Partial<ScheduleFormState> = {}): ScheduleFormState {
  return {
    ...emptyScheduleForm([savedConnection({ id: 2 })], "Europe/Berlin"),
    ...overrides,
  };
}

describe("the empty form", () => {
  it("starts on the first connection, nightly at 02:30, in the given zone, active, custom with auto compression", () => {
    const form = emptyScheduleForm([savedConnection({ id: 4 }), savedConnection({ id: 5 })], "America/New_York");
    expect(form).toEqual({
      name: "",
      connectionId: "4",
      cron: DEFAULT_CRON,
      timezone: "America/New_York",
      isActive: true,
      format: "custom",
      compressionMethod: "auto",
      compressionLevel: "",
      keepLast: "",
      keepDays: "",
      alertAfter: "",
      alertUnit: "days",
      // A new schedule proves its backups weekly, with no limits or hooks of its own.
      verifyEvery: "weekly",
      verifyDays: "",
      stallAfter: "",
      timeLimit: "",
      timeLimitUnit: "minutes",
      pingUrl: "",
      onSuccessUrl: "",
      onFailureUrl: "",
      onFinishCmd: "",
      hookTimeout: "",
    });
    expect(DEFAULT_CRON).toBe("30 2 * * *");
  });

  it("has no connection chosen when there are none", () => {
    const form = emptyScheduleForm([], "UTC");
    expect(form.connectionId).toBe("");
    expect(buildScheduleInput(form)).toEqual({ field: "connection", message: "Choose the connection to back up." });
  });
});

describe("buildScheduleInput", () => {
  it("sends the fields with numbers for the connection and retention", () => {
    const built = buildScheduleInput(
      filled({
        name: "  nightly ",
        cron: "0 3 * * 1-5",
        timezone: "Europe/Berlin",
        isActive: false,
        format: "directory",
        compressionMethod: "zstd",
        compressionLevel: "9",
        keepLast: " 14 ",
        keepDays: "30",
      }),
    );
    expect(built).toEqual({
      input: {
        name: "nightly",
        connectionId: 2,
        cron: "0 3 * * 1-5",
        timezone: "Europe/Berlin",
        isActive: false,
        format: "directory",
        compression: { method: "zstd", level: 9 },
        keepLast: 14,
        keepDays: 30,
        alertAfterSeconds: null,
        verifyEverySeconds: 604_800,
        stallAfterSeconds: null,
        timeLimitSeconds: null,
        hooks: { pingUrl: null, onSuccessUrl: null, onFailureUrl: null, onFinishCmd: null, timeoutSeconds: null },
      },
    });
  });

  it("sends null retention for empty fields and an empty name for the default one", () => {
    const built = buildScheduleInput(filled());
    expect(built).toMatchObject({ input: { name: "", keepLast: null, keepDays: null, compression: { method: "auto" } } });
  });

  it("names the field it refuses before asking the backend", () => {
    expect(buildScheduleInput(filled({ keepLast: "seven" }))).toEqual({
      field: "keepLast",
      message: "Enter a whole number, or leave it empty to keep all.",
    });
    expect(buildScheduleInput(filled({ keepDays: "1.5" }))).toMatchObject({ field: "keepDays" });
    expect(buildScheduleInput(filled({ compressionMethod: "gzip", compressionLevel: "12" }))).toEqual({
      field: "compression",
      message: "The gzip level is a whole number from 1 to 9.",
    });
  });

  it("leaves range checks of retention to the backend", () => {
    expect(buildScheduleInput(filled({ keepLast: "0" }))).toMatchObject({ input: { keepLast: 0 } });
  });

  it("round-trips a saved schedule through the edit form", () => {
    const schedule = savedSchedule({
      name: "reports",
      connectionId: 9,
      cron: "@weekly",
      timezone: "Asia/Kolkata",
      isActive: false,
      format: "plain",
      compression: { method: "zstd", level: 5 },
      keepLast: null,
      keepDays: 90,
    });
    const form = formFromSchedule(schedule);
    expect(form.connectionId).toBe("9");
    expect(form.compressionLevel).toBe("5");
    expect(form.keepLast).toBe("");
    expect(buildScheduleInput(form)).toEqual({
      input: {
        name: "reports",
        connectionId: 9,
        cron: "@weekly",
        timezone: "Asia/Kolkata",
        isActive: false,
        format: "plain",
        compression: { method: "zstd", level: 5 },
        keepLast: null,
        keepDays: 90,
        alertAfterSeconds: null,
        verifyEverySeconds: null,
        stallAfterSeconds: null,
        timeLimitSeconds: null,
        hooks: { pingUrl: null, onSuccessUrl: null, onFailureUrl: null, onFinishCmd: null, timeoutSeconds: null },
      },
    });
  });

  it("round-trips a schedule's proof interval, run limits and hooks through the edit form", () => {
    const schedule = savedSchedule({
      verifyEverySeconds: 259_200,
      stallAfterSeconds: 900,
      timeLimitSeconds: 7200,
      hooks: {
        pingUrl: "https://hc-ping.com/5f2c/{status}",
        onSuccessUrl: "https://push.example.com/api/push/ok",
        onFailureUrl: "http://ntfy.local/backups",
        onFinishCmd: "logger -t dbm",
        timeoutSeconds: 30,
      },
    });
    const form = formFromSchedule(schedule);
    expect(form).toMatchObject({
      verifyEvery: "custom",
      verifyDays: "3",
      stallAfter: "15",
      timeLimit: "2",
      timeLimitUnit: "hours",
      pingUrl: "https://hc-ping.com/5f2c/{status}",
      hookTimeout: "30",
    });
    expect(buildScheduleInput(form)).toMatchObject({
      input: {
        verifyEverySeconds: 259_200,
        stallAfterSeconds: 900,
        timeLimitSeconds: 7200,
        hooks: schedule.hooks,
      },
    });
  });

  it("reads a daily, weekly or missing proof interval as its choice, and odd lengths back to the second", () => {
    expect(formFromSchedule(savedSchedule({ verifyEverySeconds: 86_400 }))).toMatchObject({ verifyEvery: "daily" });
    expect(formFromSchedule(savedSchedule({ verifyEverySeconds: 604_800 }))).toMatchObject({ verifyEvery: "weekly" });
    expect(formFromSchedule(savedSchedule({ verifyEverySeconds: null }))).toMatchObject({ verifyEvery: "never" });
    // Set from the command line: not whole days or minutes, still sent back unchanged.
    for (const seconds of [3600, 5400, 90_061]) {
      const form = formFromSchedule(
        savedSchedule({ verifyEverySeconds: seconds, stallAfterSeconds: seconds, timeLimitSeconds: seconds }),
      );
      expect(buildScheduleInput(form)).toMatchObject({
        input: { verifyEverySeconds: seconds, stallAfterSeconds: seconds, timeLimitSeconds: seconds },
      });
    }
  });

  it("names the first check or hook it refuses", () => {
    expect(buildScheduleInput(filled({ verifyEvery: "custom", verifyDays: "" }))).toEqual({
      field: "verifyEvery",
      message: "Enter how many days apart to verify, or choose Never.",
    });
    expect(buildScheduleInput(filled({ stallAfter: "ten" }))).toEqual({
      field: "stallAfter",
      message: "Enter a number of minutes, or leave it empty for the app's setting.",
    });
    expect(buildScheduleInput(filled({ timeLimit: "2h", timeLimitUnit: "hours" }))).toEqual({
      field: "timeLimit",
      message: "Enter a number of hours, or leave it empty for no limit.",
    });
    expect(buildScheduleInput(filled({ onFailureUrl: "ntfy.sh/backups" }))).toMatchObject({ field: "onFailureUrl" });
    expect(buildScheduleInput(filled({ hookTimeout: "2.5" }))).toMatchObject({ field: "hookTimeout" });
    // The fields before them come first.
    expect(buildScheduleInput(filled({ keepLast: "x", pingUrl: "nope" }))).toMatchObject({ field: "keepLast" });
  });
});

describe("alert after", () => {
  it("reads empty as null, the default", () => {
    expect(alertAfterFromForm("", "days")).toEqual({ ok: true, value: null });
    expect(alertAfterFromForm("   ", "hours")).toEqual({ ok: true, value: null });
    expect(buildScheduleInput(filled({ alertAfter: "", alertUnit: "hours" }))).toMatchObject({
      input: { alertAfterSeconds: null },
    });
  });

  it("turns hours and days into seconds", () => {
    expect(alertAfterFromForm("6", "hours")).toEqual({ ok: true, value: 21_600 });
    expect(alertAfterFromForm(" 2 ", "days")).toEqual({ ok: true, value: 172_800 });
    expect(alertAfterFromForm("1.5", "hours")).toEqual({ ok: true, value: 5400 });
    expect(alertAfterFromForm("0.5", "days")).toEqual({ ok: true, value: 43_200 });
    expect(buildScheduleInput(filled({ alertAfter: "3", alertUnit: "days" }))).toMatchObject({
      input: { alertAfterSeconds: 259_200 },
    });
  });

  it("refuses what is not a number, and leaves the range to the backend", () => {
    expect(alertAfterFromForm("two", "days")).toEqual({
      ok: false,
      message: "Enter a number of days, or leave it empty for the default.",
    });
    expect(alertAfterFromForm("-3", "hours").ok).toBe(false);
    expect(alertAfterFromForm("1e3", "hours").ok).toBe(false);
    expect(buildScheduleInput(filled({ alertAfter: "soon" }))).toEqual({
      field: "alertAfter",
      message: "Enter a number of days, or leave it empty for the default.",
    });
    // 0 and too long are the backend's to refuse (invalid_alert_after).
    expect(buildScheduleInput(filled({ alertAfter: "0" }))).toMatchObject({ input: { alertAfterSeconds: 0 } });
    expect(buildScheduleInput(filled({ alertAfter: "400" }))).toMatchObject({ input: { alertAfterSeconds: 34_560_000 } });
  });

  it("shows a saved value in days when it divides into days, else in hours", () => {
    expect(alertAfterToForm(null)).toEqual({ amount: "", unit: "days" });
    expect(alertAfterToForm(86_400)).toEqual({ amount: "1", unit: "days" });
    expect(alertAfterToForm(604_800)).toEqual({ amount: "7", unit: "days" });
    expect(alertAfterToForm(3600)).toEqual({ amount: "1", unit: "hours" });
    expect(alertAfterToForm(129_600)).toEqual({ amount: "36", unit: "hours" });
    expect(alertAfterToForm(5400)).toEqual({ amount: "1.5", unit: "hours" });
  });

  it("round-trips any saved number of seconds through the edit form", () => {
    for (const seconds of [300, 301, 5400, 7200, 86_399, 86_400, 129_600, 31_536_000]) {
      const form = formFromSchedule(savedSchedule({ alertAfterSeconds: seconds }));
      expect(buildScheduleInput(form)).toMatchObject({ input: { alertAfterSeconds: seconds } });
    }
    const days = formFromSchedule(savedSchedule({ alertAfterSeconds: 172_800 }));
    expect(days).toMatchObject({ alertAfter: "2", alertUnit: "days" });
    const none = formFromSchedule(savedSchedule({ alertAfterSeconds: null }));
    expect(none).toMatchObject({ alertAfter: "", alertUnit: "days" });
    expect(buildScheduleInput(none)).toMatchObject({ input: { alertAfterSeconds: null } });
  });
});

describe("compression", () => {
  it("maps the tagged union to a method and a level, and back", () => {
    expect(compressionToForm({ method: "auto" })).toEqual({ method: "auto", level: "" });
    expect(compressionToForm({ method: "none" })).toEqual({ method: "none", level: "" });
    expect(compressionToForm({ method: "lz4", level: 4 })).toEqual({ method: "lz4", level: "4" });

    expect(compressionFromForm("auto", "7")).toEqual({ ok: true, value: { method: "auto" } });
    expect(compressionFromForm("none", "")).toEqual({ ok: true, value: { method: "none" } });
    expect(compressionFromForm("gzip", "6")).toEqual({ ok: true, value: { method: "gzip", level: 6 } });
    expect(compressionFromForm("lz4", " 12 ")).toEqual({ ok: true, value: { method: "lz4", level: 12 } });
  });

  it("uses the method's default level when none is typed", () => {
    expect(compressionFromForm("gzip", "")).toEqual({ ok: true, value: { method: "gzip", level: 1 } });
    expect(compressionFromForm("zstd", "")).toEqual({ ok: true, value: { method: "zstd", level: 3 } });
    expect(compressionFromForm("lz4", "")).toEqual({ ok: true, value: { method: "lz4", level: 1 } });
  });

  it("refuses levels out of range or not whole numbers", () => {
    expect(compressionFromForm("zstd", "23")).toMatchObject({ ok: false, message: expect.stringContaining("1 to 22") });
    expect(compressionFromForm("gzip", "0")).toMatchObject({ ok: false });
    expect(compressionFromForm("lz4", "-1")).toMatchObject({ ok: false });
    expect(compressionFromForm("gzip", "fast")).toMatchObject({ ok: false });
  });

  it("offers only what the format can use", () => {
    expect(compressionMethodsFor("custom")).toEqual(["auto", "none", "gzip", "zstd", "lz4"]);
    expect(compressionMethodsFor("directory")).toEqual(["auto", "none", "gzip", "zstd", "lz4"]);
    expect(compressionMethodsFor("tar")).toEqual(["auto", "none"]);
    expect(compressionMethodsFor("plain")).toEqual(["auto", "none", "zstd"]);
  });

  it("goes back to auto when a new format cannot use the chosen method", () => {
    const gzip = filled({ compressionMethod: "gzip", compressionLevel: "6" });
    expect(withFormat(gzip, "tar")).toMatchObject({ format: "tar", compressionMethod: "auto", compressionLevel: "" });
    expect(withFormat(gzip, "directory")).toMatchObject({ format: "directory", compressionMethod: "gzip", compressionLevel: "6" });
    const zstd = filled({ compressionMethod: "zstd", compressionLevel: "5" });
    expect(withFormat(zstd, "plain")).toMatchObject({ compressionMethod: "zstd", compressionLevel: "5" });
  });
});

describe("parseOptionalCount", () => {
  it("reads empty as null and digits as a number", () => {
    expect(parseOptionalCount("")).toEqual({ ok: true, value: null });
    expect(parseOptionalCount("  ")).toEqual({ ok: true, value: null });
    expect(parseOptionalCount("30")).toEqual({ ok: true, value: 30 });
    expect(parseOptionalCount("-3").ok).toBe(false);
    expect(parseOptionalCount("3e2").ok).toBe(false);
  });
});

describe("fieldForScheduleError", () => {
  it.each([
    ["invalid_name", "name"],
    ["invalid_cron", "cron"],
    ["invalid_timezone", "timezone"],
    ["invalid_connection", "connection"],
    ["connection_not_found", "connection"],
    ["invalid_compression", "compression"],
    ["invalid_keep_last", "keepLast"],
    ["invalid_keep_days", "keepDays"],
    ["invalid_alert_after", "alertAfter"],
    ["invalid_verify_every", "verifyEvery"],
    ["invalid_stall_after", "stallAfter"],
    ["invalid_time_limit", "timeLimit"],
  ])("puts %s under %s", (code, field) => {
    expect(fieldForScheduleError(code)).toBe(field);
  });

  it("puts a rejected hook under the hook its message names, else under the hooks", () => {
    const said = (message: string) => fieldForScheduleError("invalid_hook", message);
    expect(said('The ping URL "ftp://x" is not an http:// or https:// address. Give the full address.')).toBe("pingUrl");
    expect(said('The success URL "x" is not an http:// or https:// address.')).toBe("onSuccessUrl");
    expect(said('The failure URL "x" is not an http:// or https:// address.')).toBe("onFailureUrl");
    expect(said("The command to run after each backup is too long or contains a NUL character.")).toBe("onFinishCmd");
    expect(said("A hook timeout of 900 seconds is not possible. Use between 1 and 600 seconds.")).toBe("hookTimeout");
    // A URL that mentions a command is still the URL's error: only the start counts.
    expect(said('The ping URL "https://x/command" is not an http:// or https:// address.')).toBe("pingUrl");
    expect(said("Hooks are broken.")).toBe("hooks");
    expect(fieldForScheduleError("invalid_hook")).toBe("hooks");
  });

  it("leaves other errors to the whole form", () => {
    expect(fieldForScheduleError("store_unavailable")).toBeNull();
    expect(fieldForScheduleError("invalid_options")).toBeNull();
  });
});

describe("names", () => {
  it("shows the name an unnamed schedule will get", () => {
    expect(defaultScheduleName("production", " @daily ")).toBe("production @daily");
    expect(defaultScheduleName(undefined, "@daily")).toBe("@daily");
    expect(defaultScheduleName("production", "")).toBe("production");
  });

  it("lists time zones sorted, with UTC and the extra names, once each", () => {
    const zones = timeZoneNames(["Europe/Berlin", "Mars/Olympus", ""]);
    expect(zones).toContain("UTC");
    expect(zones).toContain("Mars/Olympus");
    expect(zones.filter((z) => z === "Europe/Berlin")).toHaveLength(1);
    expect(zones).not.toContain("");
    expect([...zones].sort((a, b) => a.localeCompare(b))).toEqual(zones);
  });
});
