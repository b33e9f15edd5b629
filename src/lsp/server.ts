// `pvm lsp`: the language server, on stdin and stdout. Each open recipe is
// analyzed as it changes (recipe-analysis.ts: compiled as `pvm check`
// compiles it) and its diagnostics published, a version already replaced
// skipped; hover, completion and go to definition read the latest analysis.
// A target the recipe names (target-config.ts) is opened read-only
// (target-names.ts), for its module and symbol names and its types, once
// the first line that names it has stayed as it is for a moment (not each
// pid typed on the way), and closed when no open recipe names it. A handler
// that fails logs why and answers nothing: bad input never ends the server.
// The protocol's `exit`, or stdin closing, does.
import { fileURLToPath } from 'node:url';
import { type CompletionItem, CompletionItemKind, type CompletionList, createConnection, type Diagnostic, DiagnosticSeverity, type Hover, type Location, MarkupKind, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { PvmError } from '../errors.ts';
import type { TypeSource } from '../types/type-source.ts';
import { codeCompletions, type Completion, completionContext, namesStarting } from './completion.ts';
import { definitionAt } from './definition.ts';
import { protocolDiagnostic, targetDiagnostic } from './diagnostics.ts';
import { declarationsWhileTyping, type WhileTyping } from './half-written.ts';
import { hoverAt } from './hover.ts';
import { analyzeRecipe, type Declaration, type RecipeAnalysis } from './recipe-analysis.ts';
import { type InitialTarget, type TargetConfig, targetConfig } from './target-config.ts';
import { keyOf, type OpenTarget, TargetNames } from './target-names.ts';

/**
 * One version of a document, analyzed. `document`: that version as it was (TextDocuments updates a
 * document in place as changes come, so positions are taken from this copy, not from the live one).
 */
interface Analyzed {
  readonly document: TextDocument;
  readonly target: TargetConfig | undefined;
  readonly types: TypeSource | undefined;
  readonly analysis: RecipeAnalysis;
  readonly diagnostics: Diagnostic[];
}

const KINDS: Readonly<Record<Completion['kind'], CompletionItemKind>> = {
  keyword: CompletionItemKind.Keyword,
  function: CompletionItemKind.Function,
  type: CompletionItemKind.Struct,
  variable: CompletionItemKind.Variable,
  field: CompletionItemKind.Field,
  module: CompletionItemKind.Module,
  symbol: CompletionItemKind.Reference,
};

/** The recipe's own names first, then builtins, types and words (an editor sorts by sortText before its own matching). */
const RANK: Readonly<Record<Completion['kind'], number>> = { field: 0, variable: 0, module: 0, symbol: 0, function: 1, type: 2, keyword: 3 };

/** How long a first line that names a target must stay as it is before the target is opened (typing `--pid 4242` names 4, 42 and 424 on the way). */
const TARGET_SETTLE_MS = 500;

/**
 * A change to a recipe whose analysis takes this long or more waits as long as it takes (SUPERSEDED_WAIT_MS
 * at most), to be skipped should the next keystroke come meanwhile; a quicker one is analyzed at once.
 */
const SUPERSEDED_FROM_MS = 20;
const SUPERSEDED_WAIT_MS = 150;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function serveLanguage(): Promise<never> {
  // stdout carries the protocol: anything else printed would break it.
  console.log = console.info = console.debug = console.error;
  const connection = createConnection(process.stdin, process.stdout);
  const documents = new TextDocuments(TextDocument);
  const targets = new TargetNames();
  const analyzed = new Map<string, { readonly version: number; readonly result: Promise<Analyzed> }>();
  let initial: InitialTarget;
  /** The last half-written recipe's declarations (completion asks again at each character typed on its line; hover, on any). */
  let lineless: { readonly version: string; readonly line: number; readonly result: Promise<WhileTyping> } | undefined;

  const log = (what: string, error: unknown) => connection.console.error(`pvm lsp: ${what} failed (a bug in pvm, please report it): ${(error as Error)?.stack ?? String(error)}`);
  /** A request's answer, or `fallback` when answering throws. */
  const safely = async <T>(what: string, fallback: T, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      log(what, error);
      return fallback;
    }
  };

  /**
   * The target each open document names (by key; '' for none), and whether it has been named long enough to
   * be opened: `settled` resolves true once the first line has stayed so for TARGET_SETTLE_MS (and the
   * document is read again then, with it), false when another line replaced it first. A target the document
   * was opened with is settled at once.
   */
  const named = new Map<string, { readonly key: string; done: boolean; readonly settled: Promise<boolean>; readonly cancel: () => void }>();

  const naming = (uri: string, config: TargetConfig | undefined) => {
    const key = config === undefined ? '' : keyOf(config);
    const known = named.get(uri);
    if (known?.key === key) return known;
    known?.cancel();
    if (known === undefined || key === '') {
      const now = { key, done: true, settled: Promise.resolve(true), cancel: () => {} };
      named.set(uri, now);
      return now;
    }
    let settle: (settled: boolean) => void = () => {};
    const settled = new Promise<boolean>((resolve) => (settle = resolve));
    const timer = setTimeout(() => {
      entry.done = true;
      settle(true);
      const document = documents.get(uri);
      if (document === undefined) return;
      analyzed.delete(uri);
      void safely('diagnostics', undefined, () => publish(uri, document.version));
    }, TARGET_SETTLE_MS);
    const entry = { key, done: false, settled, cancel: () => (clearTimeout(timer), settle(false)) };
    named.set(uri, entry);
    return entry;
  };

  /** How long each document's last analysis took. */
  const took = new Map<string, number>();

  const analyze = async (live: TextDocument): Promise<Analyzed> => {
    const began = Date.now();
    const text = live.getText();
    const document = TextDocument.create(live.uri, live.languageId, live.version, text);
    const path = pathOf(document.uri);
    const config = targetConfig(text, path, initial);
    const diagnostics: Diagnostic[] = [];
    let target: TargetConfig | undefined;
    let types: TypeSource | undefined;
    const settled = naming(document.uri, config !== undefined && 'spec' in config ? config : undefined).done;
    // Read without a target until the line that names it has stayed as it is (then again, with it).
    if (config === undefined || !('spec' in config) || !settled) targets.release(document.uri);
    if (config !== undefined && !('spec' in config)) diagnostics.push(targetDiagnostic(document, config));
    else if (config !== undefined && settled) {
      const opened = await targets.target(document.uri, config);
      if ('problem' in opened) diagnostics.push(targetDiagnostic(document, opened.problem));
      else {
        target = config;
        try {
          types = await opened.value.types();
        } catch (error) {
          if (!(error instanceof PvmError)) throw error;
          diagnostics.push(targetDiagnostic(document, { code: error.code, message: `target ${config.text}: no types from its debug info: ${error.message}`, hint: error.hint }));
        }
      }
    }
    const analysis = await analyzeRecipe({ name: path ?? document.uri, text }, types);
    diagnostics.push(...analysis.diagnostics.map((d) => protocolDiagnostic(document, d)));
    took.set(document.uri, Date.now() - began);
    return { document, target, types, analysis, diagnostics };
  };

  /** The analysis of the document as it is now (made once per version). */
  const analysisOf = (document: TextDocument): Promise<Analyzed> => {
    // Taken before any await: the analysis reads the text as it is now.
    const known = analyzed.get(document.uri);
    if (known?.version === document.version) return known.result;
    const result = analyze(document);
    analyzed.set(document.uri, { version: document.version, result });
    return result;
  };

  /** Whether `version` is still the document's. */
  const current = (uri: string, version: number) => documents.get(uri)?.version === version;

  /** Publishes the diagnostics of the document's `version`, unless a later one comes first (it publishes its own). */
  const publish = async (uri: string, version: number) => {
    // A keystroke that comes meanwhile replaces this version: its analysis would be thrown away.
    const cost = took.get(uri) ?? 0;
    if (cost >= SUPERSEDED_FROM_MS) await delay(Math.min(SUPERSEDED_WAIT_MS, cost));
    const document = documents.get(uri);
    if (document === undefined || document.version !== version) return;
    let diagnostics: Diagnostic[];
    try {
      diagnostics = (await analysisOf(document)).diagnostics;
    } catch (error) {
      // The last version's diagnostics would stay on screen, true of another text.
      if (current(uri, version)) {
        const message = `pvm could not analyze this recipe (a bug in pvm, please report it): ${(error as Error)?.message ?? String(error)}`;
        await connection.sendDiagnostics({
          uri,
          version,
          diagnostics: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: DiagnosticSeverity.Error, source: 'pvm', message }],
        });
      }
      throw error;
    }
    // A later version's analysis publishes its own.
    if (!current(uri, version)) return;
    await connection.sendDiagnostics({ uri, version, diagnostics });
  };

  /**
   * The declarations to answer from. A recipe that does not parse (a line half written) is read again with
   * what does not parse blanked (half-written.ts), once per version and line.
   */
  const declarationsFor = async (result: Analyzed, offset: number): Promise<readonly Declaration[]> => {
    const syntax = result.analysis.diagnostics.filter((d) => d.code === 'syntax');
    if (syntax.length === 0) return result.analysis.declarations;
    const { document } = result;
    const text = document.getText();
    const version = `${document.uri} ${document.version}`;
    const line = text.lastIndexOf('\n', offset - 1) + 1;
    const known = lineless?.version === version ? await lineless.result : undefined;
    if (known !== undefined && (known.anyLine || lineless?.line === line)) return known.declarations;
    const reading = declarationsWhileTyping(document.uri, text, offset, syntax.map((d) => d.span), result.types);
    lineless = { version, line, result: reading };
    return (await reading).declarations;
  };

  const targetCompletions = async (document: TextDocument, config: TargetConfig | undefined, context: { kind: 'module'; typed: string } | { kind: 'symbol'; module: string; typed: string }): Promise<CompletionList> => {
    if (config === undefined) return { isIncomplete: false, items: [] };
    // A first line just changed: its target once it has stayed so, if it still names it then.
    const name = naming(document.uri, config);
    if (!name.done && !(await name.settled)) return { isIncomplete: true, items: [] };
    const opened = await targets.target(document.uri, config);
    if ('problem' in opened) return { isIncomplete: false, items: [] };
    const target: OpenTarget = opened.value;
    if (context.kind === 'module') {
      const modules = target.moduleNames();
      if ('problem' in modules) {
        targets.forget(config); // it exited, say: opened again next time
        return { isIncomplete: false, items: [] };
      }
      // A name once, with the first path of that name (a library mapped from two places is rare).
      const paths = new Map<string, string>();
      for (const m of modules.value) if (m.name.startsWith(context.typed) && !paths.has(m.name)) paths.set(m.name, m.path);
      return { isIncomplete: false, items: [...paths].map(([label, path]) => ({ label, kind: KINDS.module, detail: path })) };
    }
    const symbols = target.symbolNames(context.module);
    if ('problem' in symbols) {
      targets.forget(config);
      return { isIncomplete: false, items: [] };
    }
    const { names, complete } = namesStarting(symbols.value, context.typed);
    return { isIncomplete: !complete, items: names.map((label) => ({ label, kind: KINDS.symbol, detail: context.module })) };
  };

  connection.onInitialize((params) => {
    initial = params.initializationOptions;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        definitionProvider: true,
        completionProvider: { triggerCharacters: ['.', '"'] },
      },
      serverInfo: { name: 'pvm' },
    };
  });

  documents.onDidChangeContent(({ document }) => {
    const version = document.version; // the document object changes with the next version
    void safely('diagnostics', undefined, () => publish(document.uri, version));
  });
  documents.onDidClose(({ document }) => {
    analyzed.delete(document.uri);
    named.get(document.uri)?.cancel();
    named.delete(document.uri);
    took.delete(document.uri);
    targets.release(document.uri);
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });

  /** The request's document as last analyzed, and the offset it asks about; undefined for a document not open. */
  const at = async (params: { readonly textDocument: { readonly uri: string }; readonly position: { readonly line: number; readonly character: number } }) => {
    const live = documents.get(params.textDocument.uri);
    if (live === undefined) return undefined;
    const result = await analysisOf(live);
    return { result, document: result.document, offset: result.document.offsetAt(params.position) };
  };

  connection.onHover((params) =>
    safely('hover', null, async (): Promise<Hover | null> => {
      const asked = await at(params);
      if (asked === undefined) return null;
      const { result, document, offset } = asked;
      const hover = hoverAt(document.getText(), offset, await declarationsFor(result, offset));
      if (hover === undefined) return null;
      return { contents: { kind: MarkupKind.Markdown, value: hover.markdown }, range: { start: document.positionAt(hover.start), end: document.positionAt(hover.end) } };
    })
  );

  connection.onCompletion((params) =>
    safely('completion', null, async (): Promise<CompletionList | CompletionItem[] | null> => {
      const asked = await at(params);
      if (asked === undefined) return null;
      const { result, document, offset } = asked;
      const text = document.getText();
      const context = completionContext(text, offset);
      if (context.kind === 'none') return [];
      if (context.kind !== 'code') return targetCompletions(document, result.target ?? configOf(text, document.uri, initial), context);
      const found = codeCompletions(context.line, offset, await declarationsFor(result, offset));
      return found.map((c) => ({ label: c.label, kind: KINDS[c.kind], sortText: `${RANK[c.kind]}${c.label}`, ...(c.detail === undefined ? {} : { detail: c.detail }) }));
    })
  );

  connection.onDefinition((params) =>
    safely('definition', null, async (): Promise<Location | null> => {
      const asked = await at(params);
      if (asked === undefined) return null;
      const { result, document, offset } = asked;
      const span = definitionAt(document.getText(), offset, await declarationsFor(result, offset));
      return span === undefined ? null : { uri: document.uri, range: { start: document.positionAt(span.start), end: document.positionAt(span.end) } };
    })
  );

  connection.onShutdown(() => {
    // No first line settling now opens a target after this.
    for (const name of named.values()) name.cancel();
    named.clear();
    targets.close();
  });
  documents.listen(connection);
  connection.listen();
  // The protocol's `exit` notification, or stdin closing, ends the process (vscode-languageserver does).
  return new Promise<never>(() => {});
}

/** A target the recipe names, for completion when its analysis opened none (it could not be opened then). */
function configOf(text: string, uri: string, initial: InitialTarget): TargetConfig | undefined {
  const config = targetConfig(text, pathOf(uri), initial);
  return config !== undefined && 'spec' in config ? config : undefined;
}

/** The file a `file:` URI names (a relative core path in the target comment is the recipe's neighbour). */
function pathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}
