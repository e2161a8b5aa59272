// What the playground's end-to-end tests share: where the repository, the binary and Chromium
// are, a free port, waiting for the server, a raw POST that can send what a browser would not,
// copying a folder, and Chromium started the way this machine's closed network wants it.

import net from "node:net";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ENABLED = process.env.QINGDAN_E2E === "1";
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const BIN = process.env.QINGDAN ? path.resolve(process.env.QINGDAN) : path.join(REPO, "target/debug/qingdan");
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
/** How long one wait of a page may take. */
export const T = 30_000;
/** Tests are skipped without QINGDAN_E2E=1, so that `node --test playground/test/` stays the JS host's tests. */
export const skip = ENABLED ? false : "set QINGDAN_E2E=1 to run (needs Chromium): cd playground/test/e2e && npm test";

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

/**
 * Waits until `url` answers 200, or throws with what the server wrote (`log()`); gives up at
 * once when the server process (`server`, if this test started one) has exited.
 */
export async function waitForServer(url, ms, server, log) {
  const until = Date.now() + ms;
  let last = null;
  while (Date.now() < until) {
    if (server && server.exitCode !== null) break;
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = new Error(`HTTP ${res.status}`);
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`the playground did not answer at ${url}: ${last && last.message}\n--- server output ---\n${log()}`);
}

/**
 * POST `body` over a plain socket to the server on `port` and read the answer. A server that
 * refuses a large body may answer and close before it has all been sent (EPIPE / ECONNRESET on
 * our side): the answer still counts, as a browser would show it. `headers` add to or replace
 * (null: remove) the page's own (its Host, JSON, and `token` when there is one).
 */
export function rawPost(port, token, pathname, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: "127.0.0.1", port });
    const chunks = [];
    s.setTimeout(20_000, () => s.destroy(new Error("no answer within 20 s")));
    s.on("data", (c) => chunks.push(c));
    s.on("error", (e) => {
      if (!["EPIPE", "ECONNRESET"].includes(e.code)) reject(e);
    });
    s.on("close", () => {
      try {
        resolve(readAnswer(Buffer.concat(chunks)));
      } catch (e) {
        reject(e);
      }
    });
    s.on("connect", () => {
      const all = { Host: `127.0.0.1:${port}`, "Content-Type": "application/json", ...(token ? { "X-Qingdan-Token": token } : {}), ...headers };
      const lines = Object.entries(all).filter(([, v]) => v !== null).map(([k, v]) => `${k}: ${v}\r\n`).join("");
      s.write(`POST ${pathname} HTTP/1.1\r\n${lines}Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
      // A request refused on its headers alone (413, 403, …) is answered before its body is read,
      // and the connection closed: a body sent meanwhile makes that close a reset, which can
      // discard the answer before we read it. So wait a moment for such an answer first. And
      // never half-close our side (as browsers do not): the server takes an end of input in the
      // middle of a request for a client that has gone, and drops the answer.
      const later = setTimeout(() => s.write(body), 300);
      s.once("data", () => clearTimeout(later));
    });
  });
}

/** An HTTP/1.1 answer's status, headers (lower-case names) and body text, chunks joined. */
function readAnswer(raw) {
  const split = raw.indexOf("\r\n\r\n");
  if (split < 0) throw new Error(`no HTTP answer (${raw.length} bytes)`);
  const head = raw.subarray(0, split).toString("latin1").split("\r\n");
  const status = Number(head[0].split(" ")[1]);
  const headers = Object.fromEntries(head.slice(1).map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
  let rest = raw.subarray(split + 4);
  if (/chunked/i.test(headers["transfer-encoding"] || "")) {
    const parts = [];
    for (let i = 0; ; ) {
      const nl = rest.indexOf("\r\n", i);
      const n = parseInt(rest.subarray(i, nl).toString("latin1"), 16);
      if (!n) break;
      parts.push(rest.subarray(nl + 2, nl + 2 + n));
      i = nl + 2 + n + 2;
    }
    rest = Buffer.concat(parts);
  }
  return { status, headers, text: rest.toString("utf8") };
}

export function copyTree(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    if (e.isDirectory()) copyTree(path.join(from, e.name), path.join(to, e.name));
    else fs.copyFileSync(path.join(from, e.name), path.join(to, e.name));
  }
}

/**
 * Debian's Chromium, headless, in a new profile folder: without the background-networking
 * flags its connections are refused by this machine's closed network, many at a time.
 * `args` adds flags; `options` goes to playwright's launchPersistentContext. Gives the
 * context, its first page (errors of the page logged) and the profile folder to remove.
 */
export async function launchChromium(prefix, { args = [], ...options } = {}) {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  const { chromium } = await import("playwright-core");
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", ...args],
    viewport: { width: 1440, height: 1000 },
    locale: "zh-CN",
    ...options,
  });
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(T);
  page.on("pageerror", (e) => console.error(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") console.error(`console: ${m.text()}`);
  });
  return { context, page, userDataDir };
}

/** Stops a server this test started: SIGTERM, then SIGKILL if it has not gone within 3 s. */
export async function stopServer(server) {
  if (!server || server.exitCode !== null) return;
  server.kill("SIGTERM");
  await new Promise((r) => {
    const timer = setTimeout(() => {
      server.kill("SIGKILL");
      r();
    }, 3000);
    server.once("exit", () => {
      clearTimeout(timer);
      r();
    });
  });
}
