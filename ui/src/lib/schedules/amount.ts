// Lengths of time as the schedule form shows them: an amount as typed in a unit ⇄ whole seconds.
// Shared by the alert threshold, the proof interval and the run limits.

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** A unit a length of time can be typed in. */
export interface TimeUnit<U extends string = string> {
  unit: U;
  label: string;
  seconds: number;
}

/** Digits with at most one point: "2", "1.5", ".5"; no signs or exponents. */
const AMOUNT = /^(\d+(\.\d*)?|\.\d+)$/;

/**
 * Whole seconds as an amount of a unit, with as many decimals as the unit has digits: enough to
 * read back to the same whole second (3600 s is "0.04167" days).
 */
export function amountOf(seconds: number, unitSeconds: number): string {
  const scale = 10 ** String(unitSeconds).length;
  return String(Math.round((seconds / unitSeconds) * scale) / scale);
}

/**
 * A saved length as a field shows it: in the largest of `units` (smallest first) it divides
 * into, else in the smallest; null is an empty field in `emptyUnit`.
 */
export function amountToForm<U extends string>(
  seconds: number | null,
  units: readonly TimeUnit<U>[],
  emptyUnit: U,
): { amount: string; unit: U } {
  if (seconds === null) return { amount: "", unit: emptyUnit };
  const fits = [...units].reverse().find((u) => seconds > 0 && seconds % u.seconds === 0) ?? units[0];
  return { amount: amountOf(seconds, fits.seconds), unit: fits.unit };
}

/**
 * The typed amount in whole seconds: "" → null, "1.5" hours → 5400. What is not a plain number
 * is refused with `message`; the backend checks the range.
 */
export function secondsFromAmount(text: string, unitSeconds: number, message: string): Parsed<number | null> {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: true, value: null };
  if (!AMOUNT.test(trimmed)) return { ok: false, message };
  return { ok: true, value: Math.round(Number(trimmed) * unitSeconds) };
}
