// The module seal in the JavaScript host (hosts/js/src/seal.mjs through loadPolicy): single-byte
// corruptions of a built module are refused (E0501) and never decide; a module signed by
// `qingdan build --sign` loads under its public key and is refused under another key, unsigned
// or tampered (E0507 / E0501); the `trust` option's forms; SHA-256 without WebCrypto.
//
// Run from the repository root after `playground/test/prepare.sh` (which makes
// target/wasm/reviewer.{key,pub} and review.signed.wasm):  node --test playground/test/

import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";

import { QingdanError, loadPolicy } from "../../hosts/js/src/qingdan.mjs";
import { checkSeal, sha256, trustedKeys } from "../../hosts/js/src/seal.mjs";
import { sealed, sections } from "./bytes.mjs";

const WASM = new URL("../../target/wasm/", import.meta.url);
const file = (name) => {
  const url = new URL(name, WASM);
  if (!fs.existsSync(url)) throw new Error(`${url.pathname} is missing: run playground/test/prepare.sh first`);
  return new Uint8Array(fs.readFileSync(url));
};

const CASE = () => {
  const report = JSON.parse(fs.readFileSync(new URL("review.cases.json", WASM), "utf8"));
  return report.policies[0].cases.find((x) => x.source === "case file").given;
};

async function refusal(promise) {
  try {
    await promise;
  } catch (e) {
    if (e instanceof QingdanError) return e;
    throw e;
  }
  return null;
}

/** Positions to corrupt: each section's id and size bytes and last byte, every byte of the seal, and an even sample of the rest. */
function positions(bytes) {
  const all = sections(bytes);
  const at = new Set([0, 4, 7]);
  for (const s of all) [s.start, s.start + 1, s.start + 2, s.end - 1].forEach((i) => at.add(i));
  for (let i = all[all.length - 1].start; i < bytes.length; i++) at.add(i);
  const step = Math.ceil(bytes.length / 400);
  for (let i = 0; i < bytes.length; i += step) at.add(i);
  return [...at].sort((a, b) => a - b);
}

test("single-byte corruptions of a module are refused with E0501 and never decide", async () => {
  const bytes = file("review.wasm");
  const good = await loadPolicy(bytes);
  const expected = JSON.stringify(good.evaluate(CASE()));
  const at = positions(bytes);
  assert.ok(at.length >= 400, `${at.length} positions`);
  for (const s of sections(bytes)) assert.ok(at.some((i) => i >= s.start && i < s.end), `section at ${s.start} sampled`);
  const loaded = [];
  for (const i of at) {
    const bad = Uint8Array.from(bytes);
    bad[i] ^= 1 << (i % 8);
    const e = await refusal(loadPolicy(bad));
    if (e === null) loaded.push(i);
    else assert.equal(e.code, "E0501", `byte ${i}: ${e.message}`);
  }
  assert.deepEqual(loaded, [], "corruptions that loaded");
  // A deliberate edit sealed again is not damage: it loads (only a signature can tell who made it).
  const edited = Uint8Array.from(bytes);
  const lang = Buffer.from(edited).indexOf('"lang":"zh"') + 8;
  edited[lang] = "e".charCodeAt(0);
  edited[lang + 1] = "n".charCodeAt(0);
  const resealed = await loadPolicy(sealed(edited));
  assert.equal(resealed.lang, "en");
  assert.equal(JSON.stringify(resealed.evaluate(CASE())), expected);
});

test("a module signed by `qingdan build --sign` runs under its key and no other", async () => {
  const signed = file("review.signed.wasm");
  const unsigned = file("review.wasm");
  const publicKey = fs.readFileSync(new URL("reviewer.pub", WASM), "utf8");
  const hexKey = publicKey.trim().split(/\s+/).pop();
  const other = crypto.generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" }).x;
  const otherKey = new Uint8Array(Buffer.from(other, "base64url"));

  const p = await loadPolicy(signed, { trust: publicKey });
  const plain = await loadPolicy(unsigned);
  assert.deepEqual(p.evaluate(CASE()), plain.evaluate(CASE()), "decides as the unsigned module does");
  assert.ok(await loadPolicy(signed), "no requirement: loads");
  assert.ok(await loadPolicy(signed, { trust: [otherKey, hexKey] }), "one of several trusted keys");

  const stranger = await refusal(loadPolicy(signed, { trust: otherKey }));
  assert.equal(stranger && stranger.code, "E0507", String(stranger));
  assert.match(stranger.en, new RegExp(`signed by key ${hexKey}, which this host does not trust`));
  const bare = await refusal(loadPolicy(unsigned, { trust: publicKey }));
  assert.equal(bare && bare.code, "E0507", String(bare));
  assert.match(bare.en, /not signed/);

  const tampered = Uint8Array.from(signed);
  tampered[Buffer.from(tampered).indexOf('"lang":"zh"') + 9] ^= 1;
  for (const trust of [undefined, publicKey]) {
    const e = await refusal(loadPolicy(tampered, { trust }));
    assert.equal(e && e.code, "E0501", String(e));
    assert.match(e.en, /damaged or altered/);
  }
  const resigned = await refusal(loadPolicy(sealed(tampered), { trust: publicKey }));
  assert.equal(resigned && resigned.code, "E0507", "sealed again without the key: no signature");
  // The trusted key's bytes put in front of another key's signature: a signature that fails.
  const forged = Uint8Array.from(signed);
  forged.set(otherKey, forged.length - 96);
  const e = await refusal(loadPolicy(forged, { trust: otherKey }));
  assert.equal(e && e.code, "E0501", String(e));
  assert.match(e.en, /signature does not match/);
});

test("the trust option takes a key's bytes, hex or .pub text, and refuses anything else", () => {
  const publicKey = fs.readFileSync(new URL("reviewer.pub", WASM), "utf8");
  const secretKey = fs.readFileSync(new URL("reviewer.key", WASM), "utf8");
  const [fromFile] = trustedKeys(publicKey);
  const hex = Buffer.from(fromFile).toString("hex");
  assert.deepEqual(trustedKeys(hex)[0], fromFile);
  assert.deepEqual(trustedKeys([fromFile, hex.toUpperCase()]).length, 2);
  assert.equal(trustedKeys(undefined), null);
  assert.throws(() => trustedKeys(secretKey), (e) => e instanceof TypeError && /secret key/.test(e.message));
  for (const bad of ["", "12ab", `${publicKey}\n${publicKey}`, new Uint8Array(31), 42, []]) {
    assert.throws(() => trustedKeys(bad), TypeError, String(bad));
  }
});

test("without WebCrypto the digest is still checked, and a signature cannot be required", async () => {
  for (const n of [0, 1, 55, 56, 63, 64, 65, 1000, 70001]) {
    const b = crypto.randomBytes(n);
    assert.equal(Buffer.from(sha256(new Uint8Array(b))).toString("hex"), crypto.createHash("sha256").update(b).digest("hex"), `${n} bytes`);
  }
  const signed = file("review.signed.wasm");
  const publicKey = fs.readFileSync(new URL("reviewer.pub", WASM), "utf8");
  const saved = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  Object.defineProperty(globalThis, "crypto", { value: undefined, configurable: true });
  try {
    assert.equal(await checkSeal(file("review.wasm")), null);
    assert.equal(await checkSeal(signed), null, "a signed module on its digest");
    const bad = Uint8Array.from(signed);
    bad[100] ^= 1;
    assert.equal((await checkSeal(bad)).code, "E0501");
    const required = await checkSeal(signed, trustedKeys(publicKey));
    assert.equal(required.code, "E0507");
    assert.match(required.en, /cannot be verified here/);
  } finally {
    Object.defineProperty(globalThis, "crypto", saved);
  }
});
