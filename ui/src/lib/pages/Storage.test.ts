import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { commands, type Location, type LocationInput } from "../bindings";
import { deferred } from "../../test/deferred";
import { keyInfo, savedLocation } from "../../test/fixtures";
import Storage from "./Storage.svelte";

vi.mock("../bindings", () => ({
  commands: {
    storageList: vi.fn(),
    storageAdd: vi.fn(),
    storageTest: vi.fn(),
    storageRemove: vi.fn(),
    storageSetRetention: vi.fn(),
    keyInfo: vi.fn(),
    keyExport: vi.fn(),
  },
}));

vi.mock("@tauri-apps/api/path", () => ({ homeDir: vi.fn(async () => "/home/ada") }));
vi.mock("@tauri-apps/plugin-dialog", () => ({ save: vi.fn(async () => null) }));

const api = vi.mocked(commands);

const nas = savedLocation();
const offsite = savedLocation({
  id: 2,
  name: "offsite",
  settings: {
    kind: "s3",
    endpoint: "https://s3.eu-west-1.amazonaws.com",
    bucket: "team-backups",
    prefix: "laptop",
    region: "eu-west-1",
    pathStyle: false,
    accessKeyId: "AKIAEXAMPLE",
  },
  keepLast: 14,
  keepDays: 90,
});
const server = savedLocation({
  id: 3,
  name: "closet",
  settings: { kind: "sftp", host: "nas.local", port: 2222, user: "backup", keyFile: null, path: "/srv/backups" },
  keepLast: 7,
});

beforeEach(() => {
  vi.resetAllMocks();
  api.storageList.mockResolvedValue([nas, offsite, server]);
  api.keyInfo.mockResolvedValue(keyInfo());
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

function row(name: string) {
  const found = screen.getAllByTestId("location-row").find((r) => r.dataset.name === name);
  if (!found) throw new Error(`no row ${name}`);
  return found;
}

function text(element: HTMLElement) {
  return element.textContent?.replace(/\s+/g, " ").trim();
}

async function renderPage() {
  render(Storage);
  await screen.findByTestId("location-list");
}

async function openForm() {
  await fireEvent.click(byId("storage-add"));
  return screen.getByRole("dialog", { name: "Add storage location" });
}

describe("Storage locations", () => {
  it("lists each location with its kind, where it is and its retention", async () => {
    const answer = deferred<Location[]>();
    api.storageList.mockReturnValueOnce(answer.promise);
    render(Storage);
    expect(byId("page-title").textContent).toBe("Storage");
    expect(byId("storage-loading")).toBeTruthy();
    answer.resolve([nas, offsite, server]);
    await screen.findByTestId("location-list");

    expect(screen.getAllByTestId("location-row").map((r) => r.dataset.name)).toEqual(["nas", "offsite", "closet"]);
    const cell = (name: string, what: string) => text(within(row(name)).getByTestId(`location-row-${what}`));
    expect(cell("nas", "kind")).toBe("Folder");
    expect(cell("nas", "where")).toBe("/mnt/nas/backups");
    expect(cell("nas", "retention")).toBe("Keeps all");
    expect(cell("offsite", "kind")).toBe("S3-compatible");
    expect(cell("offsite", "where")).toBe("s3://team-backups/laptop at https://s3.eu-west-1.amazonaws.com (eu-west-1)");
    expect(cell("offsite", "credentials")).toBe("access key AKIAEXAMPLE");
    expect(cell("offsite", "retention")).toBe("Keeps the last 14, at most 90 days");
    expect(cell("closet", "kind")).toBe("SFTP");
    expect(cell("closet", "where")).toBe("backup@nas.local:2222, /srv/backups");
    expect(cell("closet", "retention")).toBe("Keeps the last 7");
  });

  it("explains an empty list and offers to add one", async () => {
    api.storageList.mockResolvedValueOnce([]);
    render(Storage);
    const empty = await screen.findByTestId("empty-state");
    expect(empty.textContent).toContain("No storage locations yet.");
    await fireEvent.click(byId("storage-empty-add"));
    expect(screen.getByRole("dialog", { name: "Add storage location" })).toBeTruthy();
  });

  it("says why the list could not be loaded and tries again", async () => {
    api.storageList.mockRejectedValueOnce({ code: "store_unusable", message: "The app database is locked." });
    render(Storage);
    expect((await screen.findByTestId("storage-error-message")).textContent).toBe("The app database is locked.");
    await fireEvent.click(byId("storage-retry"));
    await screen.findByTestId("location-list");
    expect(api.storageList).toHaveBeenCalledTimes(2);
  });
});

describe("Add location", () => {
  it("sends a folder's LocationInput, says it is testing, then lists the new location", async () => {
    const answer = deferred<Location>();
    api.storageAdd.mockReturnValueOnce(answer.promise);
    await renderPage();
    await openForm();
    expect(input("location-kind-folder").checked).toBe(true);
    await type("location-name", "usb");
    await type("location-path", "/media/ada/usb/backups");
    await type("location-keep-last", "10");
    await fireEvent.click(byId("location-save"));

    const sent: LocationInput = {
      name: "usb",
      settings: { kind: "folder", path: "/media/ada/usb/backups" },
      keepLast: 10,
      keepDays: null,
    };
    expect(api.storageAdd).toHaveBeenCalledExactlyOnceWith(sent, null);
    expect(byId("location-testing").textContent).toContain("list, write, read back, delete");
    expect(byId("location-save").textContent).toContain("Testing…");

    api.storageList.mockResolvedValueOnce([nas, savedLocation({ id: 4, name: "usb" })]);
    answer.resolve(savedLocation({ id: 4, name: "usb" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(byId("storage-notice").textContent).toContain("Added “usb”: every test step passed.");
    await waitFor(() => expect(row("usb")).toBeTruthy());
  });

  it("sends an S3 location's settings with the secret key apart", async () => {
    api.storageAdd.mockResolvedValueOnce(offsite);
    await renderPage();
    await openForm();
    await fireEvent.click(byId("location-kind-s3"));
    expect(screen.queryByTestId("location-path")).toBeNull();
    expect(input("location-secret-key").type).toBe("password");
    await type("location-name", "offsite");
    await type("location-endpoint", "http://127.0.0.1:54390");
    await type("location-bucket", "dbm-test");
    await type("location-prefix", "laptop");
    await type("location-region", "us-east-1");
    await fireEvent.click(byId("location-path-style"));
    await type("location-access-key-id", "dbmtest");
    await type("location-secret-key", "dbmtestsecret");
    await type("location-keep-days", "30");
    await fireEvent.click(byId("location-save"));

    expect(api.storageAdd).toHaveBeenCalledExactlyOnceWith(
      {
        name: "offsite",
        settings: {
          kind: "s3",
          endpoint: "http://127.0.0.1:54390",
          bucket: "dbm-test",
          prefix: "laptop",
          region: "us-east-1",
          pathStyle: true,
          accessKeyId: "dbmtest",
        },
        keepLast: null,
        keepDays: 30,
      },
      "dbmtestsecret",
    );
  });

  it("sends an SFTP location with its port as a number and says the host key must be known", async () => {
    api.storageAdd.mockResolvedValueOnce(server);
    await renderPage();
    await openForm();
    await fireEvent.click(byId("location-kind-sftp"));
    expect(input("location-port").value).toBe("22");
    await type("location-name", "closet");
    await type("location-host", "nas.local");
    await type("location-port", "2222");
    await type("location-user", "backup");
    await type("location-key-file", "/home/ada/.ssh/id_ed25519");
    await type("location-remote-path", "/srv/backups");
    expect(text(byId("location-known-hosts"))).toBe(
      "The server's host key must already be in ~/.ssh/known_hosts: connect once with sftp -P 2222 backup@nas.local and check the fingerprint it shows.",
    );
    await fireEvent.click(byId("location-save"));

    expect(api.storageAdd).toHaveBeenCalledExactlyOnceWith(
      {
        name: "closet",
        settings: {
          kind: "sftp",
          host: "nas.local",
          port: 2222,
          user: "backup",
          keyFile: "/home/ada/.ssh/id_ed25519",
          path: "/srv/backups",
        },
        keepLast: null,
        keepDays: null,
      },
      null,
    );
  });

  it("shows a rejected folder under its field, focused, and keeps the form open", async () => {
    api.storageAdd.mockRejectedValueOnce({
      code: "invalid_storage",
      message: 'The folder "backups" is not an absolute path. Give the full path, e.g. /mnt/nas/backups.',
    });
    await renderPage();
    await openForm();
    await type("location-name", "usb");
    await type("location-path", "backups");
    await fireEvent.click(byId("location-save"));

    const error = await screen.findByTestId("location-path-error");
    expect(error.textContent).toContain('The folder "backups" is not an absolute path.');
    const field = input("location-path");
    expect(field.getAttribute("aria-invalid")).toBe("true");
    expect(field.getAttribute("aria-describedby")).toContain("location-path-error");
    await waitFor(() => expect(document.activeElement).toBe(field));
    expect(screen.queryByTestId("location-form-error")).toBeNull();
    expect(screen.getByRole("dialog")).toBeTruthy();

    // Typing in the field clears its message.
    await type("location-path", "/media/usb");
    expect(screen.queryByTestId("location-path-error")).toBeNull();
  });

  it("puts a failed test's problem under the field it is about, for the kind of location", async () => {
    api.storageAdd.mockRejectedValueOnce({
      code: "storage_bucket_missing",
      message: "The bucket of s3://nope at http://127.0.0.1:54390 does not exist. Create the bucket first, or correct its name.",
    });
    await renderPage();
    await openForm();
    await fireEvent.click(byId("location-kind-s3"));
    await type("location-secret-key", "x");
    await fireEvent.click(byId("location-save"));
    expect((await screen.findByTestId("location-bucket-error")).textContent).toContain("Create the bucket first");

    api.storageAdd.mockRejectedValueOnce({
      code: "storage_host_key",
      message: "The SSH host key of sftp://backup@nas.local:22/ is not a known one. Check the server's key fingerprint…",
    });
    await fireEvent.click(byId("location-kind-sftp"));
    // The S3 field's message went with its field.
    expect(screen.queryByTestId("location-bucket-error")).toBeNull();
    await fireEvent.click(byId("location-save"));
    expect((await screen.findByTestId("location-host-error")).textContent).toContain("is not a known one");
  });

  it("shows a problem about no one field as a banner, with its fix", async () => {
    api.storageAdd.mockRejectedValueOnce({
      code: "storage_full",
      message: "/mnt/nas/backups is full: No space left on device. Free space there (or raise its quota), then retry the copy.",
    });
    await renderPage();
    await openForm();
    await type("location-path", "/mnt/nas/backups");
    await fireEvent.click(byId("location-save"));
    const banner = await screen.findByTestId("location-form-error");
    expect(banner.getAttribute("role")).toBe("alert");
    expect(banner.textContent).toContain("is full: No space left on device.");
    expect(banner.textContent).toContain("Free space there (or raise its quota)");
    expect(banner.textContent).toContain("storage_full");
    expect(screen.queryByTestId("location-path-error")).toBeNull();
  });

  it("refuses a port or a missing secret before asking the backend", async () => {
    await renderPage();
    await openForm();
    await fireEvent.click(byId("location-kind-sftp"));
    await type("location-port", "ssh");
    await fireEvent.click(byId("location-save"));
    expect((await screen.findByTestId("location-port-error")).textContent).toContain("from 1 to 65535");

    await fireEvent.click(byId("location-kind-s3"));
    await fireEvent.click(byId("location-save"));
    expect((await screen.findByTestId("location-secret-key-error")).textContent).toContain("Enter the secret access key");
    expect(api.storageAdd).not.toHaveBeenCalled();
  });
});

describe("A location's actions", () => {
  it("tests a location and lists each step with ok or FAIL, then the problem and its fix", async () => {
    api.storageTest.mockResolvedValueOnce({
      ok: false,
      steps: [
        { step: "list", ok: true, seconds: 0.12 },
        { step: "write", ok: false, seconds: 0.3 },
      ],
      problem: {
        code: "storage_permission_denied",
        message: "s3://team-backups/laptop at https://s3.eu-west-1.amazonaws.com refused the operation: AccessDenied.",
        fix: "Give the user (or the key) the right to write, read, list and delete there.",
      },
    });
    await renderPage();
    await fireEvent.click(within(row("offsite")).getByTestId("location-test"));
    expect(api.storageTest).toHaveBeenCalledExactlyOnceWith(2);

    const result = await within(row("offsite")).findByTestId("location-test-result");
    await waitFor(() => expect(result.dataset.state).toBe("failed"));
    const steps = within(row("offsite")).getAllByTestId("location-test-step");
    expect(steps.map((s) => text(s))).toEqual(["ok list 0.1 s", "FAIL write 0.3 s"]);
    expect(text(within(row("offsite")).getByTestId("location-test-problem"))).toContain("refused the operation: AccessDenied.");
    expect(text(within(row("offsite")).getByTestId("location-test-fix"))).toBe(
      "What to do: Give the user (or the key) the right to write, read, list and delete there.",
    );
  });

  it("says when every step passed", async () => {
    api.storageTest.mockResolvedValueOnce({
      ok: true,
      steps: ["list", "write", "read", "delete"].map((step) => ({ step, ok: true, seconds: 0.01 })),
      problem: null,
    });
    await renderPage();
    await fireEvent.click(within(row("nas")).getByTestId("location-test"));
    await waitFor(() => expect(within(row("nas")).getByTestId("location-test-result").dataset.state).toBe("ok"));
    expect(within(row("nas")).getByTestId("location-test-result").textContent).toContain("Every step passed");
    expect(within(row("nas")).getAllByTestId("location-test-step").map((s) => s.dataset.ok)).toEqual([
      "true",
      "true",
      "true",
      "true",
    ]);
  });

  it("edits the retention, shows a rejected value under its field, then saves", async () => {
    api.storageSetRetention.mockRejectedValueOnce({
      code: "invalid_storage",
      message: "Keeping 0 backups would delete every copy. Keep at least 1, or leave it empty to keep all.",
    });
    await renderPage();
    await fireEvent.click(within(row("offsite")).getByTestId("location-retention"));
    const keepLast = within(row("offsite")).getByTestId("location-retention-keep-last") as HTMLInputElement;
    expect(keepLast.value).toBe("14");
    expect((within(row("offsite")).getByTestId("location-retention-keep-days") as HTMLInputElement).value).toBe("90");
    await waitFor(() => expect(document.activeElement).toBe(keepLast));

    await fireEvent.input(keepLast, { target: { value: "0" } });
    await fireEvent.click(within(row("offsite")).getByTestId("location-retention-save"));
    expect(api.storageSetRetention).toHaveBeenLastCalledWith(2, 0, 90);
    expect((await screen.findByTestId("location-2-keep-last-error")).textContent).toContain("Keeping 0 backups");

    api.storageSetRetention.mockResolvedValueOnce({ ...offsite, keepLast: 30, keepDays: null });
    api.storageList.mockResolvedValueOnce([nas, { ...offsite, keepLast: 30, keepDays: null }, server]);
    await fireEvent.input(keepLast, { target: { value: "30" } });
    await fireEvent.input(within(row("offsite")).getByTestId("location-retention-keep-days"), { target: { value: "" } });
    await fireEvent.click(within(row("offsite")).getByTestId("location-retention-save"));
    expect(api.storageSetRetention).toHaveBeenLastCalledWith(2, 30, null);
    await waitFor(() => expect(text(within(row("offsite")).getByTestId("location-row-retention"))).toBe("Keeps the last 30"));
    expect(within(row("offsite")).queryByTestId("location-retention-form")).toBeNull();
  });

  it("asks before removing and says the objects in the location stay", async () => {
    api.storageRemove.mockResolvedValueOnce(null);
    await renderPage();
    await fireEvent.click(within(row("nas")).getByTestId("location-remove"));
    const prompt = within(row("nas")).getByRole("group", { name: "Confirm remove" });
    expect(text(prompt)).toContain("Remove the location nas?");
    expect(text(prompt)).toContain("The objects in it stay where they are: nothing in the location is deleted.");
    expect(api.storageRemove).not.toHaveBeenCalled();

    api.storageList.mockResolvedValueOnce([offsite, server]);
    await fireEvent.click(within(prompt).getByTestId("location-remove-confirm"));
    expect(api.storageRemove).toHaveBeenCalledExactlyOnceWith(1);
    await waitFor(() => expect(screen.getAllByTestId("location-row").map((r) => r.dataset.name)).toEqual(["offsite", "closet"]));
    expect(byId("storage-notice").textContent).toContain("Removed “nas”. Its objects stay in the location.");
  });
});

describe("Encryption key", () => {
  it("shows the public key, the extra recipients and, never exported, a plain warning", async () => {
    await renderPage();
    const panel = await screen.findByTestId("key-panel");
    await within(panel).findByTestId("key-recipient");
    expect(text(byId("key-recipient"))).toBe("age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p");
    expect(text(byId("key-extra-recipients"))).toContain("No extra recipients");
    const warning = byId("key-not-exported");
    expect(warning.textContent).toContain("Without an exported key, encrypted copies cannot be read on another computer.");
    expect(text(byId("key-export"))).toBe("Export key…");
    expect(text(byId("key-decrypt-command"))).toBe("age -d -i key.txt FILE.age > FILE");
  });

  it("exports the key to the path chosen in the save dialog, then says when", async () => {
    const dialogs = vi.mocked(await import("@tauri-apps/plugin-dialog"));
    dialogs.save.mockResolvedValueOnce("/home/ada/Safe/dbm-key.txt");
    api.keyExport.mockResolvedValueOnce(keyInfo({ exportedAt: "2026-05-01T12:00:00Z" }));
    await renderPage();
    await fireEvent.click(await screen.findByTestId("key-export"));

    await waitFor(() => expect(api.keyExport).toHaveBeenCalledExactlyOnceWith("/home/ada/Safe/dbm-key.txt"));
    expect(dialogs.save.mock.calls[0][0]?.defaultPath).toBe("/home/ada/db-backup-manager-key.txt");
    await screen.findByTestId("key-exported");
    expect(screen.queryByTestId("key-not-exported")).toBeNull();
    expect(byId("key-exported").textContent).toContain("Exported on 2026-05-01");
    expect(byId("key-export-result").textContent).toContain("/home/ada/Safe/dbm-key.txt");
  });

  it("does nothing when the dialog is cancelled, and shows a failed export", async () => {
    const dialogs = vi.mocked(await import("@tauri-apps/plugin-dialog"));
    dialogs.save.mockResolvedValueOnce(null);
    await renderPage();
    await fireEvent.click(await screen.findByTestId("key-export"));
    await waitFor(() => expect(dialogs.save).toHaveBeenCalledTimes(1));
    expect(api.keyExport).not.toHaveBeenCalled();

    dialogs.save.mockResolvedValueOnce("/home/ada/dbm-key.txt");
    api.keyExport.mockRejectedValueOnce({
      code: "invalid_backup_path",
      message: "The key cannot be written to /home/ada/dbm-key.txt: File exists (os error 17). Choose a new file…",
    });
    await fireEvent.click(byId("key-export"));
    expect((await screen.findByTestId("key-export-error")).textContent).toContain("File exists");
    expect(byId("key-not-exported")).toBeTruthy();
  });

  it("shows when an exported key was exported, and how many extra recipients read the copies", async () => {
    api.keyInfo.mockResolvedValueOnce(
      keyInfo({ exportedAt: "2026-04-02T08:30:00Z", extraRecipients: ["age1aaa", "age1bbb"] }),
    );
    await renderPage();
    expect((await screen.findByTestId("key-exported")).textContent).toContain("Exported on 2026-04-02");
    expect(screen.queryByTestId("key-not-exported")).toBeNull();
    expect(text(byId("key-extra-recipients"))).toContain("Also readable with 2 extra recipients");
    expect(text(byId("key-export"))).toBe("Export again…");
  });
});
