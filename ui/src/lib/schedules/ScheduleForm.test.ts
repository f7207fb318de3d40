// The schedule form's "Checks and hooks" section: proof by restore, run limits and hooks.
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { commands, type Schedule } from "../bindings";
import { savedConnection, savedSchedule } from "../../test/fixtures";
import ScheduleForm from "./ScheduleForm.svelte";

vi.mock("../bindings", () => ({
  commands: {
    schedulePreview: vi.fn(),
    scheduleCreate: vi.fn(),
    scheduleUpdate: vi.fn(),
    retentionPreview: vi.fn(),
  },
}));

const api = vi.mocked(commands);
const onsaved = vi.fn();

const NO_HOOKS = { pingUrl: null, onSuccessUrl: null, onFailureUrl: null, onFinishCmd: null, timeoutSeconds: null };

beforeEach(() => {
  vi.resetAllMocks();
  api.schedulePreview.mockResolvedValue({ pattern: "30 2 * * *", timezone: "UTC", description: "at 02:30", runs: [] });
  api.retentionPreview.mockImplementation(async (scheduleId) => ({
    scheduleId,
    keepLast: 7,
    keepDays: null,
    delete: [],
    keep: 7,
  }));
});

function renderForm(schedule: Schedule | null = null) {
  render(ScheduleForm, { schedule, connections: [savedConnection()], onclose: vi.fn(), onsaved });
}

function byId(id: string) {
  return screen.getByTestId(id);
}

function input(id: string) {
  return byId(id) as HTMLInputElement;
}

function type(id: string, value: string) {
  return fireEvent.input(byId(id), { target: { value } });
}

function choose(id: string, value: string) {
  return fireEvent.change(byId(id), { target: { value } });
}

function section() {
  return byId("schedule-checks") as HTMLDetailsElement;
}

/** The text of the elements a control's aria-describedby names. */
function description(id: string): string {
  const ids = input(id).getAttribute("aria-describedby")?.split(" ") ?? [];
  return ids.map((d) => document.getElementById(d)?.textContent?.replace(/\s+/g, " ").trim()).join(" | ");
}

describe("Checks and hooks of a new schedule", () => {
  it("is closed, verifies weekly and sends no limits or hooks", async () => {
    renderForm();
    expect(section().open).toBe(false);
    expect(section().querySelector("summary")?.textContent).toContain("Checks and hooks");
    expect(byId("schedule-checks-summary").textContent).toBe("Verify weekly · no hooks");
    expect((byId("schedule-verify-every") as HTMLSelectElement).value).toBe("weekly");
    expect(screen.queryByTestId("schedule-verify-days")).toBeNull();

    api.scheduleCreate.mockResolvedValueOnce(savedSchedule());
    await fireEvent.submit(byId("schedule-form"));
    expect(api.scheduleCreate).toHaveBeenCalledExactlyOnceWith(
      expect.objectContaining({
        verifyEverySeconds: 604_800,
        stallAfterSeconds: null,
        timeLimitSeconds: null,
        hooks: NO_HOOKS,
      }),
    );
  });

  it("explains each field", () => {
    renderForm();
    expect(screen.getByLabelText("Verify by restore every")).toBe(byId("schedule-verify-every"));
    expect(screen.getByLabelText("Ping URL")).toBe(byId("schedule-ping-url"));
    expect(screen.getByLabelText("URL on success")).toBe(byId("schedule-success-url"));
    expect(screen.getByLabelText("URL on failure")).toBe(byId("schedule-failure-url"));
    expect(screen.getByLabelText("Command after each run")).toBe(byId("schedule-finish-cmd"));
    expect(screen.getByLabelText("Hook timeout (seconds)")).toBe(byId("schedule-hook-timeout"));
    expect(description("schedule-ping-url")).toBe(
      "Called after every run; {status} becomes success or failure. Works with healthchecks.io, Uptime Kuma push and ntfy.",
    );
    expect(description("schedule-finish-cmd")).toBe("Run with sh -c; it gets the run's JSON on stdin.");
    expect(description("schedule-hook-timeout")).toBe("How long each hook may take. Empty: 10 s.");
    expect(description("schedule-stall-after")).toBe(
      "Ends a run that writes nothing for this long. Empty: the app's setting (Settings page).",
    );
    expect(description("schedule-time-limit")).toBe("Ends a run that takes longer. Empty: no limit.");
  });

  it("sends a custom proof interval, the limits and the hooks as typed", async () => {
    renderForm();
    await choose("schedule-verify-every", "custom");
    await type("schedule-verify-days", "3");
    await type("schedule-stall-after", "15");
    await type("schedule-time-limit", "2");
    await choose("schedule-time-limit-unit", "hours");
    await type("schedule-ping-url", "https://hc-ping.com/5f2c/{status}");
    await type("schedule-success-url", "http://kuma.local:3001/api/push/abc");
    await type("schedule-failure-url", " https://ntfy.sh/backups ");
    await type("schedule-finish-cmd", "logger -t dbm");
    await type("schedule-hook-timeout", "30");
    expect(byId("schedule-checks-summary").textContent).toBe("Verify every 3 days · 2 limits · 4 hooks");

    api.scheduleCreate.mockResolvedValueOnce(savedSchedule());
    await fireEvent.submit(byId("schedule-form"));
    expect(api.scheduleCreate).toHaveBeenCalledExactlyOnceWith(
      expect.objectContaining({
        verifyEverySeconds: 259_200,
        stallAfterSeconds: 900,
        timeLimitSeconds: 7200,
        hooks: {
          pingUrl: "https://hc-ping.com/5f2c/{status}",
          onSuccessUrl: "http://kuma.local:3001/api/push/abc",
          onFailureUrl: "https://ntfy.sh/backups",
          onFinishCmd: "logger -t dbm",
          timeoutSeconds: 30,
        },
      }),
    );
    await waitFor(() => expect(onsaved).toHaveBeenCalled());
  });

  it("sends null for Never", async () => {
    renderForm();
    await choose("schedule-verify-every", "never");
    expect(byId("schedule-checks-summary").textContent).toBe("No verify by restore · no hooks");
    api.scheduleCreate.mockResolvedValueOnce(savedSchedule());
    await fireEvent.submit(byId("schedule-form"));
    expect(api.scheduleCreate).toHaveBeenCalledWith(expect.objectContaining({ verifyEverySeconds: null }));
  });
});

describe("Checks and hooks validation", () => {
  it("refuses an address without http:// or https:// under its field, opening the section", async () => {
    renderForm();
    await type("schedule-failure-url", "ntfy.sh/backups");
    await fireEvent.submit(byId("schedule-form"));

    expect(api.scheduleCreate).not.toHaveBeenCalled();
    const error = await screen.findByTestId("schedule-failure-url-error");
    expect(error.textContent).toContain("starts with http:// or https://");
    expect(section().open).toBe(true);
    expect(input("schedule-failure-url").getAttribute("aria-invalid")).toBe("true");
    await waitFor(() => expect(document.activeElement).toBe(byId("schedule-failure-url")));
    expect(screen.queryByTestId("schedule-ping-url-error")).toBeNull();

    // Typing clears it; a good address is sent.
    await type("schedule-failure-url", "https://ntfy.sh/backups");
    expect(screen.queryByTestId("schedule-failure-url-error")).toBeNull();
  });

  it("asks for the days of a custom interval and focuses them", async () => {
    renderForm();
    await choose("schedule-verify-every", "custom");
    await fireEvent.submit(byId("schedule-form"));

    expect((await screen.findByTestId("schedule-verify-every-error")).textContent).toContain(
      "Enter how many days apart to verify, or choose Never.",
    );
    expect(input("schedule-verify-days").getAttribute("aria-invalid")).toBe("true");
    await waitFor(() => expect(document.activeElement).toBe(byId("schedule-verify-days")));
    expect(api.scheduleCreate).not.toHaveBeenCalled();
  });

  it("refuses limits and a timeout that are not numbers", async () => {
    renderForm();
    await type("schedule-stall-after", "ten");
    await fireEvent.submit(byId("schedule-form"));
    expect((await screen.findByTestId("schedule-stall-after-error")).textContent).toContain(
      "Enter a number of minutes, or leave it empty for the app's setting.",
    );

    await type("schedule-stall-after", "");
    await type("schedule-hook-timeout", "5s");
    await fireEvent.submit(byId("schedule-form"));
    expect((await screen.findByTestId("schedule-hook-timeout-error")).textContent).toContain("whole number of seconds");
    expect(screen.queryByTestId("schedule-stall-after-error")).toBeNull();
    expect(api.scheduleCreate).not.toHaveBeenCalled();
  });

  it.each([
    ["invalid_verify_every", "Verifying by restore every 30 minutes is not possible.", "schedule-verify-every"],
    ["invalid_stall_after", "A stall limit of 5 seconds is not possible.", "schedule-stall-after"],
    ["invalid_time_limit", "A time limit of 30 days is not possible.", "schedule-time-limit"],
    ["invalid_hook", "The success URL \"https://x y\" is not an http:// or https:// address.", "schedule-success-url"],
    ["invalid_hook", "A hook timeout of 900 seconds is not possible.", "schedule-hook-timeout"],
    ["invalid_hook", "The command to run after each backup is too long.", "schedule-finish-cmd"],
  ])("shows the backend's %s under its field", async (code, message, field) => {
    api.scheduleCreate.mockRejectedValueOnce({ code, message });
    renderForm();
    await fireEvent.submit(byId("schedule-form"));

    const error = await screen.findByTestId(`${field}-error`);
    expect(error.textContent).toContain(message);
    expect(section().open).toBe(true);
    await waitFor(() => expect(document.activeElement).toBe(byId(field)));
    expect(screen.queryByTestId("schedule-form-error")).toBeNull();
  });

  it("shows a rejected hook it cannot place under the hooks", async () => {
    api.scheduleCreate.mockRejectedValueOnce({ code: "invalid_hook", message: "Hooks cannot be called." });
    renderForm();
    await fireEvent.submit(byId("schedule-form"));
    expect((await screen.findByTestId("schedule-hooks-error")).textContent).toContain("Hooks cannot be called.");
    await waitFor(() => expect(document.activeElement).toBe(byId("schedule-ping-url")));
  });
});

describe("Checks and hooks of a saved schedule", () => {
  it("opens with the schedule's own values and sends them back", async () => {
    const schedule = savedSchedule({
      verifyEverySeconds: 86_400,
      stallAfterSeconds: 1200,
      timeLimitSeconds: 5400,
      hooks: { pingUrl: "https://hc-ping.com/5f2c", onFinishCmd: "true" },
    });
    renderForm(schedule);

    expect(section().open).toBe(true);
    expect((byId("schedule-verify-every") as HTMLSelectElement).value).toBe("daily");
    expect(input("schedule-stall-after").value).toBe("20");
    expect(input("schedule-time-limit").value).toBe("90");
    expect((byId("schedule-time-limit-unit") as HTMLSelectElement).value).toBe("minutes");
    expect(input("schedule-ping-url").value).toBe("https://hc-ping.com/5f2c");
    expect(input("schedule-success-url").value).toBe("");
    expect(input("schedule-finish-cmd").value).toBe("true");
    expect(input("schedule-hook-timeout").value).toBe("");

    api.scheduleUpdate.mockResolvedValueOnce(schedule);
    await fireEvent.submit(byId("schedule-form"));
    expect(api.scheduleUpdate).toHaveBeenCalledExactlyOnceWith(
      3,
      expect.objectContaining({
        verifyEverySeconds: 86_400,
        stallAfterSeconds: 1200,
        timeLimitSeconds: 5400,
        hooks: { ...NO_HOOKS, pingUrl: "https://hc-ping.com/5f2c", onFinishCmd: "true" },
      }),
    );
  });

  it("stays closed for a schedule that keeps the defaults", () => {
    renderForm(savedSchedule({ verifyEverySeconds: 604_800 }));
    expect(section().open).toBe(false);
  });

  it("shows a custom interval's days", () => {
    renderForm(savedSchedule({ verifyEverySeconds: 1_209_600 }));
    expect((byId("schedule-verify-every") as HTMLSelectElement).value).toBe("custom");
    expect(input("schedule-verify-days").value).toBe("14");
    expect(section().open).toBe(true);
  });
});
