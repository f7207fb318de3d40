import { describe, expect, it } from "vitest";
import type { BackupEvent } from "../bindings";
import { backupRecord } from "../../test/fixtures";
import { emptyRunning, progressText, reduceRunning, runOf, runningLine, stageText, type RunningState } from "./events";

const MiB = 1024 * 1024;

function play(events: BackupEvent[], from: RunningState = emptyRunning()): RunningState {
  return events.reduce(reduceRunning, from);
}

describe("reduceRunning", () => {
  it("follows a run from started through stage and progress to finished", () => {
    let state = play([{ kind: "started", backupId: 42, connectionId: 1 }]);
    expect(state.runs).toEqual([
      { backupId: 42, connectionId: 1, stage: null, bytes: null, elapsedMs: null, bytesPerSecond: null },
    ]);

    state = play([{ kind: "stage", backupId: 42, text: "Detecting the server version" }], state);
    state = play([{ kind: "stage", backupId: 42, text: "Dumping with pg_dump 16.4 (postgres:16)" }], state);
    expect(state.runs[0].stage).toBe("Dumping with pg_dump 16.4 (postgres:16)");

    state = play([{ kind: "progress", backupId: 42, bytes: 12 * MiB, elapsedMs: 4000, bytesPerSecond: 3 * MiB }], state);
    expect(state.runs[0]).toMatchObject({ bytes: 12 * MiB, elapsedMs: 4000, bytesPerSecond: 3 * MiB });
    expect(runOf(state, 1)?.backupId).toBe(42);

    state = play([{ kind: "finished", backup: backupRecord({ id: 42 }) }], state);
    expect(state.runs).toEqual([]);
    expect(runOf(state, 1)).toBeUndefined();
    expect(state.finished).toEqual([42]);
  });

  it("keeps runs of different connections apart, in start order", () => {
    const state = play([
      { kind: "started", backupId: 1, connectionId: 10 },
      { kind: "started", backupId: 2, connectionId: 20 },
      { kind: "stage", backupId: 1, text: "Choosing pg_dump" },
      { kind: "progress", backupId: 2, bytes: 100, elapsedMs: 10, bytesPerSecond: 10_000 },
    ]);
    expect(state.runs.map((r) => r.backupId)).toEqual([1, 2]);
    expect(runOf(state, 10)?.stage).toBe("Choosing pg_dump");
    expect(runOf(state, 10)?.bytes).toBeNull();
    expect(runOf(state, 20)?.bytes).toBe(100);
    expect(runOf(state, 30)).toBeUndefined();

    const after = play([{ kind: "finished", backup: backupRecord({ id: 1, connectionId: 10 }) }], state);
    expect(after.runs.map((r) => r.backupId)).toEqual([2]);
  });

  it("adds a run whose start it missed, without a connection until told", () => {
    const state = play([{ kind: "progress", backupId: 5, bytes: 2048, elapsedMs: 500, bytesPerSecond: 4096 }]);
    expect(state.runs).toHaveLength(1);
    expect(state.runs[0]).toMatchObject({ backupId: 5, connectionId: null, bytes: 2048 });
  });

  it("ignores a late event of a finished run, and a repeated finish", () => {
    const done = play([
      { kind: "started", backupId: 3, connectionId: 1 },
      { kind: "finished", backup: backupRecord({ id: 3 }) },
    ]);
    const late = play([{ kind: "progress", backupId: 3, bytes: 1, elapsedMs: 1, bytesPerSecond: 1 }], done);
    expect(late).toBe(done);
    expect(play([{ kind: "finished", backup: backupRecord({ id: 3 }) }], done)).toBe(done);
  });

  it("does not change the state it was given", () => {
    const before = play([{ kind: "started", backupId: 1, connectionId: 1 }]);
    const copy = structuredClone(before);
    play([{ kind: "stage", backupId: 1, text: "x" }], before);
    expect(before).toEqual(copy);
  });
});

describe("running lines", () => {
  const run = {
    backupId: 1,
    connectionId: 1,
    stage: "Dumping with pg_dump 16.4 (postgres:16)",
    bytes: 12.4 * MiB,
    elapsedMs: 4000,
    bytesPerSecond: 3.1 * MiB,
  };

  it("shows the stage, or Starting… before the first", () => {
    expect(stageText(run)).toBe("Dumping with pg_dump 16.4 (postgres:16)");
    expect(stageText({ stage: null })).toBe("Starting…");
    expect(stageText(undefined)).toBe("Starting…");
  });

  it("shows bytes written, rate and time once progress arrives", () => {
    expect(progressText(run)).toBe("12.4 MiB written · 3.1 MiB/s · 4 s");
    expect(progressText({ ...run, bytes: null })).toBe("");
    expect(runningLine(run)).toBe("Dumping with pg_dump 16.4 (postgres:16) — 12.4 MiB written · 3.1 MiB/s · 4 s");
    expect(runningLine({ ...run, stage: null, bytes: null })).toBe("Starting…");
  });
});
