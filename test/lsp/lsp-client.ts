// A language client for the tests: `pvm lsp` started as an editor starts it,
// spoken to over its stdin and stdout with vscode-jsonrpc (the protocol's own
// JSON-RPC), as VS Code's client would.
import { type ChildProcess, spawn } from 'node:child_process';
import { createMessageConnection, type MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { CompletionItem, CompletionList, Diagnostic, Hover, Location, Position } from 'vscode-languageserver';
import { commandFor, type Runtime } from '../helpers/cli.ts';
import { ROOT } from '../helpers/paths.ts';

export interface LspClient {
  readonly child: ChildProcess;
  readonly connection: MessageConnection;
  /** Opens a document (`file:///work/NAME` unless a URI is given) and resolves with the first diagnostics published for it. */
  open(name: string, text: string): Promise<Diagnostic[]>;
  /** Replaces its text and resolves with the diagnostics of that version. */
  change(name: string, text: string): Promise<Diagnostic[]>;
  /** Replaces its text, not waiting for its diagnostics (as keystrokes come). */
  type(name: string, text: string): Promise<void>;
  /** The next diagnostics published for the document's current version (once more: its target opened since, say). */
  republished(name: string): Promise<Diagnostic[]>;
  /** The versions published for the document so far, in order. */
  publishedVersions(name: string): number[];
  close(name: string): Promise<void>;
  hover(name: string, at: Position): Promise<Hover | null>;
  /** The labels offered at `at`. */
  complete(name: string, at: Position): Promise<{ labels: string[]; items: CompletionItem[]; incomplete: boolean }>;
  definition(name: string, at: Position): Promise<Location | null>;
  /** shutdown, then exit: resolves with the server's exit status. */
  stop(): Promise<number | null>;
}

export function uriOf(name: string): string {
  return name.includes('://') ? name : `file://${ROOT}test/lsp/${name}`;
}

/** `pvm lsp` on `runtime` (`pvm`: another pvm's command line, such as an installed package's). */
export async function startLsp(runtime: Runtime = 'node', initializationOptions?: unknown, prefix: readonly string[] = [], pvm: readonly string[] = commandFor(runtime)): Promise<LspClient> {
  const [command, ...args] = [...prefix, ...pvm, 'lsp'];
  const child = spawn(command!, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const waiting = new Map<string, { version: number; resolve: (d: Diagnostic[]) => void }[]>();
  const published = new Map<string, number[]>();
  connection.onNotification('textDocument/publishDiagnostics', (params: { uri: string; version?: number; diagnostics: Diagnostic[] }) => {
    if (params.version !== undefined) published.set(params.uri, [...(published.get(params.uri) ?? []), params.version]);
    const list = waiting.get(params.uri) ?? [];
    for (const w of list.filter((w) => params.version === undefined || w.version === params.version)) w.resolve(params.diagnostics);
    waiting.set(params.uri, list.filter((w) => !(params.version === undefined || w.version === params.version)));
  });
  connection.listen();
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions });
  await connection.sendNotification('initialized', {});
  const versions = new Map<string, number>();
  const diagnosticsOf = (uri: string, version: number) =>
    new Promise<Diagnostic[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} version ${version}; the server's stderr: ${stderr}`)), 60_000);
      waiting.set(uri, [...(waiting.get(uri) ?? []), { version, resolve: (d) => (clearTimeout(timer), resolve(d)) }]);
    });
  const document = (name: string) => ({ uri: uriOf(name) });
  return {
    child,
    connection,
    async open(name, text) {
      versions.set(name, 1);
      const published = diagnosticsOf(uriOf(name), 1);
      await connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uriOf(name), languageId: 'pvm', version: 1, text } });
      return published;
    },
    async change(name, text) {
      const version = (versions.get(name) ?? 1) + 1;
      versions.set(name, version);
      const published = diagnosticsOf(uriOf(name), version);
      await connection.sendNotification('textDocument/didChange', { textDocument: { uri: uriOf(name), version }, contentChanges: [{ text }] });
      return published;
    },
    type(name, text) {
      const version = (versions.get(name) ?? 1) + 1;
      versions.set(name, version);
      return connection.sendNotification('textDocument/didChange', { textDocument: { uri: uriOf(name), version }, contentChanges: [{ text }] });
    },
    republished: (name) => diagnosticsOf(uriOf(name), versions.get(name) ?? 1),
    publishedVersions: (name) => published.get(uriOf(name)) ?? [],
    close: (name) => connection.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf(name) } }),
    hover: (name, position) => connection.sendRequest('textDocument/hover', { textDocument: document(name), position }),
    async complete(name, position) {
      const answer: CompletionList | CompletionItem[] | null = await connection.sendRequest('textDocument/completion', { textDocument: document(name), position });
      const items = answer === null ? [] : Array.isArray(answer) ? answer : answer.items;
      return { labels: items.map((i) => i.label), items, incomplete: answer !== null && !Array.isArray(answer) && answer.isIncomplete };
    },
    definition: (name, position) => connection.sendRequest('textDocument/definition', { textDocument: document(name), position }),
    async stop() {
      await connection.sendRequest('shutdown');
      await connection.sendNotification('exit');
      const code = await exited;
      connection.dispose();
      return code;
    },
  };
}

/** The position of the `nth` (from 0) occurrence of `needle` in `text`, plus `plus` characters. */
export function positionOf(text: string, needle: string, plus = 0, nth = 0): Position {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' is not in the text`);
  }
  const offset = at + plus;
  const line = text.slice(0, offset).split('\n').length - 1;
  return { line, character: offset - (text.lastIndexOf('\n', offset - 1) + 1) };
}
