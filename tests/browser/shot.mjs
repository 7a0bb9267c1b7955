// Opens a page of the studio, waits for its counts, and saves a screenshot; prints the
// page's language, its headings and any console errors as JSON (tests/suite/studio.rs).
//
// node shot.mjs URL SCREENSHOT [WIDTH]
import { chromium } from "playwright-core";

const [url, path, width = "1400"] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.TRADESEG_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const seen = { console: [] };
try {
  const page = await browser.newPage({ viewport: { width: Number(width), height: 1100 } });
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") seen.console.push(m.text()); });
  page.on("pageerror", (e) => seen.console.push(String(e)));
  await page.goto(url);
  await page.waitForSelector("body[data-fresh=yes]", { timeout: 20000 });
  seen.lang = await page.getAttribute("html", "lang");
  seen.headings = await page.$$eval("h1, h2", (hs) => hs.map((h) => h.textContent));
  seen.crosstabCells = await page.$$eval(".heat td", (cells) => cells.length);
  seen.save = await page.textContent("#save");
  await page.screenshot({ path, fullPage: true });
} finally {
  await browser.close();
}
console.log(JSON.stringify(seen));
