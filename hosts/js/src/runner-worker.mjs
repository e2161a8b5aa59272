// runner-worker.mjs — the worker side of runner.mjs: loads the module once, then answers
// `decide` and `check` messages; errors go back as plain data (a worker cannot send a class).

import { load } from "./index.mjs";
import { unpackCase } from "./runner.mjs";

const isNode = typeof process !== "undefined" && Boolean(process.versions && process.versions.node);
const port = isNode ? (await import("node:worker_threads")).parentPort : self;

let policy = null;

function plainError(e) {
  if (e && e.name === "QingdanError") {
    return { code: e.code, zh: e.zh, en: e.en, path: e.path, lang: e.lang, decision: e.decision, site: e.site };
  }
  return { code: "E0504", zh: `模块执行中止：${e}`, en: `the module stopped: ${e}`, path: "", lang: "en" };
}

async function answer(msg) {
  if (msg.op === "load") {
    policy = await load(msg.bytes, msg.options);
    return { manifest: policy.manifest };
  }
  if (msg.op === "decide") return policy.decide(unpackCase(msg.case), msg.decision);
  return policy.check(unpackCase(msg.case));
}

const onMessage = async (msg) => {
  try {
    port.postMessage({ id: msg.id, ok: await answer(msg) });
  } catch (e) {
    port.postMessage({ id: msg.id, error: plainError(e) });
  }
};
if (isNode) port.on("message", onMessage);
else port.onmessage = (event) => onMessage(event.data);
