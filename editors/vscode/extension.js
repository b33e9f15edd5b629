// The pvm extension: the TextMate grammar (package.json) colours .pvm files,
// and `pvm lsp`, started on stdio, gives the checker's diagnostics, hover,
// completion and go to definition. Settings: pvm.path (the command),
// pvm.target (the target recipes are read against) and pvm.targetComment
// (whether a recipe's first line may name its own); a change restarts it, as
// trusting the workspace does (until then no first line opens a target).
'use strict';
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

async function start() {
  const settings = vscode.workspace.getConfiguration('pvm');
  const command = settings.get('path', 'pvm') || 'pvm';
  const target = settings.get('target', '').trim();
  // A recipe downloaded into an untrusted folder does not make the editor attach to a process.
  const targetComment = settings.get('targetComment', true) !== false && vscode.workspace.isTrusted;
  client = new LanguageClient(
    'pvm',
    'pvm',
    // No transport named: the client adds no --stdio (pvm lsp speaks on stdio and takes no arguments).
    { command, args: ['lsp'] },
    { documentSelector: [{ language: 'pvm' }], initializationOptions: { ...(target === '' ? {} : { target }), targetComment } },
  );
  try {
    await client.start();
  } catch (error) {
    client = undefined;
    vscode.window.showErrorMessage(`pvm: cannot start \`${command} lsp\`: ${error instanceof Error ? error.message : error}. Install pvm, or set pvm.path to its command.`);
  }
}

async function stop() {
  const running = client;
  client = undefined;
  try {
    await running?.stop();
  } catch {
    // It had not started, or has exited: nothing to stop.
  }
}

/** @param {import('vscode').ExtensionContext} context */
async function activate(context) {
  context.subscriptions.push(
    { dispose: stop },
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!['pvm.path', 'pvm.target', 'pvm.targetComment'].some((name) => event.affectsConfiguration(name))) return;
      await stop();
      await start();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(async () => {
      await stop();
      await start();
    }),
  );
  await start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
