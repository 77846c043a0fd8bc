// @vitest-environment jsdom
import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { FakeConsoleApi, makeJob } from "./fake-console-api";
import { renderConsole } from "./render-console";

/* Issue 10 item 4: unreadable records are listed with their reason and can be deleted. */

describe("the unreadable records of a listing", () => {
  it("lists each one with why it failed, and deletes one after confirmation", async () => {
    const fake = new FakeConsoleApi([makeJob()]);
    fake.malformed = [
      { id: "bad_1", reason: "type: must be document, dataroom or dataroom-group" },
      { id: "bad_2", reason: "the job key holds a list" },
    ];
    const { user } = renderConsole(fake);
    await user.click(await screen.findByText("2 unreadable records skipped"));
    const list = screen.getByRole("list", { name: "Unreadable records" });
    expect(within(list).getByText("the job key holds a list")).toBeTruthy();
    await user.click(within(list).getByRole("button", { name: "Delete unreadable record bad_1" }));
    await user.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Delete" }));
    expect(fake.callsOf("deleteJob")).toEqual([{ id: "bad_1" }]);
    await waitFor(() => expect(screen.getByText("1 unreadable record skipped")).toBeTruthy());
    expect(fake.malformed.map((record) => record.id)).toEqual(["bad_2"]);
  });
});

describe("a search that reached the server's scan limit", () => {
  it("says only the newest jobs were searched", async () => {
    const fake = new FakeConsoleApi([makeJob()]);
    const list = fake.api.listJobs.bind(fake.api);
    fake.api.listJobs = async (input) => ({ ...(await list(input)), scanLimited: true });
    renderConsole(fake);
    expect(await screen.findByText("only the newest jobs were searched: narrow the filters to reach older ones")).toBeTruthy();
  });
});
