import { afterEach, describe, expect, it } from "vitest";
import { PAGES, Router, hrefFor, parseHash } from "./router.svelte";

describe("parseHash", () => {
  it("maps hashes to pages and falls back to the dashboard", () => {
    expect(parseHash("#/connections")).toBe("connections");
    expect(parseHash("#/backups/123")).toBe("backups");
    expect(parseHash("#settings")).toBe("settings");
    expect(parseHash("")).toBe("dashboard");
    expect(parseHash("#/nope")).toBe("dashboard");
  });

  it("round-trips every page through hrefFor", () => {
    for (const page of PAGES) expect(parseHash(hrefFor(page.id))).toBe(page.id);
  });
});

describe("Router", () => {
  afterEach(() => {
    window.location.hash = "";
  });

  it("starts on the page in the hash", () => {
    window.location.hash = "#/schedules";
    expect(new Router(window).current).toBe("schedules");
  });

  it("switches pages on navigate and writes the hash", () => {
    const router = new Router(window);
    expect(router.current).toBe("dashboard");
    router.navigate("backups");
    expect(router.current).toBe("backups");
    expect(window.location.hash).toBe("#/backups");
  });

  it("follows hashchange events while started, and stops after", () => {
    const router = new Router(window);
    const stop = router.start();
    window.location.hash = "#/settings";
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    expect(router.current).toBe("settings");

    stop();
    window.location.hash = "#/connections";
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    expect(router.current).toBe("settings");
  });
});
