import { render, screen } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import FieldHarness from "../../test/FieldHarness.svelte";

function control() {
  return screen.getByTestId("control");
}

describe("Field", () => {
  it("labels the control and leaves it valid without an error", () => {
    render(FieldHarness, { id: "thing", label: "Thing" });
    expect(screen.getByLabelText("Thing")).toBe(control());
    expect(control().id).toBe("thing");
    expect(control().hasAttribute("aria-invalid")).toBe(false);
    expect(control().hasAttribute("aria-describedby")).toBe(false);
    expect(screen.queryByTestId("thing-error")).toBeNull();
  });

  it("shows the error under the control and points the control at it, then at the hint", () => {
    render(FieldHarness, { id: "thing", label: "Thing", error: "Not a thing.", hint: "Any thing." });
    const error = screen.getByTestId("thing-error");
    expect(error.id).toBe("thing-error");
    expect(error.textContent).toContain("Not a thing.");
    expect(control().getAttribute("aria-invalid")).toBe("true");
    expect(control().getAttribute("aria-describedby")).toBe("thing-error thing-hint");
    expect(document.getElementById("thing-hint")?.textContent).toBe("Any thing.");
    // Control, then message, then hint.
    expect(control().compareDocumentPosition(error) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(error.compareDocumentPosition(document.getElementById("thing-hint")!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it("takes the ids a form already uses, and other describing elements after its own", () => {
    render(FieldHarness, {
      id: "field-name",
      label: "Name",
      error: "Taken.",
      errorId: "error-name",
      hint: "Any name.",
      hintId: "name-hint",
      describedBy: ["shared-hint"],
    });
    expect(screen.getByTestId("error-name").id).toBe("error-name");
    expect(document.getElementById("name-hint")).not.toBeNull();
    expect(control().getAttribute("aria-describedby")).toBe("error-name name-hint shared-hint");
  });

  it("names an empty hint too, and no label when the control brings its own", () => {
    render(FieldHarness, { id: "thing", hint: "" });
    expect(document.querySelector("label")).toBeNull();
    expect(control().getAttribute("aria-describedby")).toBe("thing-hint");
  });
});
