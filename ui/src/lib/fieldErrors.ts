// The errors a form shows under its fields: a message per field, kept as a plain record, and
// the aria-describedby that points a field at its error and hints.

export type FieldErrors<K extends string> = Partial<Record<K, string>>;

/** `errors` without the messages of `fields`; `errors` itself when none of them had one. */
export function withoutErrors<K extends string>(errors: FieldErrors<K>, ...fields: K[]): FieldErrors<K> {
  if (!fields.some((field) => errors[field])) return errors;
  const next = { ...errors };
  for (const field of fields) delete next[field];
  return next;
}

/** An aria-describedby value: the error's id when it is shown, then the hints'; undefined for none. */
export function describedByIds(errorId: string | null, ...hints: string[]): string | undefined {
  const ids = [...(errorId ? [errorId] : []), ...hints];
  return ids.length ? ids.join(" ") : undefined;
}
