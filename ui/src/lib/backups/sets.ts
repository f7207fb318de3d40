// Server sets (a whole server's databases and globals in one backup) in words.
import type { Backup, SetPart } from "../bindings";
import { formatBytes } from "./format";

export function isSet(backup: Pick<Backup, "kind">): boolean {
  return backup.kind === "server";
}

/** The databases of a set that were dumped: the ones that can be restored. */
export function completedParts(backup: Pick<Backup, "parts">): SetPart[] {
  return backup.parts.filter((p) => p.status === "completed");
}

/** "Server set · 4 of 5 databases": how much of the server the set holds. */
export function setSummary(backup: Pick<Backup, "parts">): string {
  const total = backup.parts.length;
  return `Server set · ${completedParts(backup).length} of ${total} ${total === 1 ? "database" : "databases"}`;
}

/** "Set · 4 of 5": the same, short enough for the Backups table's connection column. */
export function setBadge(backup: Pick<Backup, "parts">): string {
  return `Set · ${completedParts(backup).length} of ${backup.parts.length}`;
}

/** A part's archive size, "—" before it has one. */
export function partSizeText(part: Pick<SetPart, "sizeBytes">): string {
  return part.sizeBytes === null ? "—" : formatBytes(part.sizeBytes);
}

/** Its file can be verified, copied and restored: a completed backup, or a partial set's dumped part. */
export function hasUsableFile(backup: Pick<Backup, "status" | "kind" | "filePath">): boolean {
  const usable = backup.status === "completed" || (isSet(backup) && backup.status === "partial");
  return usable && backup.filePath !== null;
}
