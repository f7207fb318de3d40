// Pure logic of restoring a server set: the whole server (its roles, then every database) or one
// of its databases; what is sent, errors → fields, and the outcome in words.
import type { Backup, SetRestoreOutcome, SetRestoreRequest } from "../bindings";
import { fieldForCode } from "../errors/fields";
import { formatSeconds } from "./format";
import { completedParts } from "./sets";

export interface SetChoice {
  /** Every database of the set into the server, or one of them (`part`). */
  whole: boolean;
  /** The database restored alone: a completed part's name. */
  part: string;
  /** The whole server: create the roles the server lacks from the set's globals. */
  globals: boolean;
  /** The whole server: replace the databases the server already has. */
  force: boolean;
}

/** The set's globals can be restored: they were dumped. */
export function hasGlobals(backup: Pick<Backup, "globals">): boolean {
  return backup.globals?.status === "completed";
}

/** The dialog's start for a set: the whole server, its missing roles created, nothing replaced. */
export function defaultSetChoice(backup: Pick<Backup, "parts" | "globals">): SetChoice {
  return {
    whole: true,
    part: completedParts(backup)[0]?.database ?? "",
    globals: hasGlobals(backup),
    force: false,
  };
}

/** The fields a whole set's restore can be refused at. */
export type SetRestoreField = "connection" | "force";

/** The field an error belongs at, or null for one about the whole restore (see errors/fields.ts). */
export function fieldForSetRestoreError(code: string | null): SetRestoreField | null {
  return fieldForCode("setRestore", code);
}

/** What "Restore server" sends, or the field the dialog can already tell is wrong. */
export function buildSetRestoreRequest(
  backup: Pick<Backup, "id" | "globals">,
  connectionId: string,
  choice: SetChoice,
): { request: SetRestoreRequest } | { field: SetRestoreField; message: string } {
  if (connectionId === "") return { field: "connection", message: "Choose the connection whose server receives the set." };
  return {
    request: {
      backupId: backup.id,
      connectionId: Number(connectionId),
      globals: hasGlobals(backup) && choice.globals,
      force: choice.force,
    },
  };
}

/** "Restored 4 databases in 12.0 s: app, shop, shop_eu, analytics". */
export function setRestoreOutcomeText(outcome: SetRestoreOutcome): string {
  const count = outcome.databases.length;
  const names = outcome.databases.map((d) => d.database).join(", ");
  const what = `${count} ${count === 1 ? "database" : "databases"}`;
  return `Restored ${what} in ${formatSeconds(outcome.seconds)}${count > 0 ? `: ${names}` : ""}`;
}

/** What became of the set's roles: created, kept as the server had them, or not asked for. */
export function rolesText(outcome: SetRestoreOutcome, globals: boolean): string {
  if (!globals) return "Roles were not restored: the server's roles are as they were.";
  const said: string[] = [];
  const created = outcome.rolesCreated;
  const kept = outcome.rolesKept;
  if (created.length > 0) said.push(`Created ${created.length === 1 ? "1 role" : `${created.length} roles`}: ${created.join(", ")}.`);
  if (kept.length > 0) said.push(`Kept ${kept.length === 1 ? "1 role" : `${kept.length} roles`} the server had: ${kept.join(", ")}.`);
  return said.length > 0 ? said.join(" ") : "The set's globals created no role.";
}
