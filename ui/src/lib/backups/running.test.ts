import { afterEach, describe, expect, it, vi } from "vitest";
import type { BackupEvent } from "../bindings";
import { backupRecord } from "../../test/fixtures";
import { RunningBackups } from "./running.svelte";

const listen = vi.hoisted(() => vi.fn());
vi.mock("@tauri-apps/api/event", () => ({ listen }));

afterEach(() => {
  listen.mockReset();
});

describe("RunningBackups", () => {
  it("tracks runs by connection and tells subscribers when one finishes", () => {
    const store = new RunningBackups();
    const finished = vi.fn();
    const stop = store.onFinished(finished);

    store.handle({ kind: "started", backupId: 8, connectionId: 2 });
    store.handle({ kind: "stage", backupId: 8, text: "Choosing pg_dump" });
    expect(store.runs).toHaveLength(1);
    expect(store.forConnection(2)?.stage).toBe("Choosing pg_dump");
    expect(store.forConnection(1)).toBeUndefined();

    const record = backupRecord({ id: 8, connectionId: 2 });
    store.handle({ kind: "finished", backup: record });
    expect(store.runs).toHaveLength(0);
    expect(finished).toHaveBeenCalledExactlyOnceWith(record);

    stop();
    store.handle({ kind: "finished", backup: backupRecord({ id: 9 }) });
    expect(finished).toHaveBeenCalledTimes(1);
  });

  it("listens to the backend's backup events and stops on request", async () => {
    const unlisten = vi.fn();
    let deliver: ((e: { payload: BackupEvent }) => void) | undefined;
    listen.mockImplementation(async (name: string, handler: typeof deliver) => {
      expect(name).toBe("backup");
      deliver = handler;
      return unlisten;
    });
    const store = new RunningBackups();

    const stop = store.start();
    await vi.waitFor(() => expect(deliver).toBeDefined());
    deliver!({ payload: { kind: "started", backupId: 1, connectionId: 4 } });
    expect(store.forConnection(4)?.backupId).toBe(1);

    stop();
    await vi.waitFor(() => expect(unlisten).toHaveBeenCalledTimes(1));
  });

  it("is quiet outside the desktop app, where listening fails", async () => {
    listen.mockRejectedValue(new TypeError("window.__TAURI_INTERNALS__ is undefined"));
    const store = new RunningBackups();
    const stop = store.start();
    await Promise.resolve();
    expect(() => stop()).not.toThrow();
    expect(store.runs).toEqual([]);
  });

  it("unlistens even when stopped before listening was set up", async () => {
    const unlisten = vi.fn();
    let resolve!: (fn: () => void) => void;
    listen.mockReturnValue(new Promise((r) => (resolve = r)));
    const stop = new RunningBackups().start();
    stop();
    resolve(unlisten);
    await vi.waitFor(() => expect(unlisten).toHaveBeenCalledTimes(1));
  });
});
