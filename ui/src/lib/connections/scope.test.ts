import { describe, expect, it } from "vitest";
import type { DatabaseChoice } from "../bindings";
import { savedConnection, serverConnection } from "../../test/fixtures";
import { choiceSize, choiceText, choicesSummary, parsePatterns, patternsSummary, scopeLabel } from "./scope";

const choice = (name: string, taken: boolean, reason: string | null = null, sizeBytes: number | null = 1_048_576) =>
  ({ name, sizeBytes, taken, reason }) satisfies DatabaseChoice;

describe("patterns", () => {
  it("splits on commas and lines only: a space inside a pattern stays", () => {
    expect(parsePatterns("a b, c\r\nd")).toEqual(["a b", "c", "d"]);
    expect(parsePatterns(" , \n ")).toEqual([]);
  });
});

describe("the list row", () => {
  it("says All databases for a whole-server connection, with its patterns in short", () => {
    const server = serverConnection({ scope: { allDatabases: true, include: ["shop_*"], exclude: ["*_test", "tmp"] } });
    expect(scopeLabel(server)).toBe("All databases");
    expect(patternsSummary(server.scope)).toBe("only shop_* · not *_test, tmp");
    expect(scopeLabel(savedConnection())).toBe("app");
    expect(patternsSummary(savedConnection().scope)).toBe("");
  });
});

describe("the database list", () => {
  it("says what each database is: taken, or left out and why, with its size", () => {
    expect(choiceText(choice("shop", true))).toBe("taken");
    expect(choiceText(choice("template1", false, "a template"))).toBe("left out: a template");
    expect(choiceSize(choice("shop", true))).toBe("1.0 MiB");
    expect(choiceSize(choice("shop", true, null, null))).toBe("—");
  });

  it("counts what a backup takes and its size on the server", () => {
    const summary = choicesSummary([
      choice("app", true),
      choice("shop", true, null, 2_097_152),
      choice("shop_test", false, 'excluded by "*_test"'),
    ]);
    expect(summary).toBe("A backup takes 2 of the server's 3 databases (3.0 MiB on the server).");
  });

  it("says a backup would be refused when nothing is taken", () => {
    expect(choicesSummary([choice("shop_test", false, 'excluded by "*_test"')])).toBe(
      "None of the server's 1 database is taken: a backup of this connection would be refused. Change the include or exclude patterns.",
    );
  });
});
