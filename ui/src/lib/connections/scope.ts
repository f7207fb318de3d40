// A connection's scope in the form: one database, or every database of its server chosen by
// include and exclude patterns; and the server's database list in words.
import type { DatabaseChoice, Scope } from "../bindings";
import { formatBytes } from "../backups/format";

/** The scope's part of the connection form: the patterns as typed, one text each. */
export interface ScopeFormState {
  /** "All databases on this server": the database field is then the maintenance database. */
  allDatabases: boolean;
  /** Comma- or line-separated glob patterns. */
  include: string;
  exclude: string;
}

export type PatternField = "include" | "exclude";

/** "shop_*, app\n  *_test" → ["shop_*", "app", "*_test"]: commas and lines separate, blanks drop. */
export function parsePatterns(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((p) => p.trim())
    .filter((p) => p !== "");
}

/** The patterns as the form shows them. */
export function patternsText(patterns: readonly string[]): string {
  return patterns.join(", ");
}

export function scopeForm(scope: Scope): ScopeFormState {
  return {
    allDatabases: scope.allDatabases,
    include: patternsText(scope.include),
    exclude: patternsText(scope.exclude),
  };
}

/**
 * What the commands take. Patterns typed before switching back to "This database" stay in the
 * form but are not sent: the backend refuses patterns on a one-database connection.
 */
export function buildScope(state: ScopeFormState): Scope {
  if (!state.allDatabases) return { allDatabases: false, include: [], exclude: [] };
  return { allDatabases: true, include: parsePatterns(state.include), exclude: parsePatterns(state.exclude) };
}

/**
 * Which pattern field a rejected pattern (invalid_pattern, one code for both lists) belongs
 * under, read from the backend's message: "The exclude pattern …", "101 exclude patterns …".
 */
export function patternFieldFor(message: string): PatternField {
  return /\bexclude pattern/i.test(message) ? "exclude" : "include";
}

/** The list row's database column: "All databases", or the connection's one database. */
export function scopeLabel(connection: { database: string; scope: Scope }): string {
  return connection.scope.allDatabases ? "All databases" : connection.database;
}

/** The patterns of a whole-server connection in short: "only shop_*, app · not *_test"; "" for none. */
export function patternsSummary(scope: Scope): string {
  if (!scope.allDatabases) return "";
  const parts: string[] = [];
  if (scope.include.length > 0) parts.push(`only ${scope.include.join(", ")}`);
  if (scope.exclude.length > 0) parts.push(`not ${scope.exclude.join(", ")}`);
  return parts.join(" · ");
}

/** A listed database's verdict: "taken", or "left out: a template". */
export function choiceText(choice: DatabaseChoice): string {
  return choice.taken ? "taken" : `left out: ${choice.reason ?? "not taken"}`;
}

/** A listed database's size on the server, "—" when unknown. */
export function choiceSize(choice: DatabaseChoice): string {
  return choice.sizeBytes === null ? "—" : formatBytes(choice.sizeBytes);
}

/** The line over the list: how many a backup would take, and how big they are on the server. */
export function choicesSummary(choices: readonly DatabaseChoice[]): string {
  const taken = choices.filter((c) => c.taken);
  const of = `${choices.length} ${choices.length === 1 ? "database" : "databases"}`;
  if (taken.length === 0) {
    return `None of the server's ${of} is taken: a backup of this connection would be refused. Change the include or exclude patterns.`;
  }
  const bytes = taken.reduce((sum, c) => sum + (c.sizeBytes ?? 0), 0);
  return `A backup takes ${taken.length} of the server's ${of} (${formatBytes(bytes)} on the server).`;
}
