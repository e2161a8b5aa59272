// TypeScript: the package's declarations checked with `tsc --noEmit`.
import { readFileSync } from "node:fs";
import { load, startRunner, QingdanError, type DecisionResult, type Value, type ErrorCode } from "qingdan";
import { loadPolicy } from "qingdan/host";

export async function firstOutcome(wasm: string, given: Record<string, unknown>): Promise<string | null> {
  const policy = await load(readFileSync(wasm), { lang: "zh" });
  const decision: string = policy.decisions[0];
  const one: DecisionResult = policy.decide(given, decision);
  const all: { [name: string]: DecisionResult } = policy.decide(given);
  const values: Value[] = Object.values(one.outcomes[0]?.values ?? {});
  const rows: Value[] = policy.check(given).violations.flatMap((v) => v.rows);
  console.log(all, values, rows);
  return one.outcome;
}

export async function guarded(wasm: Uint8Array, given: Record<string, unknown>): Promise<ErrorCode | string> {
  const runner = await startRunner(wasm, { timeoutMs: 500 });
  try {
    const r = await runner.decide(given, "准入结论");
    return r.fired.join(",");
  } catch (e) {
    if (e instanceof QingdanError) return e.code;
    throw e;
  } finally {
    await runner.close();
  }
}

export async function explained(wasm: Uint8Array): Promise<string> {
  const host = await loadPolicy(wasm);
  return host.manifest.policy;
}
