// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { FakeConsoleApi } from "./fake-console-api";
import { renderConsole } from "./render-console";

async function openForm(fake: FakeConsoleApi) {
  const rendered = renderConsole(fake);
  await rendered.user.click(await screen.findByRole("button", { name: "New export" }));
  return { ...rendered, dialog: within(screen.getByRole("dialog", { name: "New export" })) };
}

describe("the New export form: date range and CSV format", () => {
  it("sends the date range and the spreadsheet profile", async () => {
    const fake = new FakeConsoleApi([]);
    const { user, dialog } = await openForm(fake);
    await user.clear(dialog.getByLabelText("Team"));
    await user.type(dialog.getByLabelText("Team"), "t1");
    await user.type(dialog.getByLabelText("Document id"), "d1");
    fireEvent.change(dialog.getByLabelText("From"), { target: { value: "2026-01-01" } });
    fireEvent.change(dialog.getByLabelText("To"), { target: { value: "2026-01-31" } });
    await user.selectOptions(dialog.getByLabelText("CSV format"), "spreadsheet");
    await user.click(dialog.getByRole("button", { name: "Create export" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(fake.callsOf("createExport")).toEqual([{ type: "document", teamId: "t1", resourceId: "d1", since: "2026-01-01", until: "2026-01-31", profile: "spreadsheet" }]);
  });

  it("leaves the range and profile out by default (all views, Papermark's CSV)", async () => {
    const fake = new FakeConsoleApi([]);
    const { user, dialog } = await openForm(fake);
    expect((dialog.getByLabelText("CSV format") as HTMLSelectElement).value).toBe("papermark");
    await user.clear(dialog.getByLabelText("Team"));
    await user.type(dialog.getByLabelText("Team"), "t1");
    await user.type(dialog.getByLabelText("Document id"), "d1");
    await user.click(dialog.getByRole("button", { name: "Create export" }));
    await waitFor(() => expect(fake.callsOf("createExport")).toEqual([{ type: "document", teamId: "t1", resourceId: "d1" }]));
  });

  it("refuses a range whose start is after its end, inline, without sending", async () => {
    const fake = new FakeConsoleApi([]);
    const { user, dialog } = await openForm(fake);
    await user.clear(dialog.getByLabelText("Team"));
    await user.type(dialog.getByLabelText("Team"), "t1");
    await user.type(dialog.getByLabelText("Document id"), "d1");
    fireEvent.change(dialog.getByLabelText("From"), { target: { value: "2026-02-01" } });
    fireEvent.change(dialog.getByLabelText("To"), { target: { value: "2026-01-31" } });
    await user.click(dialog.getByRole("button", { name: "Create export" }));
    const from = dialog.getByLabelText("From");
    expect(from.getAttribute("aria-invalid")).toBe("true");
    expect(document.getElementById(from.getAttribute("aria-describedby")!)!.textContent).toBe("since (2026-02-01) is after until (2026-01-31)");
    expect(document.activeElement).toBe(from);
    expect(fake.callsOf("createExport")).toEqual([]);
  });
});
