// A tiny hash router: the page lives in location.hash ("#/backups"), so nav items are plain links.

export const PAGES = [
  { id: "dashboard", title: "Dashboard" },
  { id: "connections", title: "Connections" },
  { id: "schedules", title: "Schedules" },
  { id: "backups", title: "Backups" },
  { id: "storage", title: "Storage" },
  { id: "settings", title: "Settings" },
] as const;

export type PageId = (typeof PAGES)[number]["id"];

export const DEFAULT_PAGE: PageId = "dashboard";

export function isPageId(value: string): value is PageId {
  return PAGES.some((p) => p.id === value);
}

/** "#/connections" → "connections"; anything unknown → the default page. */
export function parseHash(hash: string): PageId {
  const id = hash.replace(/^#\/?/, "").split(/[/?]/)[0];
  return isPageId(id) ? id : DEFAULT_PAGE;
}

export function hrefFor(id: PageId): string {
  return `#/${id}`;
}

export class Router {
  current: PageId = $state(DEFAULT_PAGE);
  #win: Window;
  #onHashChange = () => {
    this.current = parseHash(this.#win.location.hash);
  };

  constructor(win: Window = window) {
    this.#win = win;
    this.current = parseHash(win.location.hash);
  }

  /** Starts following location.hash; returns a function that stops it. */
  start(): () => void {
    this.#win.addEventListener("hashchange", this.#onHashChange);
    return () => this.#win.removeEventListener("hashchange", this.#onHashChange);
  }

  navigate(id: PageId): void {
    this.current = id;
    if (this.#win.location.hash !== hrefFor(id)) this.#win.location.hash = hrefFor(id);
  }
}
