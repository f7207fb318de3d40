// "Latest request wins": a view that asks again before an earlier answer has arrived shows only
// the newest answer, so a slow earlier one cannot overwrite it.

/** Hands out a check per request; only the most recent request's check stays true. */
export class LatestRequest {
  #last = 0;

  /** Starts a request; the function returned says whether it is still the latest one. */
  begin(): () => boolean {
    const id = ++this.#last;
    return () => id === this.#last;
  }

  /** Makes every request under way stale, e.g. when what it asked about was cleared. */
  cancel(): void {
    this.#last++;
  }
}
