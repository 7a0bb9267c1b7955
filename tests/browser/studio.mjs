// Drives the studio in a real Chromium, as a rule author would: opens the page, reads the
// counts, types an edit into the editor, reads the new counts and the moves, opens the
// customers of a move and one customer's explanation, saves with Ctrl+S, and sees an edit
// made on disk by another program appear. Prints what it saw as JSON for the Rust test
// (tests/suite/studio.rs) to compare with `tradeseg run`, and saves screenshots.
//
// node studio.mjs URL RULES_FILE SCREENSHOT_DIR
import { chromium } from "playwright-core";
import { readFileSync, writeFileSync } from "node:fs";

const [url, rulesFile, shots] = process.argv.slice(2);
const executablePath = process.env.TRADESEG_CHROMIUM || "/usr/bin/chromium";
const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const seen = { console: [], counts: {}, latencies: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") seen.console.push(m.text()); });
  page.on("pageerror", (e) => seen.console.push(String(e)));
  await page.goto(url);
  const fresh = () => page.waitForSelector("body[data-fresh=yes]", { timeout: 20000 });
  const counts = () => page.$$eval("#counts tr[data-dimension]", (rows) =>
    rows.map((r) => [r.dataset.dimension, r.dataset.segment, Number(r.querySelector(".count").textContent.replace(/[^0-9]/g, ""))]));
  await fresh();
  seen.counts.before = await counts();
  seen.title = await page.title();
  await page.screenshot({ path: `${shots}/studio-opened.png`, fullPage: true });

  // Type an edit: `inquiries >= 2` becomes `inquiries >= 3`, keystroke by keystroke.
  const editor = page.locator("#source");
  const text = await editor.inputValue();
  const at = text.indexOf("inquiries >= 2");
  if (at < 0) throw new Error("the ruleset has no `inquiries >= 2` to edit");
  await editor.focus();
  await editor.evaluate((el, end) => el.setSelectionRange(end, end), at + "inquiries >= 2".length);
  const typed = Date.now();
  await page.keyboard.press("Backspace");
  await page.keyboard.type("3");
  await fresh();
  seen.latencies.push(Date.now() - typed);
  seen.counts.after = await counts();
  seen.moves = await page.$$eval("#moves button.move", (cells) => cells.map((c) => ({
    dimension: c.dataset.dim, from: JSON.parse(c.dataset.from), to: JSON.parse(c.dataset.to),
    count: Number(c.textContent.replace(/[^0-9]/g, "")),
  })));
  seen.unsaved = await page.textContent("#status");
  await page.screenshot({ path: `${shots}/studio.png` });

  // A mistake shows where it is as it is typed, and the counts stay.
  await page.keyboard.type(" andd");
  // The page answers for the text as typed at the end (an answer for a part of it, like
  // " an", may come first when the machine is busy).
  await fresh();
  await page.waitForSelector("#problems li.error", { timeout: 20000 });
  seen.problem = await page.textContent("#problems li.error");
  seen.marked = await page.$$eval("#highlight .t-e", (marks) => marks.map((m) => m.textContent).join(""));
  for (let i = 0; i < 5; i++) await page.keyboard.press("Backspace");
  await fresh();
  seen.counts.fixed = await counts();

  // Who moved: the customers of the first move, and why the first of them is where it is.
  await page.click("#moves button.move");
  await page.waitForSelector("#drawer:not([hidden]) .ids button");
  seen.listed = await page.$$eval("#drawer .ids button", (b) => b.map((x) => x.textContent));
  await page.screenshot({ path: `${shots}/studio-moves.png`, fullPage: true });
  await page.click("#drawer .ids button");
  await page.waitForSelector("#trace");
  seen.trace = await page.textContent("#drawer-title");
  seen.traceText = await page.textContent("#trace");
  await page.screenshot({ path: `${shots}/studio-explain.png` });
  await page.keyboard.press("Escape");

  // Ctrl+S saves; the page says so.
  await editor.focus();
  await page.keyboard.press("Control+s");
  await page.waitForFunction(() => document.querySelector("#save").disabled, null, { timeout: 20000 });
  seen.saved = await page.textContent("#status");

  // Another program edits the file: the page shows the new text and counts.
  const onDisk = readFileSync(rulesFile, "utf8");
  writeFileSync(rulesFile, onDisk.replace("inquiries >= 3", "inquiries >= 4"));
  await page.waitForFunction(() => document.querySelector("#source").value.includes("inquiries >= 4"), null, { timeout: 20000 });
  await fresh();
  seen.counts.external = await counts();
  seen.externalMoves = await page.$$eval("#moves button.move", (cells) => cells.length);
  await page.screenshot({ path: `${shots}/studio-reloaded.png` });
} finally {
  await browser.close();
}
console.log(JSON.stringify(seen));
