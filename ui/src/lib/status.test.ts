import { describe, expect, it } from "vitest";
import type { Problem } from "./bindings";
import { dockerDown, keyringLocked, okStatus, schemaTooNew } from "../test/fixtures";
import {
  databaseCard,
  dockerCard,
  keyringCard,
  loadingCards,
  overallSummary,
  statusCards,
} from "./status";

describe("statusCards", () => {
  it("turns an all-OK status into three OK cards, in order", () => {
    const cards = statusCards(okStatus());
    expect(cards.map((c) => c.key)).toEqual(["database", "docker", "keyring"]);
    expect(cards.map((c) => c.title)).toEqual(["Database", "Docker", "Keyring"]);
    expect(cards.every((c) => c.state === "ok" && c.problem === null)).toBe(true);
    expect(cards[0].summary).toBe("Schema version 4 of supported 4");
    expect(cards[0].detail).toBe("/home/ada/.local/share/db-backup-manager/app.db");
    expect(cards[1].summary).toBe("Docker 27.3.1 (API 1.47)");
    expect(cards[2].summary).toBe("Reachable");
    expect(cards[2].detail).toBe("Backend: Secret Service");
    expect(overallSummary(cards)).toBe("All checks passed");
  });
});

describe("databaseCard", () => {
  it("reports a database with a newer schema as a problem with message and fix", () => {
    const card = databaseCard({
      ...okStatus().database,
      schemaVersion: 7,
      problem: schemaTooNew,
    });
    expect(card.state).toBe("problem");
    expect(card.summary).toBe("Schema version 7 (supported: 4)");
    expect(card.problem?.message).toBe(schemaTooNew.message);
    expect(card.problem?.fix).toBe(schemaTooNew.fix);
  });

  it("says when the schema version is unknown", () => {
    const card = databaseCard({
      ...okStatus().database,
      schemaVersion: null,
      problem: { code: "database_open_failed", message: "Cannot open the database file.", fix: "Check permissions." },
    });
    expect(card.state).toBe("problem");
    expect(card.summary).toBe("Schema version unknown (supported: 4)");
  });
});

describe("dockerCard", () => {
  it("shows an unreachable Docker's message and fix", () => {
    const card = dockerCard({ version: null, apiVersion: null, problem: dockerDown });
    expect(card.state).toBe("problem");
    expect(card.summary).toBe("Not reachable");
    expect(card.problem).toEqual(dockerDown);
  });

  it("keeps the version when Docker answered but has a problem", () => {
    const problem: Problem = { code: "app_error", message: "Docker is too old.", fix: "Update Docker." };
    const card = dockerCard({ version: "19.03.0", apiVersion: "1.40", problem });
    expect(card.state).toBe("problem");
    expect(card.summary).toBe("Docker 19.03.0 (API 1.40)");
  });

  it("leaves out the API part when it is unknown", () => {
    expect(dockerCard({ version: "27.0.0", apiVersion: null, problem: null }).summary).toBe("Docker 27.0.0");
  });
});

describe("keyringCard", () => {
  it("shows a locked keyring as a problem, keeping the backend name", () => {
    const card = keyringCard({ backend: "Secret Service", problem: keyringLocked });
    expect(card.state).toBe("problem");
    expect(card.summary).toBe("Not usable");
    expect(card.detail).toBe("Backend: Secret Service");
    expect(card.problem?.message).toBe("The system keyring is locked.");
    expect(card.problem?.fix).toBe("Unlock your login keyring, then press Refresh.");
  });
});

describe("overallSummary", () => {
  it("counts the checks that need attention", () => {
    const status = okStatus();
    status.docker = { version: null, apiVersion: null, problem: dockerDown };
    expect(overallSummary(statusCards(status))).toBe("1 check needs attention");
    status.keyring = { backend: "Secret Service", problem: keyringLocked };
    expect(overallSummary(statusCards(status))).toBe("2 checks need attention");
  });
});

describe("loadingCards", () => {
  it("gives one loading card per check", () => {
    const cards = loadingCards();
    expect(cards.map((c) => [c.key, c.state])).toEqual([
      ["database", "loading"],
      ["docker", "loading"],
      ["keyring", "loading"],
    ]);
  });
});
