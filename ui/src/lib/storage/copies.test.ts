import { describe, expect, it } from "vitest";
import { copyRecord } from "../../test/fixtures";
import {
  attentionOrder,
  attentionSummary,
  copyCheckText,
  copyProblemText,
  copyTone,
  planText,
  progressPercent,
  progressText,
  samePlan,
} from "./copies";

describe("copy states", () => {
  it("tones a failed copy red, a missing or altered one amber, a done one green", () => {
    expect(copyTone("failed")).toBe("problem");
    expect(copyTone("missing")).toBe("warning");
    expect(copyTone("altered")).toBe("warning");
    expect(copyTone("copied")).toBe("ok");
    expect(copyTone("copying")).toBe("active");
    expect(copyTone("pending")).toBe("neutral");
  });

  it("says what went wrong, in the app's words when it has some", () => {
    expect(copyProblemText(copyRecord({ state: "failed", errorMessage: "nas is full." }))).toBe("nas is full.");
    expect(copyProblemText(copyRecord({ state: "missing" }))).toBe("The copy's objects are no longer in the location.");
    expect(copyProblemText(copyRecord({ state: "copied" }))).toBeNull();
  });
});

describe("attentionOrder", () => {
  it("puts failed, altered and missing copies before those under way or waiting, newest first", () => {
    const copies = [
      copyRecord({ backupId: 1, state: "pending", finishedAt: null, startedAt: null }),
      copyRecord({ backupId: 2, state: "missing", finishedAt: "2026-05-01T10:00:00Z" }),
      copyRecord({ backupId: 3, state: "copying", finishedAt: null, startedAt: "2026-05-02T10:00:00Z" }),
      copyRecord({ backupId: 4, state: "failed", finishedAt: "2026-05-01T10:00:00Z" }),
      copyRecord({ backupId: 5, state: "failed", finishedAt: "2026-05-03T10:00:00Z" }),
      copyRecord({ backupId: 6, state: "altered", finishedAt: "2026-04-01T10:00:00Z" }),
    ];
    expect(attentionOrder(copies).map((c) => c.backupId)).toEqual([5, 4, 6, 2, 3, 1]);
    expect(attentionSummary(copies)).toBe("2 failed, 1 altered, 1 missing, 1 copying, 1 waiting");
  });
});

describe("progress and checks", () => {
  it("tells the bytes sent against the backup's size", () => {
    expect(progressText(512 * 1024, 2 * 1024 * 1024)).toBe("512 KiB of 2.0 MiB");
    expect(progressText(2048, null)).toBe("2.0 KiB sent");
    expect(progressPercent(512, 2048)).toBe(25);
    expect(progressPercent(4096, 2048)).toBe(100);
    expect(progressPercent(512, null)).toBeNull();
  });

  it("says what reading a copy back found", () => {
    expect(copyCheckText({ ok: true, state: "copied", problems: [], bytesRead: 2048 })).toBe(
      "Copy verified: every object reads back as stored (2.0 KiB read).",
    );
    expect(
      copyCheckText({ ok: false, state: "altered", problems: ["app.dump: SHA-256 differs", "globals.sql: size differs"], bytesRead: 10 }),
    ).toBe("The copy is altered: app.dump: SHA-256 differs; globals.sql: size differs");
  });
});

describe("copy plans", () => {
  const names = new Map([
    [1, "nas"],
    [2, "offsite"],
  ]);

  it("sums a plan up in a line, naming locations that are gone by id", () => {
    expect(planText({ to: [], encrypt: true, keepLocal: true }, names)).toBeNull();
    expect(planText({ to: [1, 2], encrypt: true, keepLocal: true }, names)).toBe("Copies to nas, offsite · encrypted");
    expect(planText({ to: [2, 9], encrypt: false, keepLocal: false }, names)).toBe("Copies to offsite, #9 · local copy removed");
  });

  it("compares plans, the order of the locations included", () => {
    expect(samePlan({ to: [1, 2], encrypt: true, keepLocal: true }, { to: [1, 2], encrypt: true, keepLocal: true })).toBe(true);
    expect(samePlan({ to: [1, 2], encrypt: true, keepLocal: true }, { to: [2, 1], encrypt: true, keepLocal: true })).toBe(false);
    expect(samePlan({ to: [1], encrypt: true, keepLocal: true }, { to: [1], encrypt: false, keepLocal: true })).toBe(false);
    expect(samePlan({ to: [1], encrypt: true, keepLocal: true }, { to: [1], encrypt: true, keepLocal: false })).toBe(false);
  });
});
