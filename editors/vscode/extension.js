// The pvm extension: the TextMate grammar (package.json) colours .pvm files,
// and `pvm lsp`, started on stdio, gives the checker's diagnostics, hover,
// completion and go to definition. Settings: pvm.path (the command) and
// pvm.target (the target recipes are read against); a change restarts it.
'use strict';
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

function makeClient() {
  const settings = vscode.workspace.getConfiguration('pvm');
  const target = settings.get('target', '').trim();
  return new LanguageClient(
    'pvm',
    'pvm',
    // No transport named: the client adds no --stdio (pvm lsp speaks on stdio and takes no arguments).
    { command: settings.get('path', 'pvm') || 'pvm', args: ['lsp'] },
    { documentSelector: [{ language: 'pvm' }], initializationOptions: target === '' ? {} : { target } },
  );
}

async function start(context) {
  client = makeClient();
  try {
    await client.start();
  } catch (error) {
    vscode.window.showErrorMessage(`pvm: cannot start \`${vscode.workspace.getConfiguration('pvm').get('path', 'pvm')} lsp\`: ${error.message}. Install pvm, or set pvm.path to its command.`);
  }
  context.subscriptions.push({ dispose: () => client?.stop() });
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  await start(context);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration('pvm.path') && !event.affectsConfiguration('pvm.target')) return;
      await client?.stop();
      await start(context);
    }),
  );
}

function deactivate() {
  return client?.stop();
}

module.exports = { activate, deactivate };
