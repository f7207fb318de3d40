// What a command rejected with, as the UI shows it: a code to branch on (when the app gave one)
// and a message for the user.
import type { AppError } from "../bindings";
import type { ErrorCode } from "./code";

/** An error as the UI shows it; `code` is null when the rejection was not the app's own error. */
export interface DescribedError {
  code: ErrorCode | null;
  message: string;
}

function isAppError(e: unknown): e is AppError {
  return (
    typeof e === "object" &&
    e !== null &&
    typeof (e as AppError).code === "string" &&
    typeof (e as AppError).message === "string"
  );
}

/** Turns whatever a command rejected with into something to show. */
export function describeError(e: unknown): DescribedError {
  if (isAppError(e)) return { code: e.code, message: e.message };
  if (e instanceof Error) return { code: null, message: e.message };
  if (typeof e === "string" && e.trim() !== "") return { code: null, message: e };
  return { code: null, message: "Unknown error." };
}
