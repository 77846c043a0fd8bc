// @vitest-environment jsdom
import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { FakeConsoleApi, makeJob } from "./fake-console-api";
import { renderConsole } from "./render-console";

/* Issue 10 item 6: a web-app export whose CSV is kept in blob storage. */

const BLOB_URL = "https://abc123.public.blob.vercel-storage.com/visits/export-visits-d1.csv";

describe("a web-app export kept in blob storage", () => {
  it("desktop: Save CSV says where the file is and opens it in the system browser", async () => {
    const job = makeJob({ status: "COMPLETED" });
    const fake = new FakeConsoleApi([job]);
    fake.resultLocations.set(job.id, BLOB_URL);
    const { user } = renderConsole(fake, "ipc");
    await user.click(await screen.findByRole("button", { name: `Save CSV of export ${job.id}` }));
    const dialog = await screen.findByRole("dialog", { name: "The CSV is in Papermark's storage" });
    expect(dialog.textContent).toContain(BLOB_URL);
    expect(fake.saved).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Open in browser" }));
    expect(fake.opened).toEqual([job.id]);
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("browser: Save CSV offers a link to the file", async () => {
    const job = makeJob({ status: "COMPLETED" });
    const fake = new FakeConsoleApi([job]);
    fake.resultLocations.set(job.id, BLOB_URL);
    const { user } = renderConsole(fake, "http");
    await user.click(await screen.findByRole("button", { name: `Save CSV of export ${job.id}` }));
    const link = await screen.findByRole("link", { name: "Open the CSV" });
    expect(link.getAttribute("href")).toBe(BLOB_URL);
    expect(link.getAttribute("target")).toBe("_blank");
    expect(link.getAttribute("rel")).toBe("noopener noreferrer");
    expect(screen.queryByRole("button", { name: "Open in browser" })).toBeNull();
  });
});
