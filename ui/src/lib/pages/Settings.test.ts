import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { commands, type AppSettings } from "../bindings";
import { deferred } from "../../test/deferred";
import Settings from "./Settings.svelte";

vi.mock("../bindings", () => ({
  commands: {
    settingsGet: vi.fn(),
    settingsSave: vi.fn(),
  },
}));

const api = vi.mocked(commands);

function loaded(overrides: Partial<AppSettings> = {}): AppSettings {
  return {
    engine: "auto",
    imageTemplate: "postgres:{major}",
    backupRoot: "/home/ada/.local/share/db-backup-manager/backups",
    notifyOnFailure: true,
    notifyOnSuccess: false,
    catchUpGraceHours: 24,
    stallAfterSeconds: 600,
    ...overrides,
  };
}

beforeEach(() => {
  vi.resetAllMocks();
  api.settingsGet.mockResolvedValue(loaded());
});

function byId(id: string) {
  return screen.getByTestId(id);
}

function input(id: string) {
  return byId(id) as HTMLInputElement;
}

function type(id: string, value: string) {
  return fireEvent.input(byId(id), { target: { value } });
}

function saveButton() {
  return byId("settings-save") as HTMLButtonElement;
}

async function renderLoaded() {
  render(Settings);
  await screen.findByTestId("settings-form");
}

describe("Settings page", () => {
  it("shows a loading state, then the loaded values", async () => {
    const answer = deferred<AppSettings>();
    api.settingsGet.mockReturnValue(answer.promise);
    render(Settings);
    expect(byId("page-title").textContent).toBe("Settings");
    expect(byId("settings-loading")).toBeTruthy();

    answer.resolve(loaded({ engine: "docker", notifyOnSuccess: true }));
    await screen.findByTestId("settings-form");
    expect(screen.queryByTestId("settings-loading")).toBeNull();

    expect(input("setting-engine-docker").checked).toBe(true);
    expect(input("setting-engine-auto").checked).toBe(false);
    expect(input("setting-engine-local").checked).toBe(false);
    expect(input("setting-image-template").value).toBe("postgres:{major}");
    expect(input("setting-backup-root").value).toBe("/home/ada/.local/share/db-backup-manager/backups");
    expect(input("setting-notify-failure").checked).toBe(true);
    expect(input("setting-notify-success").checked).toBe(true);
    expect(input("setting-catch-up-grace-hours").value).toBe("24");
    expect(input("setting-stall-after").value).toBe("10");
    expect(screen.getByText(/becomes the server's major version/).textContent).toBe(
      "{major} becomes the server's major version, e.g. postgres:{major}",
    );
  });

  it("says why the settings could not be loaded and tries again", async () => {
    api.settingsGet.mockRejectedValueOnce({ code: "store_unavailable", message: "The app database is locked." });
    render(Settings);

    const error = await screen.findByTestId("settings-error");
    expect(error.textContent).toContain("Could not load the settings.");
    expect(byId("settings-error-message").textContent).toBe("The app database is locked.");
    expect(error.textContent).toContain("store_unavailable");
    expect(screen.queryByTestId("settings-form")).toBeNull();

    await fireEvent.click(byId("settings-retry"));
    await screen.findByTestId("settings-form");
    expect(api.settingsGet).toHaveBeenCalledTimes(2);
    expect(screen.queryByTestId("settings-error")).toBeNull();
  });

  it("keeps Save and Revert disabled until something changes", async () => {
    await renderLoaded();
    expect(saveButton().disabled).toBe(true);
    expect((byId("settings-revert") as HTMLButtonElement).disabled).toBe(true);

    await fireEvent.click(byId("setting-notify-success"));
    expect(saveButton().disabled).toBe(false);
    expect((byId("settings-revert") as HTMLButtonElement).disabled).toBe(false);

    // Changing it back is no change.
    await fireEvent.click(byId("setting-notify-success"));
    expect(saveButton().disabled).toBe(true);

    await type("setting-image-template", "postgres:{major}-alpine");
    expect(saveButton().disabled).toBe(false);
  });

  it("saves the edited record, then says so and shows what was saved", async () => {
    const answer = deferred<AppSettings>();
    api.settingsSave.mockReturnValue(answer.promise);
    await renderLoaded();

    await fireEvent.click(byId("setting-engine-local"));
    await type("setting-image-template", "registry.local/postgres:{major}");
    await type("setting-backup-root", "/srv/backups");
    await fireEvent.click(byId("setting-notify-failure"));
    await fireEvent.click(byId("setting-notify-success"));
    await type("setting-catch-up-grace-hours", "6");
    await type("setting-stall-after", "30");
    await fireEvent.click(saveButton());

    const sent: AppSettings = {
      engine: "local",
      imageTemplate: "registry.local/postgres:{major}",
      backupRoot: "/srv/backups",
      notifyOnFailure: false,
      notifyOnSuccess: true,
      catchUpGraceHours: 6,
      stallAfterSeconds: 1800,
    };
    expect(api.settingsSave).toHaveBeenCalledTimes(1);
    expect(api.settingsSave).toHaveBeenCalledWith(sent);
    expect(saveButton().disabled).toBe(true);
    expect(saveButton().textContent).toContain("Saving…");

    // The app answers with the stored values (trimmed, normalised).
    answer.resolve({ ...sent, backupRoot: "/srv/backups/" });
    expect((await screen.findByTestId("settings-saved")).textContent).toContain("Saved.");
    expect(input("setting-backup-root").value).toBe("/srv/backups/");
    expect(input("setting-engine-local").checked).toBe(true);
    expect(input("setting-stall-after").value).toBe("30");
    expect(saveButton().disabled).toBe(true);
    expect(saveButton().textContent).toContain("Save");

    // The next change hides the note and compares with the saved values.
    await type("setting-image-template", "postgres:{major}");
    expect(screen.queryByTestId("settings-saved")).toBeNull();
    expect(saveButton().disabled).toBe(false);
  });

  it("shows a rejected backup folder under its field and keeps the typed value", async () => {
    api.settingsSave.mockRejectedValueOnce({
      code: "invalid_backup_root",
      message: "\"relative/dir\" is not a full path.",
    });
    await renderLoaded();

    await type("setting-backup-root", "relative/dir");
    await fireEvent.click(saveButton());

    const error = await screen.findByTestId("error-backup-root");
    expect(error.textContent).toContain("\"relative/dir\" is not a full path.");
    const field = input("setting-backup-root");
    expect(field.value).toBe("relative/dir");
    expect(field.getAttribute("aria-invalid")).toBe("true");
    expect(field.getAttribute("aria-describedby")).toContain("error-backup-root");
    await waitFor(() => expect(document.activeElement).toBe(field));
    expect(screen.queryByTestId("error-image-template")).toBeNull();
    expect(screen.queryByTestId("settings-error")).toBeNull();
    expect(screen.queryByTestId("settings-saved")).toBeNull();
    expect(saveButton().disabled).toBe(false);

    // Typing in the field clears its message.
    await type("setting-backup-root", "/srv/backups");
    expect(screen.queryByTestId("error-backup-root")).toBeNull();
  });

  it("shows a rejected image template under its field", async () => {
    api.settingsSave.mockRejectedValueOnce({
      code: "invalid_image_template",
      message: "\"postgres {major}\" is not an image name.",
    });
    await renderLoaded();

    await type("setting-image-template", "postgres {major}");
    await fireEvent.click(saveButton());

    const error = await screen.findByTestId("error-image-template");
    expect(error.textContent).toContain("is not an image name.");
    expect(input("setting-image-template").value).toBe("postgres {major}");
    expect(screen.queryByTestId("error-backup-root")).toBeNull();
  });

  it("shows a rejected catch-up window under its field", async () => {
    api.settingsSave.mockRejectedValueOnce({
      code: "invalid_catch_up_grace_hours",
      message: "A catch-up window of 1000 hours is too long.",
    });
    await renderLoaded();

    await type("setting-catch-up-grace-hours", "1000");
    await fireEvent.click(saveButton());

    expect(api.settingsSave).toHaveBeenCalledWith(loaded({ catchUpGraceHours: 1000 }));
    const error = await screen.findByTestId("error-catch-up-grace-hours");
    expect(error.textContent).toContain("1000 hours is too long.");
    const field = input("setting-catch-up-grace-hours");
    expect(field.getAttribute("aria-invalid")).toBe("true");
    expect(field.getAttribute("aria-describedby")).toContain("error-catch-up-grace-hours");
    await waitFor(() => expect(document.activeElement).toBe(field));
    expect(screen.queryByTestId("settings-error")).toBeNull();

    await type("setting-catch-up-grace-hours", "48");
    expect(screen.queryByTestId("error-catch-up-grace-hours")).toBeNull();
  });

  it("asks for a whole number of hours before saving an empty catch-up window", async () => {
    await renderLoaded();

    await type("setting-catch-up-grace-hours", "");
    await fireEvent.click(saveButton());

    expect(api.settingsSave).not.toHaveBeenCalled();
    const error = await screen.findByTestId("error-catch-up-grace-hours");
    expect(error.textContent).toContain("whole number of hours from 0 to 744");
  });

  it("explains the stall limit and counts a change to it", async () => {
    await renderLoaded();
    const field = input("setting-stall-after");
    expect(screen.getByLabelText("Stall limit (minutes)")).toBe(field);
    expect(document.getElementById(field.getAttribute("aria-describedby") ?? "")?.textContent).toBe(
      "A backup that writes nothing for this long is ended, and its error says why. A schedule may set its own. 1 to 1440 (a day).",
    );
    await type("setting-stall-after", "15");
    expect(saveButton().disabled).toBe(false);
    await type("setting-stall-after", "10");
    expect(saveButton().disabled).toBe(true);
  });

  it.each([
    ["", "empty"],
    ["0", "under a minute"],
    ["1441", "over a day"],
    ["2.5", "not whole minutes"],
  ])("refuses a stall limit of %j (%s) under its field without asking the backend", async (typed) => {
    await renderLoaded();
    await type("setting-stall-after", typed);
    await fireEvent.click(saveButton());

    expect(api.settingsSave).not.toHaveBeenCalled();
    const error = await screen.findByTestId("error-stall-after");
    expect(error.textContent).toContain("Enter a whole number of minutes from 1 to 1440 (a day).");
    const field = input("setting-stall-after");
    expect(field.getAttribute("aria-invalid")).toBe("true");
    await waitFor(() => expect(document.activeElement).toBe(field));

    await type("setting-stall-after", "20");
    expect(screen.queryByTestId("error-stall-after")).toBeNull();
  });

  it("keeps a stall limit that is not whole minutes when saving something else", async () => {
    api.settingsGet.mockResolvedValue(loaded({ stallAfterSeconds: 90 }));
    api.settingsSave.mockImplementation(async (settings) => settings);
    await renderLoaded();
    expect(input("setting-stall-after").value).toBe("1.5");

    await fireEvent.click(byId("setting-notify-success"));
    await fireEvent.click(saveButton());
    expect(api.settingsSave).toHaveBeenCalledWith(loaded({ stallAfterSeconds: 90, notifyOnSuccess: true }));
  });

  it("shows a rejected stall limit under its field", async () => {
    api.settingsSave.mockRejectedValueOnce({
      code: "invalid_stall_after",
      message: "A stall limit of 1 day 1 hour is not possible. Use between 1 minute and 24 hours.",
    });
    await renderLoaded();
    await type("setting-stall-after", "5");
    await fireEvent.click(saveButton());

    expect(api.settingsSave).toHaveBeenCalledWith(loaded({ stallAfterSeconds: 300 }));
    const error = await screen.findByTestId("error-stall-after");
    expect(error.textContent).toContain("Use between 1 minute and 24 hours.");
    await waitFor(() => expect(document.activeElement).toBe(input("setting-stall-after")));
    expect(screen.queryByTestId("settings-error")).toBeNull();
  });

  it("shows other save errors in the general error box", async () => {
    api.settingsSave.mockRejectedValueOnce({ code: "store_unavailable", message: "The app database is locked." });
    await renderLoaded();

    await fireEvent.click(byId("setting-engine-docker"));
    await fireEvent.click(saveButton());

    const error = await screen.findByTestId("settings-error");
    expect(error.textContent).toContain("The app database is locked.");
    expect(error.textContent).toContain("store_unavailable");
    expect(input("setting-engine-docker").checked).toBe(true);
    expect(screen.queryByTestId("error-backup-root")).toBeNull();
    expect(screen.queryByTestId("error-image-template")).toBeNull();
  });

  it("reverts to the loaded values", async () => {
    api.settingsSave.mockRejectedValueOnce({ code: "invalid_backup_root", message: "Not a full path." });
    await renderLoaded();

    await fireEvent.click(byId("setting-engine-docker"));
    await type("setting-image-template", "mirror/postgres:{major}");
    await type("setting-backup-root", "relative/dir");
    await fireEvent.click(byId("setting-notify-failure"));
    await fireEvent.click(byId("setting-notify-success"));
    await type("setting-stall-after", "45");
    await fireEvent.click(saveButton());
    await screen.findByTestId("error-backup-root");

    await fireEvent.click(byId("settings-revert"));
    expect(input("setting-stall-after").value).toBe("10");

    expect(input("setting-engine-auto").checked).toBe(true);
    expect(input("setting-engine-docker").checked).toBe(false);
    expect(input("setting-image-template").value).toBe("postgres:{major}");
    expect(input("setting-backup-root").value).toBe("/home/ada/.local/share/db-backup-manager/backups");
    expect(input("setting-notify-failure").checked).toBe(true);
    expect(input("setting-notify-success").checked).toBe(false);
    expect(screen.queryByTestId("error-backup-root")).toBeNull();
    expect(saveButton().disabled).toBe(true);
    expect(api.settingsSave).toHaveBeenCalledTimes(1);
  });
});
