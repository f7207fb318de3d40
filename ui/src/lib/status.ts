// Pure functions that turn a SystemStatus (from Rust) into what the Dashboard shows.
import type { Problem, SystemStatus } from "./bindings";

export type CardKey = "database" | "docker" | "keyring";
export type CardState = "ok" | "problem" | "loading";

export interface StatusCardModel {
  key: CardKey;
  title: string;
  state: CardState;
  /** One short line: what was found. */
  summary: string;
  /** Secondary, technical detail (a path, a backend name); may be empty. */
  detail: string;
  /** Set when state is "problem". */
  problem: Problem | null;
}

const TITLES: Record<CardKey, string> = {
  database: "Database",
  docker: "Docker",
  keyring: "Keyring",
};

const CARD_KEYS: CardKey[] = ["database", "docker", "keyring"];

function stateOf(problem: Problem | null): CardState {
  return problem ? "problem" : "ok";
}

export function databaseCard(db: SystemStatus["database"]): StatusCardModel {
  let summary: string;
  if (db.schemaVersion === null) {
    summary = `Schema version unknown (supported: ${db.supportedSchemaVersion})`;
  } else if (db.problem) {
    summary = `Schema version ${db.schemaVersion} (supported: ${db.supportedSchemaVersion})`;
  } else {
    summary = `Schema version ${db.schemaVersion} of supported ${db.supportedSchemaVersion}`;
  }
  return {
    key: "database",
    title: TITLES.database,
    state: stateOf(db.problem),
    summary,
    detail: db.path,
    problem: db.problem,
  };
}

export function dockerCard(docker: SystemStatus["docker"]): StatusCardModel {
  let summary: string;
  if (docker.version !== null) {
    const api = docker.apiVersion !== null ? ` (API ${docker.apiVersion})` : "";
    summary = `Docker ${docker.version}${api}`;
  } else {
    summary = docker.problem ? "Not reachable" : "Reachable, version unknown";
  }
  return {
    key: "docker",
    title: TITLES.docker,
    state: stateOf(docker.problem),
    summary,
    detail: "",
    problem: docker.problem,
  };
}

export function keyringCard(keyring: SystemStatus["keyring"]): StatusCardModel {
  return {
    key: "keyring",
    title: TITLES.keyring,
    state: stateOf(keyring.problem),
    summary: keyring.problem ? "Not usable" : "Reachable",
    detail: keyring.backend ? `Backend: ${keyring.backend}` : "",
    problem: keyring.problem,
  };
}

export function statusCards(status: SystemStatus): StatusCardModel[] {
  return [databaseCard(status.database), dockerCard(status.docker), keyringCard(status.keyring)];
}

export function loadingCards(): StatusCardModel[] {
  return CARD_KEYS.map((key) => ({
    key,
    title: TITLES[key],
    state: "loading",
    summary: "Checking…",
    detail: "",
    problem: null,
  }));
}

/** A one-line verdict over all cards, e.g. "All checks passed" or "2 checks need attention". */
export function overallSummary(cards: StatusCardModel[]): string {
  const problems = cards.filter((c) => c.state === "problem").length;
  if (problems === 0) return "All checks passed";
  return problems === 1 ? "1 check needs attention" : `${problems} checks need attention`;
}
