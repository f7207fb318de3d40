import { describe, expect, it } from "vitest";
import { deferred } from "../test/deferred";
import { LatestRequest } from "./latest";

describe("LatestRequest", () => {
  it("keeps only the newest request current", () => {
    const requests = new LatestRequest();
    const first = requests.begin();
    expect(first()).toBe(true);
    const second = requests.begin();
    expect(first()).toBe(false);
    expect(second()).toBe(true);
  });

  it("lets a slow earlier answer be dropped when it arrives after a newer one", async () => {
    const requests = new LatestRequest();
    const shown: string[] = [];
    async function load(answer: Promise<string>) {
      const isLatest = requests.begin();
      const value = await answer;
      if (isLatest()) shown.push(value);
    }
    const slow = deferred<string>();
    const fast = deferred<string>();
    const loads = [load(slow.promise), load(fast.promise)];
    fast.resolve("new");
    slow.resolve("old");
    await Promise.all(loads);
    expect(shown).toEqual(["new"]);
  });

  it("cancel makes every request under way stale", () => {
    const requests = new LatestRequest();
    const pending = requests.begin();
    requests.cancel();
    expect(pending()).toBe(false);
    expect(requests.begin()()).toBe(true);
  });

  it("keeps separate instances apart", () => {
    const a = new LatestRequest();
    const b = new LatestRequest();
    const fromA = a.begin();
    b.begin();
    expect(fromA()).toBe(true);
  });
});
