// Keystroke to new counts in the studio, measured in a real Chromium: types into the
// editor one character at a time (each keystroke changes a threshold, so each is a new
// evaluation, never a cached one) and times from the key press to the page showing the
// counts of that text. Also times `POST /api/evaluate` alone, without the browser.
// Run by benches/studio_latency.sh (BENCHMARKS.md); needs `npm ci --prefix tests/browser`.
//
// node studio_latency.mjs URL [KEYSTROKES]
import { createRequire } from "node:module";
const require = createRequire(new URL("../tests/browser/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const [url, count = "20"] = process.argv.slice(2);
const token = new URL(url).searchParams.get("token");
const base = new URL(url).origin;
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { n: s.length, median: at(0.5), p95: at(0.95), max: s[s.length - 1] };
};

// The API alone.
const rules = await (await fetch(`${base}/api/rules`, { headers: { "x-tradeseg-token": token } })).json();
const api = [];
for (let i = 0; i < Number(count); i++) {
  const text = rules.text.replace("inquiries >= 2", `inquiries >= ${3 + i}`);
  const started = performance.now();
  const answer = await fetch(`${base}/api/evaluate`, {
    method: "POST",
    headers: { "x-tradeseg-token": token, "content-type": "application/json" },
    body: JSON.stringify({ rules: text }),
  });
  const json = await answer.json();
  api.push(performance.now() - started);
  if (!json.customers) throw new Error(JSON.stringify(json).slice(0, 300));
}

// In the browser: keystroke to counts on the page.
const browser = await chromium.launch({
  executablePath: process.env.TRADESEG_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
await page.goto(url);
await page.waitForSelector("body[data-fresh=yes]", { timeout: 60000 });
const customers = await page.textContent("#summary");
const editor = page.locator("#source");
const text = await editor.inputValue();
const at = text.indexOf("revenue_12m >= 300_000") + "revenue_12m >= 3".length;
await editor.focus();
await editor.evaluate((el, end) => el.setSelectionRange(end, end), at);
const typed = [];
for (let i = 0; i < Number(count); i++) {
  const started = Date.now();
  await page.keyboard.type(String(i % 10));
  await page.waitForSelector("body[data-fresh=yes]", { timeout: 60000 });
  typed.push(Date.now() - started);
}
await browser.close();
console.log(JSON.stringify({ customers, api_ms: stats(api), keystroke_to_counts_ms: stats(typed) }));
