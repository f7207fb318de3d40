// The schedule form's "Copies": where each run's backup is copied, encrypted or not, and
// whether the local file stays; sent with its own command after the schedule is saved.
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { commands, type Location, type Schedule } from "../bindings";
import { savedConnection, savedLocation, savedSchedule } from "../../test/fixtures";
import ScheduleForm from "./ScheduleForm.svelte";

vi.mock("../bindings", () => ({
  commands: {
    schedulePreview: vi.fn(),
    scheduleCreate: vi.fn(),
    scheduleUpdate: vi.fn(),
    scheduleSetCopyPlan: vi.fn(),
    retentionPreview: vi.fn(),
  },
}));

const api = vi.mocked(commands);
const onsaved = vi.fn();

const nas = savedLocation();
const offsite = savedLocation({ id: 2, name: "offsite" });

beforeEach(() => {
  vi.resetAllMocks();
  api.schedulePreview.mockResolvedValue({ pattern: "30 2 * * *", timezone: "UTC", description: "at 02:30", runs: [] });
  api.retentionPreview.mockImplementation(async (scheduleId) => ({ scheduleId, keepLast: 7, keepDays: null, delete: [], keep: 7 }));
  api.scheduleCreate.mockImplementation(async () => savedSchedule());
  api.scheduleUpdate.mockImplementation(async (id) => savedSchedule({ id }));
  api.scheduleSetCopyPlan.mockImplementation(async (id, plan) => savedSchedule({ id, copies: plan }));
});

function renderForm(schedule: Schedule | null = null, locations: Location[] | null = [nas, offsite]) {
  render(ScheduleForm, { schedule, connections: [savedConnection()], locations, onclose: vi.fn(), onsaved });
}

function byId(id: string) {
  return screen.getByTestId(id);
}

function checkbox(id: string) {
  return byId(id) as HTMLInputElement;
}

function locationBox(id: number) {
  const found = screen.getAllByTestId("schedule-copy-to").find((b) => b.dataset.locationId === String(id));
  if (!found) throw new Error(`no checkbox for location ${id}`);
  return found as HTMLInputElement;
}

function section() {
  return byId("schedule-copies") as HTMLDetailsElement;
}

describe("Copies of a new schedule", () => {
  it("is closed, copies nowhere, keeps the local copy, and sends no plan", async () => {
    renderForm();
    expect(section().open).toBe(false);
    expect(section().querySelector("summary")?.textContent).toContain("Copies");
    expect(byId("schedule-copies-summary").textContent).toBe("Not copied: backups stay on this computer only");
    expect([locationBox(1).checked, locationBox(2).checked]).toEqual([false, false]);
    expect(checkbox("schedule-copy-keep-local").checked).toBe(true);
    // Off only with somewhere to copy to.
    expect(checkbox("schedule-copy-keep-local").disabled).toBe(true);

    await fireEvent.submit(byId("schedule-form"));
    await waitFor(() => expect(onsaved).toHaveBeenCalledTimes(1));
    expect(api.scheduleCreate).toHaveBeenCalledTimes(1);
    expect(api.scheduleSetCopyPlan).not.toHaveBeenCalled();
  });

  it("sends the chosen plan after creating the schedule, and hands on the schedule it answers", async () => {
    renderForm();
    await fireEvent.click(locationBox(2));
    await fireEvent.click(locationBox(1));
    expect(checkbox("schedule-copy-keep-local").disabled).toBe(false);
    await fireEvent.click(byId("schedule-copy-encrypt"));
    await fireEvent.click(byId("schedule-copy-keep-local"));
    // In the order they are listed, whichever was ticked first.
    expect(byId("schedule-copies-summary").textContent).toBe("Copies to nas, offsite · encrypted · local copy removed");

    await fireEvent.submit(byId("schedule-form"));
    await waitFor(() => expect(onsaved).toHaveBeenCalledTimes(1));
    expect(api.scheduleCreate).toHaveBeenCalledTimes(1);
    expect(api.scheduleSetCopyPlan).toHaveBeenCalledExactlyOnceWith(3, { to: [1, 2], encrypt: true, keepLocal: false });
    expect(api.scheduleCreate.mock.invocationCallOrder[0]).toBeLessThan(api.scheduleSetCopyPlan.mock.invocationCallOrder[0]);
    expect(onsaved.mock.calls[0][0].copies).toEqual({ to: [1, 2], encrypt: true, keepLocal: false });
  });

  it("keeps the local copy again once no location is chosen", async () => {
    renderForm();
    await fireEvent.click(locationBox(1));
    await fireEvent.click(byId("schedule-copy-keep-local"));
    expect(checkbox("schedule-copy-keep-local").checked).toBe(false);
    await fireEvent.click(locationBox(1));
    expect(checkbox("schedule-copy-keep-local").checked).toBe(true);
    expect(checkbox("schedule-copy-keep-local").disabled).toBe(true);
  });

  it("says when there is no location to choose", () => {
    renderForm(null, []);
    expect(byId("schedule-copies-none").textContent).toContain("There are no storage locations yet.");
    expect(screen.queryAllByTestId("schedule-copy-to")).toHaveLength(0);
  });
});

describe("Copies of a saved schedule", () => {
  const copying = savedSchedule({ copies: { to: [2], encrypt: true, keepLocal: true } });

  it("opens with its plan and sends none when it is unchanged", async () => {
    renderForm(copying);
    expect(section().open).toBe(true);
    expect([locationBox(1).checked, locationBox(2).checked]).toEqual([false, true]);
    expect(checkbox("schedule-copy-encrypt").checked).toBe(true);
    expect(byId("schedule-copies-summary").textContent).toBe("Copies to offsite · encrypted");

    api.scheduleUpdate.mockResolvedValueOnce(copying);
    await fireEvent.submit(byId("schedule-form"));
    await waitFor(() => expect(onsaved).toHaveBeenCalledTimes(1));
    expect(api.scheduleSetCopyPlan).not.toHaveBeenCalled();
  });

  it("sends a changed plan after the update", async () => {
    renderForm(copying);
    api.scheduleUpdate.mockResolvedValueOnce(copying);
    await fireEvent.click(byId("schedule-copy-encrypt"));
    await fireEvent.click(locationBox(1));
    await fireEvent.submit(byId("schedule-form"));
    await waitFor(() => expect(onsaved).toHaveBeenCalledTimes(1));
    expect(api.scheduleUpdate).toHaveBeenCalledWith(3, expect.any(Object));
    expect(api.scheduleSetCopyPlan).toHaveBeenCalledExactlyOnceWith(3, { to: [1, 2], encrypt: false, keepLocal: true });
  });

  it("keeps a location that is gone listed, so that it is not dropped unseen", () => {
    renderForm(savedSchedule({ copies: { to: [9], encrypt: false, keepLocal: true } }));
    expect(locationBox(9).checked).toBe(true);
    expect(locationBox(9).closest("label")?.textContent).toContain("Location #9 (removed)");
  });

  it("leaves the plan alone when the locations could not be loaded", async () => {
    renderForm(copying, null);
    expect(byId("schedule-copies-unavailable").textContent).toContain("could not be loaded");
    expect(screen.queryAllByTestId("schedule-copy-to")).toHaveLength(0);
    api.scheduleUpdate.mockResolvedValueOnce(savedSchedule());
    await fireEvent.submit(byId("schedule-form"));
    await waitFor(() => expect(onsaved).toHaveBeenCalledTimes(1));
    expect(api.scheduleSetCopyPlan).not.toHaveBeenCalled();
  });

  it("says when the schedule was saved but its plan was not, and saves again as an update", async () => {
    api.scheduleSetCopyPlan.mockRejectedValueOnce({
      code: "storage_not_found",
      message: "There is no storage location 2. See dbm storage list.",
    });
    renderForm();
    await fireEvent.click(locationBox(2));
    await fireEvent.submit(byId("schedule-form"));

    const error = await screen.findByTestId("schedule-copies-error");
    expect(error.textContent).toContain("The schedule was saved, but not its copies: There is no storage location 2.");
    expect(section().open).toBe(true);
    expect(onsaved).not.toHaveBeenCalled();
    expect(byId("schedule-save").textContent).toContain("Save");
    expect(byId("schedule-save").textContent).not.toContain("Create");

    await fireEvent.submit(byId("schedule-form"));
    await waitFor(() => expect(onsaved).toHaveBeenCalledTimes(1));
    expect(api.scheduleCreate).toHaveBeenCalledTimes(1);
    expect(api.scheduleUpdate).toHaveBeenCalledWith(3, expect.any(Object));
    expect(api.scheduleSetCopyPlan).toHaveBeenLastCalledWith(3, { to: [2], encrypt: false, keepLocal: true });
    expect(screen.queryByTestId("schedule-copies-error")).toBeNull();
  });
});
