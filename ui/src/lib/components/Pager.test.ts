import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import Pager from "./Pager.svelte";

function pager(props: { offset: number; count: number; total: number }) {
  const onturn = vi.fn();
  render(Pager, { ...props, pageSize: 50, testid: "things", onturn });
  return onturn;
}

describe("Pager", () => {
  it("is not shown when everything fits one page", () => {
    pager({ offset: 0, count: 12, total: 12 });
    expect(screen.queryByTestId("things-range")).toBeNull();
  });

  it("shows the range and turns to the next page, with Previous off on the first", async () => {
    const onturn = pager({ offset: 0, count: 50, total: 120 });
    expect(screen.getByTestId("things-range").textContent?.trim()).toBe("1–50");
    expect((screen.getByTestId("things-prev") as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByTestId("things-next"));
    expect(onturn).toHaveBeenCalledWith(50);
  });

  it("turns back from the last page, where Next is off", async () => {
    const onturn = pager({ offset: 100, count: 20, total: 120 });
    expect(screen.getByTestId("things-range").textContent?.trim()).toBe("101–120");
    expect((screen.getByTestId("things-next") as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByTestId("things-prev"));
    expect(onturn).toHaveBeenCalledWith(50);
  });

  it("says where an emptied page starts", () => {
    pager({ offset: 50, count: 0, total: 40 });
    expect(screen.getByTestId("things-range").textContent?.trim()).toBe("50+");
  });
});
