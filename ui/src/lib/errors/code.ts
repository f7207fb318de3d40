// The one name for an error code in the UI. Every branch on a code (a comparison, a map's key)
// goes through it, so that once bindings.ts lists the codes as a union, a misspelled or removed
// code fails svelte-check instead of quietly never matching.
import type { AppError } from "../bindings";

/** What went wrong, as the app names it: "invalid_host", "tls_required", "backup_not_found", … */
export type ErrorCode = AppError["code"];
