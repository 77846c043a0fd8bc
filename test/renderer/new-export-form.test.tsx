// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ApiError } from "../../renderer/src/api/api-error";
import { FakeConsoleApi, makeJob } from "./fake-console-api";
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

describe("the New export form: find, then export", () => {
  const withResources = () => {
    const fake = new FakeConsoleApi([]);
    fake.resources = {
      t1: {
        document: [
          { id: "d3", name: "Financials", views: 3 },
          { id: "d1", name: "Pitch Deck", views: 6 },
        ],
        dataroom: [{ id: "dr1", name: "Series A Room", views: 3 }],
      },
      dr1: { group: [{ id: "g1", name: "Investors", views: 2 }] },
    };
    return fake;
  };

  it("picks a document by name from the team's matches, each with its view count", async () => {
    const fake = withResources();
    const { user, dialog } = await openForm(fake);
    await user.clear(dialog.getByLabelText("Team"));
    await user.type(dialog.getByLabelText("Team"), "t1");
    await user.type(dialog.getByLabelText("Document id"), "pitch");
    const matches = await screen.findByRole("listbox", { name: "Matching documents" });
    const option = await within(matches).findByRole("option", { name: /Pitch Deck/ });
    expect(option.textContent).toBe("Pitch Deckd16 views");
    await user.click(option);
    expect((dialog.getByLabelText("Document id") as HTMLInputElement).value).toBe("d1");
    expect(fake.callsOf("findResources")).toContainEqual({ teamId: "t1", type: "document", q: "pitch", limit: 8 });
    await user.click(dialog.getByRole("button", { name: "Create export" }));
    await waitFor(() => expect(fake.callsOf("createExport")).toEqual([{ type: "document", teamId: "t1", resourceId: "d1" }]));
  });

  it("estimates the Tinybird calls once a resource is picked from the search, in the configured mode", async () => {
    const fake = withResources();
    const { user, dialog } = await openForm(fake);
    await user.clear(dialog.getByLabelText("Team"));
    await user.type(dialog.getByLabelText("Team"), "t1");
    await user.type(dialog.getByLabelText("Document id"), "pitch");
    await user.click(await within(await screen.findByRole("listbox", { name: "Matching documents" })).findByRole("option", { name: /Pitch Deck/ }));
    // 6 views, auto (the default): 2 SQL queries + the probe; batch: 1 batch query + 2 user-agent calls per view.
    expect(await dialog.findByText("≈ 3 Tinybird calls (auto: sql if the token may run SQL; 13 if it falls back to batch)")).toBeTruthy();
  });

  it("estimates in a fixed configured mode, and asks to pick from the search for a typed id", async () => {
    const fake = withResources();
    fake.settingsView = { ...fake.settingsView, values: { mode: "per-view" } };
    const { user, dialog } = await openForm(fake);
    await user.clear(dialog.getByLabelText("Team"));
    await user.type(dialog.getByLabelText("Team"), "t1");
    await user.type(dialog.getByLabelText("Document id"), "d_typed");
    expect(await dialog.findByText("The Tinybird call estimate appears after picking the resource from the search.")).toBeTruthy();
    await user.clear(dialog.getByLabelText("Document id"));
    await user.type(dialog.getByLabelText("Document id"), "financ");
    await user.click(await within(await screen.findByRole("listbox", { name: "Matching documents" })).findByRole("option", { name: /Financials/ }));
    expect(await dialog.findByText("≈ 9 Tinybird calls (per-view)")).toBeTruthy();
  });

  it("picks with the keyboard, and a pasted id is sent as it is", async () => {
    const fake = withResources();
    const { user, dialog } = await openForm(fake);
    await user.clear(dialog.getByLabelText("Team"));
    await user.type(dialog.getByLabelText("Team"), "t1");
    await user.click(dialog.getByRole("radio", { name: "Dataroom group" }));
    await user.type(dialog.getByLabelText("Dataroom id"), "series");
    await within(await screen.findByRole("listbox", { name: "Matching datarooms" })).findByRole("option", { name: /Series A Room/ });
    await user.keyboard("{ArrowDown}{Enter}");
    expect((dialog.getByLabelText("Dataroom id") as HTMLInputElement).value).toBe("dr1");
    await user.type(dialog.getByLabelText("Group id"), "inv");
    await within(await screen.findByRole("listbox", { name: "Matching groups" })).findByRole("option", { name: /Investors/ });
    expect(fake.callsOf("findResources")).toContainEqual({ teamId: "t1", type: "group", dataroomId: "dr1", q: "inv", limit: 8 });
    await user.clear(dialog.getByLabelText("Group id"));
    await user.type(dialog.getByLabelText("Group id"), "g_pasted");
    await user.click(dialog.getByRole("button", { name: "Create export" }));
    await waitFor(() => expect(fake.callsOf("createExport")).toEqual([{ type: "dataroom-group", teamId: "t1", resourceId: "dr1", groupId: "g_pasted" }]));
  });

  it("finds a team by its name", async () => {
    const fake = withResources();
    const { user, dialog } = await openForm(fake);
    await user.clear(dialog.getByLabelText("Team"));
    await user.type(dialog.getByLabelText("Team"), "two");
    await user.click(await within(await screen.findByRole("listbox", { name: "Matching teams" })).findByRole("option", { name: /Team Two/ }));
    expect((dialog.getByLabelText("Team") as HTMLInputElement).value).toBe("t2");
  });

  it("shows a resource the server refuses beside its field", async () => {
    const fake = withResources();
    fake.api.createExport = async () => {
      throw new ApiError("NOT_FOUND", "document nope not found in team t1");
    };
    const { user, dialog } = await openForm(fake);
    await user.clear(dialog.getByLabelText("Team"));
    await user.type(dialog.getByLabelText("Team"), "t1");
    await user.type(dialog.getByLabelText("Document id"), "nope");
    await user.click(dialog.getByRole("button", { name: "Create export" }));
    const field = dialog.getByLabelText("Document id");
    await waitFor(() => expect(field.getAttribute("aria-invalid")).toBe("true"));
    expect(document.getElementById(field.getAttribute("aria-describedby")!)!.textContent).toBe("document nope not found in team t1");
    expect(screen.getByRole("dialog", { name: "New export" })).toBeTruthy();
  });
});

describe("failures for good", () => {
  it("offers Retry for a failure worth retrying, not for one that cannot succeed", async () => {
    const transient = makeJob({ status: "FAILED", error: "Tinybird get_x failed after 6 tries: HTTP 500" });
    const permanent = makeJob({ status: "FAILED", error: "Cannot be retried: document d9 not found in team t1" });
    renderConsole(new FakeConsoleApi([transient, permanent]));
    await screen.findByRole("button", { name: `Retry export ${transient.id}` });
    expect(screen.queryByRole("button", { name: `Retry export ${permanent.id}` })).toBeNull();
    const icon = document.querySelector(`tr[data-job-id="${permanent.id}"] .status-icon-error`);
    expect(icon?.getAttribute("title")).toBe("Cannot be retried: document d9 not found in team t1");
  });
});
