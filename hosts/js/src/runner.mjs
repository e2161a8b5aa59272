// runner.mjs — a policy in a worker with a time limit per call, for modules one does not
// trust: a JavaScript engine has no fuel, so a call that runs past `timeoutMs` has its worker
// terminated (the embedding process goes on) and fails with E0504; the next call starts a
// fresh worker. Node's worker_threads, or a browser's module Worker.

import { QingdanError } from "./errors.mjs";
import { JsonNumber } from "./json.mjs";

/** A case for the worker: structured cloning drops JsonNumber's class, so it travels tagged. */
export function packCase(v) {
  if (v instanceof JsonNumber) return { [NUMBER_TAG]: v.text };
  if (Array.isArray(v)) return v.map(packCase);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, packCase(x)]));
  return v;
}

/** The case as it was before `packCase`. */
export function unpackCase(v) {
  if (Array.isArray(v)) return v.map(unpackCase);
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === NUMBER_TAG) return new JsonNumber(v[NUMBER_TAG]);
    return Object.fromEntries(keys.map((k) => [k, unpackCase(v[k])]));
  }
  return v;
}

const NUMBER_TAG = "\u0000qingdan.JsonNumber";

const isNode = typeof process !== "undefined" && Boolean(process.versions && process.versions.node);
const WORKER_URL = new URL("./runner-worker.mjs", import.meta.url);

/** A worker behind one small interface: post, a message handler, terminate. */
async function spawn(onMessage, onFailure) {
  if (isNode) {
    const { Worker } = await import("node:worker_threads");
    const w = new Worker(WORKER_URL);
    w.on("message", onMessage);
    w.on("error", onFailure);
    return { post: (m) => w.postMessage(m), terminate: () => w.terminate() };
  }
  if (typeof Worker === "undefined") throw new TypeError("startRunner: this JavaScript engine has no Worker");
  const w = new Worker(WORKER_URL, { type: "module" });
  w.onmessage = (event) => onMessage(event.data);
  w.onerror = (event) => onFailure(event.error || new Error(event.message));
  return { post: (m) => w.postMessage(m), terminate: () => w.terminate() };
}

function rebuilt(e) {
  const error = new QingdanError(e.code, e.zh, e.en, e.path || "", e.lang || "en");
  if (e.decision !== undefined) error.decision = e.decision;
  if (e.site !== undefined) error.site = e.site;
  return error;
}

/**
 * Starts a worker with the module loaded (as `load` does, same `options`), each call limited
 * to `options.timeoutMs` (default 1000) milliseconds. Resolves to a `Runner`.
 */
export async function startRunner(bytes, options = {}) {
  const runner = new Runner(Uint8Array.from(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes), options);
  try {
    runner.manifest = (await runner.call({ op: "load" })).manifest;
  } catch (e) {
    await runner.close();
    throw e;
  }
  return runner;
}

export class Runner {
  constructor(bytes, options) {
    this.bytes = bytes;
    this.options = { lang: options.lang, trust: options.trust };
    this.timeoutMs = options.timeoutMs ?? 1000;
    // Loading runs none of the module's code (it has no start function), but starting a
    // worker and compiling can take a while on a busy machine: its own, wider limit.
    this.loadTimeoutMs = Math.max(options.loadTimeoutMs ?? 30000, this.timeoutMs);
    this.worker = null;
    this.pending = new Map();
    this.next = 1;
    this.queue = Promise.resolve();
    this.manifest = null;
  }

  /** Decides one case in the worker (as `QingdanPolicy.decide`). */
  decide(caseObject, decision) {
    return this.call({ op: "decide", case: packCase(caseObject), decision });
  }

  /** Runs the checks that read the case in the worker (as `QingdanPolicy.check`). */
  check(caseObject) {
    return this.call({ op: "check", case: packCase(caseObject) });
  }

  /** Stops the worker. */
  async close() {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  /** One call at a time, each after the one before. */
  call(msg) {
    const run = this.queue.then(() => this.send(msg));
    this.queue = run.catch(() => {});
    return run;
  }

  async ensureWorker() {
    if (this.worker) return;
    const settle = (reply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.error) p.reject(rebuilt(reply.error));
      else p.resolve(reply.ok);
    };
    const fail = (e) => {
      for (const p of this.pending.values()) p.reject(rebuilt({ code: "E0504", zh: `工作线程失败：${e}`, en: `the worker failed: ${e}` }));
      this.pending.clear();
      this.worker = null;
    };
    this.worker = await spawn(settle, fail);
    if (this.manifest !== null) await this.send({ op: "load" }, false);
  }

  async send(msg, fresh = true) {
    if (fresh || msg.op !== "load") await this.ensureWorker();
    const id = this.next++;
    const body = msg.op === "load" ? { ...msg, bytes: this.bytes, options: this.options } : msg;
    const limit = msg.op === "load" ? this.loadTimeoutMs : this.timeoutMs;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        const w = this.worker;
        this.worker = null;
        if (w) w.terminate();
        const ms = limit;
        reject(new QingdanError("E0504", `模块运行超过时限 ${ms} 毫秒，已停止`, `the module ran past its time limit of ${ms} ms and was stopped`, "", this.options.lang || "en"));
      }, limit);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.worker.post({ ...body, id });
    });
  }
}
