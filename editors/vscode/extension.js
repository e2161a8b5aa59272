// The client: starts `qingdan lsp` (the path from the setting `qingdan.path`) for `.qd` files.
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("qingdan").get("path") || "qingdan";
  const server = { command, args: ["lsp"], transport: TransportKind.stdio };
  client = new LanguageClient(
    "qingdan",
    "清单 qingdan",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "qingdan" }, { scheme: "untitled", language: "qingdan" }] },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
