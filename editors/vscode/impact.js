// The impact lens's command, apart from VS Code's API so that Node's tests can run it: the
// decisions and checks the server lists (`qingdan.impact`) as quick-pick items.

/** The server's command behind the lens (its `workspace/executeCommand`). */
const IMPACT_COMMAND = "qingdan.impact";
/** The lens's own command, registered by the extension. */
const SHOW_COMMAND = "qingdan.showImpact";

/**
 * Quick-pick items for the server's answer: `[{ name, kind, location? }]`, each with its
 * kind as the description and its line as the detail; `location` kept for the jump.
 */
function impactItems(impacted) {
  return (impacted || []).map((item) => {
    const line = item.location ? item.location.range.start.line + 1 : undefined;
    return {
      label: item.name,
      description: item.kind,
      detail: line === undefined ? undefined : `${fileName(item.location.uri)}:${line}`,
      location: item.location,
    };
  });
}

/** The last part of a URI's path, unescaped (`准入.qd`). */
function fileName(uri) {
  const last = uri.split("/").pop() || uri;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** What the quick pick says above the list, in the language of the kinds it shows. */
function placeHolder(items) {
  const chinese = items.some((i) => /[\u4e00-\u9fff]/.test(i.description || ""));
  if (items.length === 0) return chinese ? "不影响任何决定" : "no decision depends on it";
  return chinese ? `影响 ${items.length} 项：选一项前往` : `${items.length} impacted: pick one to go there`;
}

module.exports = { IMPACT_COMMAND, SHOW_COMMAND, impactItems, placeHolder };
