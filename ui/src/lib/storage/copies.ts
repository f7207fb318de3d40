// Copies of backups in storage locations, in words: their states and tones, the order the
// Dashboard lists them in, what verifying one found, and a schedule's copy plan.
import type { Copy, CopyCheck, CopyPlan, CopyState, LocationId } from "../bindings";
import { formatBytes } from "../backups/format";

export const COPY_STATE_LABELS: Record<CopyState, string> = {
  pending: "Waiting",
  copying: "Copying",
  copied: "Copied",
  failed: "Failed",
  missing: "Missing",
  altered: "Altered",
};

export type CopyTone = "ok" | "problem" | "warning" | "active" | "neutral";

/**
 * A failed copy is red (it was never made); a missing or altered one amber (it was made, and a
 * scan or a verify found it gone or changed since: copy it again).
 */
export function copyTone(state: CopyState): CopyTone {
  switch (state) {
    case "copied":
      return "ok";
    case "failed":
      return "problem";
    case "missing":
    case "altered":
      return "warning";
    case "copying":
      return "active";
    case "pending":
      return "neutral";
  }
}

/** A copy that is not as it should be (as opposed to one not done yet). */
export function isBadCopy(state: CopyState): boolean {
  return state === "failed" || state === "missing" || state === "altered";
}

/** What went wrong with a copy in words; null for a copy that is fine or under way. */
export function copyProblemText(copy: Pick<Copy, "state" | "errorMessage">): string | null {
  if (copy.errorMessage) return copy.errorMessage;
  switch (copy.state) {
    case "failed":
      return "The copy failed.";
    case "missing":
      return "The copy's objects are no longer in the location.";
    case "altered":
      return "The copy's objects differ from what was stored.";
    default:
      return null;
  }
}

const ATTENTION_ORDER: Record<CopyState, number> = {
  failed: 0,
  altered: 1,
  missing: 2,
  copying: 3,
  pending: 4,
  copied: 5,
};

function when(copy: Pick<Copy, "finishedAt" | "startedAt">): number {
  const at = copy.finishedAt ?? copy.startedAt;
  const ms = at ? Date.parse(at) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

/** Failed, altered and missing copies first, then those under way and waiting; newest first in each. */
export function attentionOrder<T extends Pick<Copy, "state" | "finishedAt" | "startedAt" | "backupId">>(copies: readonly T[]): T[] {
  return [...copies].sort(
    (a, b) => ATTENTION_ORDER[a.state] - ATTENTION_ORDER[b.state] || when(b) - when(a) || b.backupId - a.backupId,
  );
}

/** "2 failed, 1 copying": how many copies in each state, bad ones first. */
export function attentionSummary(copies: readonly Pick<Copy, "state">[]): string {
  const counts = new Map<CopyState, number>();
  for (const copy of copies) counts.set(copy.state, (counts.get(copy.state) ?? 0) + 1);
  return (Object.keys(ATTENTION_ORDER) as CopyState[])
    .filter((state) => counts.has(state))
    .map((state) => `${counts.get(state)} ${COPY_STATE_LABELS[state].toLowerCase()}`)
    .join(", ");
}

/** "12.0 MiB of 40.0 MiB", or just the bytes sent when the total is not known. */
export function progressText(bytes: number, total: number | null): string {
  return total !== null && total > 0 ? `${formatBytes(bytes)} of ${formatBytes(total)}` : `${formatBytes(bytes)} sent`;
}

/** The share sent, 0 to 100, or null when the total is not known. */
export function progressPercent(bytes: number, total: number | null): number | null {
  if (total === null || total <= 0) return null;
  return Math.max(0, Math.min(100, Math.round((bytes / total) * 100)));
}

/** What reading a copy back found, in one line. */
export function copyCheckText(check: CopyCheck): string {
  if (check.ok) return `Copy verified: every object reads back as stored (${formatBytes(check.bytesRead)} read).`;
  const state = COPY_STATE_LABELS[check.state].toLowerCase();
  return `The copy is ${state}${check.problems.length > 0 ? `: ${check.problems.join("; ")}` : "."}`;
}

/** A schedule that copies nowhere: the plan a new schedule starts with. */
export const NO_COPIES: CopyPlan = { to: [], encrypt: false, keepLocal: true };

export function samePlan(a: CopyPlan, b: CopyPlan): boolean {
  return (
    a.encrypt === b.encrypt &&
    a.keepLocal === b.keepLocal &&
    a.to.length === b.to.length &&
    a.to.every((id, i) => id === b.to[i])
  );
}

/** A location's name for a plan; "#5" for one that is gone. */
function nameOf(names: ReadonlyMap<LocationId, string>, id: LocationId): string {
  return names.get(id) ?? `#${id}`;
}

/**
 * "Copies to nas, offsite · encrypted · local copy removed"; null for a plan that copies nowhere.
 */
export function planText(plan: CopyPlan, names: ReadonlyMap<LocationId, string>): string | null {
  if (plan.to.length === 0) return null;
  return [
    `Copies to ${plan.to.map((id) => nameOf(names, id)).join(", ")}`,
    ...(plan.encrypt ? ["encrypted"] : []),
    ...(plan.keepLocal ? [] : ["local copy removed"]),
  ].join(" · ");
}
