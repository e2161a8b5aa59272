// The client: starts `qingdan lsp` (the path from the setting `qingdan.path`) for `.qd` files,
// and hands it the CSV/YAML files of list rows too (their diagnostics come from the policies
// that read them). The impact lens's command shows the decisions downstream in a quick pick.
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");
const { IMPACT_COMMAND, SHOW_COMMAND, impactItems, placeHolder } = require("./impact");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("qingdan").get("path") || "qingdan";
  const server = { command, args: ["lsp"], transport: TransportKind.stdio };
  client = new LanguageClient(
    "qingdan",
    "清单 qingdan",
    { run: server, debug: server },
    {
      documentSelector: [
        { scheme: "file", language: "qingdan" },
        { scheme: "untitled", language: "qingdan" },
        { scheme: "file", pattern: "**/*.{csv,yaml,yml}" },
      ],
    },
  );
  context.subscriptions.push(client);
  context.subscriptions.push(vscode.commands.registerCommand(SHOW_COMMAND, showImpact));
  return client.start();
}

/** The lens's arguments: the document's URI and the lens's position. */
async function showImpact(uri, position) {
  const impacted = await client.sendRequest("workspace/executeCommand", {
    command: IMPACT_COMMAND,
    arguments: [uri, position],
  });
  const items = impactItems(impacted);
  const picked = await vscode.window.showQuickPick(items, { placeHolder: placeHolder(items) });
  if (picked && picked.location) {
    const { start, end } = picked.location.range;
    const selection = new vscode.Range(start.line, start.character, end.line, end.character);
    await vscode.window.showTextDocument(vscode.Uri.parse(picked.location.uri), { selection });
  }
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
