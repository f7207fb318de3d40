// Listening to the backend's events from anywhere in the UI, quietly outside the desktop app.
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

/**
 * Calls `handler` with each payload of the backend event `name`; returns a function that stops.
 * Outside the desktop app (a plain browser, unit tests) there are no events: it does nothing.
 */
export function listenQuietly<T>(name: string, handler: (payload: T) => void): () => void {
  let stopped = false;
  let unlisten: UnlistenFn | null = null;
  try {
    listen<T>(name, (e) => handler(e.payload))
      .then((fn) => {
        if (stopped) quietly(fn);
        else unlisten = fn;
      })
      .catch(() => {});
  } catch {
    // No Tauri internals at all.
  }
  return () => {
    stopped = true;
    const fn = unlisten;
    unlisten = null;
    if (fn) quietly(fn);
  };
}

/** Stops a listener; a failure to unlisten (the window is closing) is not worth a report. */
function quietly(unlisten: UnlistenFn): void {
  Promise.resolve()
    .then(() => unlisten())
    .catch(() => {});
}
