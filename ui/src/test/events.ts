// A stand-in for @tauri-apps/api/event in component tests, so a test can play the backend:
//   vi.mock("@tauri-apps/api/event", () => import("../../test/events"));
// then `emit("restore", "a line")` delivers to whatever the UI listens to.

type Handler = (event: { payload: unknown }) => void;

/** The UI's listeners, by event name. */
export const listeners = new Map<string, Handler>();

/** As Tauri's `listen`: registers the handler and returns its unlisten function. */
export async function listen(name: string, handler: Handler): Promise<() => void> {
  listeners.set(name, handler);
  return () => listeners.delete(name);
}

/** Delivers `payload` as the backend event `name`; fails the test when nothing listens. */
export function emit(name: string, payload: unknown): void {
  const handler = listeners.get(name);
  if (!handler) throw new Error(`nothing listens to "${name}" events`);
  handler({ payload });
}
