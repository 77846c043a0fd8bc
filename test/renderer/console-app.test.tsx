// @vitest-environment jsdom
import { act, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ApiError } from "../../renderer/src/api/api-error";
import { FakeConsoleApi, makeJob } from "./fake-console-api";
import { renderConsole } from "./render-console";

const rowOf = (id: string) => document.querySelector<HTMLTableRowElement>(`tr[data-job-id="${id}"]`)!;

describe("the jobs table", () => {
  it("shows loading, then rows with coloured statuses and done / total progress", async () => {
    const running = makeJob({ status: "PROCESSING", progress: 3, total: 5, resourceName: "Series A Room", type: "dataroom" });
    const failed = makeJob({ status: "FAILED", error: "document d9 not found" });
    renderConsole(new FakeConsoleApi([running, failed]));
    expect(screen.getByText("Loading exports…").getAttribute("role")).toBe("status");
    await screen.findByText("Series A Room");
    const row = within(rowOf(running.id));
    expect(row.getByText("Processing").className).toContain("status-processing");
    expect(row.getByText("3 / 5 views")).toBeTruthy();
    expect(row.getByText("Dataroom")).toBeTruthy();
    // the failure is an icon whose tooltip is the error
    const icon = within(rowOf(failed.id)).getByRole("img", { name: "Error: document d9 not found" });
    expect(icon.getAttribute("title")).toBe("document d9 not found");
    expect(screen.getByText("1–2 of 2")).toBeTruthy();
  });

  it("says when there are no exports, and when filters match none", async () => {
    const { user } = renderConsole(new FakeConsoleApi([]));
    await screen.findByText(/No exports yet/);
    await user.selectOptions(screen.getByLabelText("Status"), "FAILED");
    await screen.findByText("No exports match these filters.");
    await user.click(screen.getByRole("button", { name: "Clear filters" }));
    await screen.findByText(/No exports yet/);
  });

  it("shows an error state when the first load fails, with a way to try again", async () => {
    const fake = new FakeConsoleApi([makeJob()]);
    fake.listFailure = new ApiError("INTERNAL", "the answer to listJobs does not match the contract: jobs.0.status: bad");
    const { user } = renderConsole(fake);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toMatch(/Could not load the exports: the answer to listJobs does not match the contract/);
    fake.listFailure = null;
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(document.querySelectorAll("tbody tr")).toHaveLength(1));
  });

  it("sorts the page by a column", async () => {
    const jobs = [makeJob({ resourceName: "Beta" }), makeJob({ resourceName: "Alpha" }), makeJob({ resourceName: "Gamma" })];
    const { user } = renderConsole(new FakeConsoleApi(jobs));
    await screen.findByText("Beta");
    const names = () => [...document.querySelectorAll("td.col-resource > span > span:first-child")].map((cell) => cell.textContent);
    await user.click(screen.getByRole("button", { name: "Resource" }));
    expect(names()).toEqual(["Alpha", "Beta", "Gamma"]);
    expect(screen.getByRole("columnheader", { name: /Resource/ }).getAttribute("aria-sort")).toBe("ascending");
    await user.click(screen.getByRole("button", { name: /Resource/ }));
    expect(names()).toEqual(["Gamma", "Beta", "Alpha"]);
  });

  it("pages on the server, 50 at a time", async () => {
    const fake = new FakeConsoleApi(Array.from({ length: 120 }, () => makeJob()));
    const { user } = renderConsole(fake);
    await screen.findByText("1–50 of 120");
    await user.click(screen.getByRole("button", { name: "Next page" }));
    await screen.findByText("51–100 of 120");
    await user.click(screen.getByRole("button", { name: "Last page" }));
    await screen.findByText("101–120 of 120");
    expect(fake.callsOf("listJobs").at(-1)).toEqual({ filter: {}, page: { offset: 100, limit: 50 } });
    expect((screen.getByRole("button", { name: "Next page" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("searches after a pause in typing", async () => {
    const fake = new FakeConsoleApi([makeJob({ resourceName: "Pitch Deck" }), makeJob({ resourceName: "Financials" })]);
    const { user } = renderConsole(fake);
    await screen.findByText("Financials");
    await user.type(screen.getByRole("searchbox"), "finan");
    await waitFor(() => expect(screen.queryByText("Pitch Deck")).toBeNull());
    expect(fake.callsOf("listJobs").at(-1)).toMatchObject({ filter: { search: "finan" } });
  });
});

describe("keyboard and actions", () => {
  it("opens the detail panel with Enter: every field, attempts and the full error; Escape closes it", async () => {
    const error = `RETRIES_EXHAUSTED: ${"x".repeat(300)} the end`;
    const failed = makeJob({ status: "FAILED", attempts: 3, error, groupId: "g1", type: "dataroom-group", mode: "batch", modeReason: "Query API refused (403): using batch", tinybirdCalls: 1234 });
    const { user } = renderConsole(new FakeConsoleApi([failed]));
    await screen.findByText("Failed");
    rowOf(failed.id).focus();
    await user.keyboard("{Enter}");
    const panel = await screen.findByRole("complementary", { name: `Export ${failed.id}` });
    expect(within(panel).getByText(error)).toBeTruthy();
    const field = (label: string) => within(panel).getByText(label, { selector: "dt" }).nextElementSibling!.textContent;
    expect(field("Attempts")).toBe("3");
    expect(field("Group id")).toBe("g1");
    expect(field("Type")).toBe("Dataroom group");
    expect(field("Team")).toBe("t1");
    expect(field("Tinybird mode")).toBe("batch (Query API refused (403): using batch)");
    expect(field("Tinybird calls")).toBe("1,234");
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("complementary")).toBeNull();
    expect(document.activeElement).toBe(rowOf(failed.id));
  });

  it("makes the rows one tab stop, moved with the arrow keys", async () => {
    const jobs = [makeJob(), makeJob(), makeJob()];
    const { user } = renderConsole(new FakeConsoleApi(jobs));
    await waitFor(() => expect(document.querySelectorAll("tbody tr")).toHaveLength(3));
    expect([...document.querySelectorAll("tbody tr")].map((row) => row.getAttribute("tabindex"))).toEqual(["0", "-1", "-1"]);
    rowOf(jobs[0]!.id).focus();
    await user.keyboard("{ArrowDown}{ArrowDown}");
    expect(document.activeElement).toBe(rowOf(jobs[2]!.id));
    await user.keyboard("{ArrowUp}");
    expect(document.activeElement).toBe(rowOf(jobs[1]!.id));
    expect([...document.querySelectorAll("tbody tr")].map((row) => row.getAttribute("tabindex"))).toEqual(["-1", "0", "-1"]);
  });

  it("deletes the selection with the Delete key after an in-app confirmation", async () => {
    const jobs = [makeJob(), makeJob(), makeJob()];
    const fake = new FakeConsoleApi(jobs);
    const { user } = renderConsole(fake);
    await waitFor(() => expect(document.querySelectorAll("tbody tr")).toHaveLength(3));
    await user.click(screen.getByRole("checkbox", { name: `Select export ${jobs[0]!.id}` }));
    rowOf(jobs[1]!.id).focus();
    await user.keyboard(" ");
    expect(screen.getByRole("button", { name: "Delete selected (2)" })).toBeTruthy();
    await user.keyboard("{Delete}");
    const dialog = await screen.findByRole("alertdialog", { name: "Delete 2 exports?" });
    expect(fake.callsOf("deleteJob")).toEqual([]);
    await user.click(within(dialog).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(document.querySelectorAll("tbody tr")).toHaveLength(1));
    expect(fake.callsOf("deleteJob")).toEqual([{ id: jobs[0]!.id }, { id: jobs[1]!.id }]);
    expect(screen.queryByRole("alertdialog")).toBeNull();
  });

  it("keeps the jobs when the confirmation is dismissed", async () => {
    const job = makeJob();
    const fake = new FakeConsoleApi([job]);
    const { user } = renderConsole(fake);
    await user.click(await screen.findByRole("button", { name: `Delete export ${job.id}` }));
    const dialog = screen.getByRole("alertdialog");
    expect(document.activeElement).toBe(within(dialog).getByRole("button", { name: "Keep" }));
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(fake.callsOf("deleteJob")).toEqual([]);
  });

  it("offers save, cancel, retry and copy id per row, each only where it applies", async () => {
    const done = makeJob();
    const running = makeJob({ status: "PROCESSING", progress: 1, total: 4 });
    const failed = makeJob({ status: "FAILED", error: "boom" });
    const fake = new FakeConsoleApi([done, running, failed]);
    const { user, clipboard } = renderConsole(fake);
    await screen.findByText("1–3 of 3");
    expect((screen.getByRole("button", { name: `Save CSV of export ${running.id}` }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.queryByRole("button", { name: `Retry export ${done.id}` })).toBeNull();
    expect(screen.queryByRole("button", { name: `Cancel export ${failed.id}` })).toBeNull();

    await user.click(screen.getByRole("button", { name: `Save CSV of export ${done.id}` }));
    await screen.findByText(`Saved /tmp/${done.id}.csv`);
    await user.click(screen.getByRole("button", { name: `Cancel export ${running.id}` }));
    await waitFor(() => expect(rowOf(running.id).dataset.status).toBe("FAILED"));
    await user.click(screen.getByRole("button", { name: `Retry export ${failed.id}` }));
    await waitFor(() => expect(rowOf(failed.id).dataset.status).toBe("PENDING"));
    await user.click(screen.getByRole("button", { name: `Copy id of export ${done.id}` }));
    expect(clipboard.writeText).toHaveBeenCalledWith(done.id);
  });
});

describe("the New export form", () => {
  it("validates the fields and creates the export", async () => {
    const fake = new FakeConsoleApi([]);
    const { user } = renderConsole(fake);
    await screen.findByText(/No exports yet/);
    await user.click(screen.getByRole("button", { name: "New export" }));
    const dialog = screen.getByRole("dialog", { name: "New export" });
    await user.click(within(dialog).getByRole("radio", { name: "Dataroom group" }));
    await user.clear(within(dialog).getByLabelText("Team"));
    await user.type(within(dialog).getByLabelText("Dataroom id"), "dr 1");
    await user.click(within(dialog).getByRole("button", { name: "Create export" }));
    expect(within(dialog).getByLabelText("Team").getAttribute("aria-invalid")).toBe("true");
    expect(within(dialog).getByLabelText("Dataroom id").getAttribute("aria-invalid")).toBe("true");
    expect(within(dialog).getByLabelText("Group id").getAttribute("aria-invalid")).toBe("true");
    expect(fake.callsOf("createExport")).toEqual([]);

    await user.type(within(dialog).getByLabelText("Team"), "t2");
    await user.clear(within(dialog).getByLabelText("Dataroom id"));
    await user.type(within(dialog).getByLabelText("Dataroom id"), "dr1");
    await user.type(within(dialog).getByLabelText("Group id"), "g1");
    await user.click(within(dialog).getByRole("button", { name: "Create export" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(fake.callsOf("createExport")).toEqual([{ type: "dataroom-group", teamId: "t2", resourceId: "dr1", groupId: "g1" }]);
    const id = fake.jobs[0]!.id;
    await screen.findByRole("complementary", { name: `Export ${id}` });
    await waitFor(() => expect(rowOf(id)).toBeTruthy());
  });

  it("shows the server's refusal in the form", async () => {
    const fake = new FakeConsoleApi([]);
    fake.api.createExport = async () => {
      throw new ApiError("NOT_FOUND", "team t9 not found");
    };
    const { user } = renderConsole(fake);
    await user.click(await screen.findByRole("button", { name: "New export" }));
    const dialog = screen.getByRole("dialog");
    await user.type(within(dialog).getByLabelText("Team"), "t9");
    await user.type(within(dialog).getByLabelText("Document id"), "d1");
    await user.click(within(dialog).getByRole("button", { name: "Create export" }));
    expect((await within(dialog).findByRole("alert")).textContent).toBe("team t9 not found");
  });
});

describe("connection banner and theme", () => {
  it("shows a banner while Redis is unreachable and clears it when a later poll succeeds", async () => {
    const fake = new FakeConsoleApi([makeJob()]);
    const { model } = renderConsole(fake);
    await waitFor(() => expect(document.querySelectorAll("tbody tr")).toHaveLength(1));
    fake.listFailure = new ApiError("UNAVAILABLE", "Redis is unreachable: connect ECONNREFUSED 127.0.0.1:6390");
    await act(() => model.sync.refreshList({ poll: true }));
    const banner = screen.getByRole("alert");
    expect(banner.textContent).toMatch(/Redis is unreachable\..*ECONNREFUSED/);
    expect(document.querySelectorAll("tbody tr")).toHaveLength(1);
    fake.listFailure = null;
    await act(() => model.sync.refreshList({ poll: true }));
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("shows the Tinybird circuit breaker in the status bar while it is open", async () => {
    const fake = new FakeConsoleApi([makeJob()]);
    const { model } = renderConsole(fake);
    const services = await screen.findByRole("list", { name: "Services" });
    expect(within(services).queryByText(/Tinybird paused/)).toBeNull();
    // Its words are split (a narrow screen leaves out "Tinybird"): found by the item's whole text.
    const callsToday = () => [...services.querySelectorAll("li")].find((item) => /calls today/.test(item.textContent ?? ""));
    expect(callsToday()).toBeUndefined();
    fake.status = { ...fake.status, tinybirdCallsToday: { day: "2026-01-01", calls: 12345 } };
    await act(() => model.sync.refreshStatus());
    expect(callsToday()!.textContent).toBe("12,345 Tinybird calls today");
    expect(callsToday()!.getAttribute("title")).toMatch(/every runner .* on 2026-01-01 \(UTC\)/);
    fake.status = {
      ...fake.status,
      tinybirdCircuit: { state: "open", consecutiveFailures: 5, retryAt: "2026-01-01T10:00:05.000Z", lastError: "HTTP 500: emulated 500" },
    };
    await act(() => model.sync.refreshStatus());
    const paused = within(services).getByText(/Tinybird paused until/);
    expect(paused.getAttribute("title")).toMatch(/5 failed requests in a row.*Last error: HTTP 500: emulated 500/);
    fake.status = { ...fake.status, tinybirdCircuit: { state: "closed", consecutiveFailures: 0 } };
    await act(() => model.sync.refreshStatus());
    expect(within(services).queryByText(/Tinybird paused/)).toBeNull();
  });

  it("switches between light and dark on <html data-theme>", async () => {
    const { user } = renderConsole(new FakeConsoleApi([]));
    expect(document.documentElement.dataset.theme).toBe("light");
    await user.click(screen.getByRole("button", { name: "Switch to the dark theme" }));
    expect(document.documentElement.dataset.theme).toBe("dark");
    await user.click(screen.getByRole("button", { name: "Switch to the light theme" }));
    expect(document.documentElement.dataset.theme).toBe("light");
  });
});
