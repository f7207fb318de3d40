// The schedule form's "Checks and hooks": proof by restore, run limits and hooks, as form state
// ⇄ the schedule's fields. Only what the form can tell is wrong is refused here; the backend
// checks ranges and lengths.
import type { Hooks, Schedule } from "../bindings";
import { amountToForm, secondsFromAmount, type Parsed, type TimeUnit } from "./amount";

const DAY = 86_400;
/** New schedules verify their newest backup weekly, as the backend does when asked nothing. */
export const DEFAULT_VERIFY_EVERY = 7 * DAY;
/** How long a hook may take when the schedule does not say (the backend's default). */
export const DEFAULT_HOOK_TIMEOUT_SECONDS = 10;

export type VerifyChoice = "never" | "daily" | "weekly" | "custom";

/** The proof intervals the form offers; "custom" takes a number of days. */
export const VERIFY_CHOICES: readonly { choice: VerifyChoice; label: string; seconds: number | null }[] = [
  { choice: "never", label: "Never", seconds: null },
  { choice: "daily", label: "Daily", seconds: DAY },
  { choice: "weekly", label: "Weekly", seconds: DEFAULT_VERIFY_EVERY },
  { choice: "custom", label: "Every … days", seconds: null },
];

export type LimitUnit = "minutes" | "hours";

export const LIMIT_UNITS: readonly TimeUnit<LimitUnit>[] = [
  { unit: "minutes", label: "minutes", seconds: 60 },
  { unit: "hours", label: "hours", seconds: 3600 },
];

const MINUTES = [LIMIT_UNITS[0]];
const DAYS: readonly TimeUnit<"days">[] = [{ unit: "days", label: "days", seconds: DAY }];

export interface ChecksFormState {
  verifyEvery: VerifyChoice;
  /** The days between proofs for "custom", as typed. */
  verifyDays: string;
  /** Minutes as typed; "" for the app's setting. */
  stallAfter: string;
  /** "" for no limit. */
  timeLimit: string;
  timeLimitUnit: LimitUnit;
  pingUrl: string;
  onSuccessUrl: string;
  onFailureUrl: string;
  onFinishCmd: string;
  /** Whole seconds as typed; "" for the default. */
  hookTimeout: string;
}

/** The fields of the section an error can be shown under; "hooks" is the hooks as a group. */
export type ChecksField =
  | "verifyEvery"
  | "stallAfter"
  | "timeLimit"
  | "hooks"
  | "pingUrl"
  | "onSuccessUrl"
  | "onFailureUrl"
  | "onFinishCmd"
  | "hookTimeout";

export const CHECKS_FIELDS: readonly ChecksField[] = [
  "verifyEvery",
  "stallAfter",
  "timeLimit",
  "hooks",
  "pingUrl",
  "onSuccessUrl",
  "onFailureUrl",
  "onFinishCmd",
  "hookTimeout",
];

/** What the section adds to a ScheduleInput. */
export interface Checks {
  verifyEverySeconds: number | null;
  stallAfterSeconds: number | null;
  timeLimitSeconds: number | null;
  hooks: Required<Hooks>;
}

export function emptyChecksForm(): ChecksFormState {
  return {
    verifyEvery: "weekly",
    verifyDays: "",
    stallAfter: "",
    timeLimit: "",
    timeLimitUnit: "minutes",
    pingUrl: "",
    onSuccessUrl: "",
    onFailureUrl: "",
    onFinishCmd: "",
    hookTimeout: "",
  };
}

/** A saved interval as a choice: the named ones by name, any other as a number of days. */
export function verifyToForm(seconds: number | null): { choice: VerifyChoice; days: string } {
  const named = VERIFY_CHOICES.find((c) => c.seconds === seconds && c.choice !== "custom");
  if (named) return { choice: named.choice, days: "" };
  return { choice: "custom", days: amountToForm(seconds, DAYS, "days").amount };
}

export function checksToForm(
  schedule: Pick<Schedule, "verifyEverySeconds" | "stallAfterSeconds" | "timeLimitSeconds" | "hooks">,
): ChecksFormState {
  const verify = verifyToForm(schedule.verifyEverySeconds);
  const limit = amountToForm(schedule.timeLimitSeconds, LIMIT_UNITS, "minutes");
  const hooks = schedule.hooks;
  return {
    verifyEvery: verify.choice,
    verifyDays: verify.days,
    stallAfter: amountToForm(schedule.stallAfterSeconds, MINUTES, "minutes").amount,
    timeLimit: limit.amount,
    timeLimitUnit: limit.unit,
    pingUrl: hooks.pingUrl ?? "",
    onSuccessUrl: hooks.onSuccessUrl ?? "",
    onFailureUrl: hooks.onFailureUrl ?? "",
    onFinishCmd: hooks.onFinishCmd ?? "",
    hookTimeout: hooks.timeoutSeconds == null ? "" : String(hooks.timeoutSeconds),
  };
}

/** Whether anything differs from a new schedule's: the section then opens by itself. */
export function hasOwnChecks(form: ChecksFormState): boolean {
  const empty = emptyChecksForm();
  return (Object.keys(empty) as (keyof ChecksFormState)[]).some(
    (key) => key !== "timeLimitUnit" && form[key].trim() !== empty[key],
  );
}

/** "Verify weekly · 2 hooks": what the closed section holds, from what is typed. */
export function checksSummary(form: ChecksFormState): string {
  const verify =
    form.verifyEvery === "never"
      ? "No verify by restore"
      : form.verifyEvery === "custom"
        ? `Verify every ${form.verifyDays.trim() || "…"} days`
        : `Verify ${form.verifyEvery}`;
  const limits = [form.stallAfter, form.timeLimit].filter((t) => t.trim() !== "").length;
  const hooks = [form.pingUrl, form.onSuccessUrl, form.onFailureUrl, form.onFinishCmd].filter(
    (t) => t.trim() !== "",
  ).length;
  return [
    verify,
    limits === 0 ? null : limits === 1 ? "1 limit" : `${limits} limits`,
    hooks === 0 ? "no hooks" : hooks === 1 ? "1 hook" : `${hooks} hooks`,
  ]
    .filter((part) => part !== null)
    .join(" · ");
}

/** A hook's address: "" → null; else it must be a full http(s) address without spaces. */
export function hookUrlFromForm(text: string): Parsed<string | null> {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: true, value: null };
  if (!/^https?:\/\/[^\s/]\S*$/i.test(trimmed)) {
    return {
      ok: false,
      message: "Enter a full address that starts with http:// or https://, without spaces, e.g. https://hc-ping.com/<uuid>.",
    };
  }
  return { ok: true, value: trimmed };
}

function verifyFromForm(form: ChecksFormState): Parsed<number | null> {
  if (form.verifyEvery !== "custom") {
    return { ok: true, value: VERIFY_CHOICES.find((c) => c.choice === form.verifyEvery)?.seconds ?? null };
  }
  const days = secondsFromAmount(form.verifyDays, DAY, "Enter a number of days, e.g. 3.");
  if (days.ok && days.value === null) {
    return { ok: false, message: "Enter how many days apart to verify, or choose Never." };
  }
  return days;
}

function hookTimeoutFromForm(text: string): Parsed<number | null> {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: true, value: null };
  if (!/^\d+$/.test(trimmed)) {
    return {
      ok: false,
      message: `Enter a whole number of seconds, or leave it empty for ${DEFAULT_HOOK_TIMEOUT_SECONDS} seconds.`,
    };
  }
  return { ok: true, value: Number(trimmed) };
}

/** The section's fields for a ScheduleInput, or the first one the form can tell is wrong. */
export function checksFromForm(form: ChecksFormState): { value: Checks } | { field: ChecksField; message: string } {
  const verify = verifyFromForm(form);
  if (!verify.ok) return { field: "verifyEvery", message: verify.message };
  const stall = secondsFromAmount(
    form.stallAfter,
    MINUTES[0].seconds,
    "Enter a number of minutes, or leave it empty for the app's setting.",
  );
  if (!stall.ok) return { field: "stallAfter", message: stall.message };
  const unit = LIMIT_UNITS.find((u) => u.unit === form.timeLimitUnit) ?? LIMIT_UNITS[0];
  const limit = secondsFromAmount(
    form.timeLimit,
    unit.seconds,
    `Enter a number of ${unit.label}, or leave it empty for no limit.`,
  );
  if (!limit.ok) return { field: "timeLimit", message: limit.message };
  const ping = hookUrlFromForm(form.pingUrl);
  if (!ping.ok) return { field: "pingUrl", message: ping.message };
  const success = hookUrlFromForm(form.onSuccessUrl);
  if (!success.ok) return { field: "onSuccessUrl", message: success.message };
  const failure = hookUrlFromForm(form.onFailureUrl);
  if (!failure.ok) return { field: "onFailureUrl", message: failure.message };
  const timeout = hookTimeoutFromForm(form.hookTimeout);
  if (!timeout.ok) return { field: "hookTimeout", message: timeout.message };
  return {
    value: {
      verifyEverySeconds: verify.value,
      stallAfterSeconds: stall.value,
      timeLimitSeconds: limit.value,
      hooks: {
        pingUrl: ping.value,
        onSuccessUrl: success.value,
        onFailureUrl: failure.value,
        onFinishCmd: form.onFinishCmd.trim() === "" ? null : form.onFinishCmd.trim(),
        timeoutSeconds: timeout.value,
      },
    },
  };
}

/**
 * Which hook field a rejected hook (invalid_hook, one code for all of them) belongs under, read
 * from the start of the backend's message; the hooks as a group when it names none.
 */
export function hookFieldFor(message: string): ChecksField {
  const starts: [RegExp, ChecksField][] = [
    [/^the ping url/i, "pingUrl"],
    [/^the success url/i, "onSuccessUrl"],
    [/^the failure url/i, "onFailureUrl"],
    [/^the command/i, "onFinishCmd"],
    [/^a hook timeout/i, "hookTimeout"],
  ];
  return starts.find(([start]) => start.test(message.trim()))?.[1] ?? "hooks";
}
