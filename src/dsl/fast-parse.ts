// The parser of recipes: hand-written for the grammar of grammar.ohm, it
// reads a recipe in one pass (a 1 MiB recipe in a fraction of a second, where
// Ohm takes seconds). It gives up on anything it is not sure of (a syntax
// error, a construct it does not handle), one top-level statement at a time:
// Ohm (parse.ts) then parses that statement (fastParsePieces says which), and
// reports the errors; read-recipe.ts joins the two. Past MAX_DEPTH levels of
// nesting of any kind it reports `too-deep` itself (TooDeep). Its words and
// operators are the grammar's (grammar-words.ts, generated from it); where it
// returns a tree, that tree is the one Ohm builds, spans included:
// test/dsl/fast-parse.test.ts holds the two to that on every recipe of the
// repository, and on thousands of generated and mutated ones.
import type * as Ast from './ast.ts';
import { BINARY_LEVELS, type Change, CHANGES, COMPARE_OPERATORS, ESCAPES, EXPRESSION_KEYWORDS, KEYWORDS, SCALAR_TYPES, SCAN_OPTIONS } from './grammar-words.ts';
import { MAX_DEPTH, MAX_SYNTAX_ERRORS } from '../limits.ts';
import { parsePattern } from './pattern-parse.ts';
import type { Span } from './source.ts';

/** The grammar's levels of arithmetic, as the AST's operators (a new one in the grammar is one here too). */
const LEVELS: readonly (readonly Ast.BinaryOperator[])[] = BINARY_LEVELS;
/** Thrown to give up: Ohm takes over. */
const GIVE_UP = Symbol('give up');

/** Thrown where a statement nests deeper than MAX_DEPTH (every kind of nesting counts): a diagnostic, never Ohm's stack overflow. */
class TooDeep {
  readonly offset: number;
  constructor(offset: number) {
    this.offset = offset;
  }
}

/**
 * A recipe in pieces: runs of statements the fast parser read, and between them the top-level statements it
 * was not sure of (`unsure`: from the start of its line to the next top-level statement start after `at`,
 * where it gave up) or that nest too deep. Ohm then reads only the unsure pieces, not the whole recipe: a
 * syntax error after 100 000 good lines costs what the line costs.
 */
export type FastPiece =
  | { readonly kind: 'parsed'; readonly statements: readonly Ast.Statement[] }
  | { readonly kind: 'unsure' | 'too-deep'; readonly start: number; readonly end: number; readonly at: number };

/**
 * `statementStarts`: where top-level statements may start (scanBrackets). With `take`, the statements read
 * before the first piece Ohm must read are given to `take` in order, as soon as they are sure (on a line
 * before the one being read, or past STREAMED_PER_LINE on it), and are not in the pieces: the tree of a large
 * recipe is never whole in memory. `whole` is false when a statement given to `take` is in a piece Ohm
 * must read (on the line of one the fast parser gave up on): should Ohm find no error there, read the recipe
 * again without `take`.
 */
export function fastParsePieces(text: string, statementStarts: readonly number[]): FastPiece[];
export function fastParsePieces(text: string, statementStarts: readonly number[], take: (statement: Ast.Statement) => void): { pieces: FastPiece[]; whole: boolean };
export function fastParsePieces(text: string, statementStarts: readonly number[], take?: (statement: Ast.Statement) => void): FastPiece[] | { pieces: FastPiece[]; whole: boolean } {
  const parser = new FastParser(text);
  const pieces = parser.pieces(statementStarts, take);
  return take === undefined ? pieces : { pieces, whole: parser.whole };
}

/** Statements of one line held back from `take` (see fastParsePieces), at most: 524 288 `print 1;` on one line are not held whole. */
const STREAMED_PER_LINE = 1024;

/** The statements of pieces that are all parsed; undefined if any is not. */
export function parsedRecipe(pieces: readonly FastPiece[]): Ast.Recipe | undefined {
  const statements: Ast.Statement[] = [];
  for (const piece of pieces) {
    if (piece.kind !== 'parsed') return undefined;
    for (const statement of piece.statements) statements.push(statement);
  }
  return { statements };
}

/** A code point's UTF-8 bytes. */
function pushUtf8(bytes: number[], cp: number): void {
  if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isIdentStart = (c: number) => isLetter(c) || c === 0x5f;
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c);
/** Ohm's `letter`: a Unicode letter (lower, upper, title, modifier, other). */
const UNICODE_LETTER = /^\p{L}$/u;
/** The length (1 or 2 UTF-16 units) of the Unicode letter at `at`, or 0. */
function unicodeLetterAt(text: string, at: number): number {
  const cp = text.codePointAt(at);
  if (cp === undefined || cp < 0x80) return 0;
  const ch = String.fromCodePoint(cp);
  return UNICODE_LETTER.test(ch) ? ch.length : 0;
}
/** The end of the run of identifier characters (Ohm's `identPart`: letters, ASCII digits, `_`) from `at`. */
function wordEnd(text: string, at: number): number {
  let end = at;
  for (;;) {
    const c = text.charCodeAt(end);
    if (c < 0x80) {
      if (!isIdentPart(c)) return end;
      end++;
    } else {
      const length = unicodeLetterAt(text, end);
      if (length === 0) return end;
      end += length;
    }
  }
}
/** Whether `word` starts as an identifier does (Ohm's `identStart`: a letter or `_`). */
const startsIdent = (word: string) => isIdentStart(word.charCodeAt(0)) || unicodeLetterAt(word, 0) > 0;
const isHexDigit = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

class FastParser {
  readonly #text: string;
  #at = 0;
  /** Where the last token ended (spans end there, not after the blanks that follow). */
  #last = 0;
  #depth = 0;
  /** See fastParsePieces. */
  whole = true;

  constructor(text: string) {
    this.#text = text;
  }

  /** See fastParsePieces: the top-level statements one at a time, each unsure one set aside for Ohm. */
  pieces(statementStarts: readonly number[], take?: (statement: Ast.Statement) => void): FastPiece[] {
    const text = this.#text;
    const pieces: FastPiece[] = [];
    let statements: Ast.Statement[] = [];
    let unsure = 0;
    /** The start of the last statement given to `take`. */
    let taken = -1;
    /** The index of the first statement start after the statement being read (it only moves forward). */
    let nextLine = 0;
    /** Gives `take` the statements held that start before `before`, or all of them. */
    const give = (before: number): void => {
      let given = 0;
      while (given < statements.length && statements[given]!.span.start < before) take!(statements[given++]!);
      if (given === 0) return;
      taken = statements[given - 1]!.span.start;
      statements = given === statements.length ? [] : statements.slice(given);
    };
    /** The index of the first statement start after `offset` (a binary search). */
    const firstAfter = (offset: number): number => {
      let [low, high] = [0, statementStarts.length];
      while (low < high) {
        const middle = (low + high) >> 1;
        if (statementStarts[middle]! <= offset) low = middle + 1;
        else high = middle;
      }
      return low;
    };
    for (;;) {
      while (this.#isSep()) this.#sep();
      this.#skip();
      if (this.#at >= text.length) break;
      const start = this.#at;
      if (take !== undefined) {
        while (nextLine < statementStarts.length && statementStarts[nextLine]! <= start) nextLine++;
        give(statements.length >= STREAMED_PER_LINE ? Infinity : statementStarts[nextLine - 1] ?? 0);
      }
      try {
        this.#depth = 0;
        const statement = this.#statement();
        this.#skip();
        if (this.#at < text.length && !this.#isSep()) throw GIVE_UP;
        statements.push(statement);
      } catch (error) {
        if (error !== GIVE_UP && !(error instanceof TooDeep)) throw error;
        const at = error instanceof TooDeep ? error.offset : Math.max(this.#at, start);
        // From the top-level line the statement starts on (`let a = 1; let = 2` is given to Ohm whole; so is
        // `}; let = 2` with the block that `}` closes) to the next top-level line after where it gave up.
        const lineStart = statementStarts[firstAfter(start) - 1] ?? 0;
        if (take !== undefined) {
          // What Ohm reads from here on is to be taken after the statements before it: the rest are pieces.
          if (taken >= lineStart) this.whole = false;
          else give(lineStart);
          take = undefined;
        }
        while (statements.length > 0 && statements.at(-1)!.span.start >= lineStart) statements.pop();
        if (statements.length > 0) pieces.push({ kind: 'parsed', statements });
        statements = [];
        const end = statementStarts[firstAfter(at)] ?? text.length;
        pieces.push({ kind: error instanceof TooDeep ? 'too-deep' : 'unsure', start: lineStart, end, at });
        this.#at = end;
        this.#last = end;
        // No more errors are reported than MAX_SYNTAX_ERRORS: the rest (400 000 broken lines) is one piece, not 400 000.
        if (++unsure === MAX_SYNTAX_ERRORS && end < text.length) {
          pieces.push({ kind: 'unsure', start: end, end: text.length, at: end });
          return pieces;
        }
      }
    }
    if (take !== undefined) give(Infinity);
    if (statements.length > 0 || pieces.length === 0) pieces.push({ kind: 'parsed', statements });
    return pieces;
  }

  // ---- characters and words ----

  #code(offset = 0): number {
    return this.#text.charCodeAt(this.#at + offset);
  }

  /** Skips blanks and comments, never a newline (it ends a statement). */
  #skip(): void {
    const text = this.#text;
    for (;;) {
      const c = text.charCodeAt(this.#at);
      if (c === 0x20 || c === 0x09 || c === 0x0d) this.#at++;
      else if (c === 0x23) {
        while (this.#at < text.length && text.charCodeAt(this.#at) !== 0x0a) {
          // A comment ends at "\r\n" too.
          if (text.charCodeAt(this.#at) === 0x0d && text.charCodeAt(this.#at + 1) === 0x0a) break;
          this.#at++;
        }
      } else return; // a non-ASCII character is no blank: the token readers take it (a letter of a name) or give up
    }
  }

  /** After blanks: the word there (letters, Unicode ones too, digits, `_`), without consuming it. */
  #peekWord(): string {
    this.#skip();
    return this.#text.slice(this.#at, wordEnd(this.#text, this.#at));
  }

  #isWord(word: string): boolean {
    return this.#peekWord() === word;
  }

  #word(word: string): Span {
    if (!this.#isWord(word)) throw GIVE_UP;
    const start = this.#at;
    this.#to(this.#at + word.length);
    return { start, end: this.#at };
  }

  /** Moves past a token: spans end where the last token did, not after the blanks that follow it. */
  #to(end: number): void {
    this.#at = end;
    this.#last = end;
  }

  /** Where the next token starts. */
  #start(): number {
    this.#skip();
    return this.#at;
  }

  #isPunct(p: string): boolean {
    this.#skip();
    return this.#text.startsWith(p, this.#at);
  }

  #punct(p: string): Span {
    if (!this.#isPunct(p)) throw GIVE_UP;
    const start = this.#at;
    this.#to(this.#at + p.length);
    return { start, end: this.#at };
  }

  #isSep(): boolean {
    this.#skip();
    const c = this.#code();
    return c === 0x0a || c === 0x3b || (c === 0x0d && this.#code(1) === 0x0a);
  }

  #sep(): void {
    this.#skip();
    if (this.#code() === 0x0d && this.#code(1) === 0x0a) this.#at += 2;
    else if (this.#code() === 0x0a || this.#code() === 0x3b) this.#at++;
    else throw GIVE_UP;
  }

  /** A member's name (after `.`, a struct's field): any name, a word of the language too. */
  #memberName(): Ast.NameReference {
    const word = this.#peekWord();
    if (word === '' || !startsIdent(word)) throw GIVE_UP;
    const start = this.#at;
    this.#to(this.#at + word.length);
    return { kind: 'name', name: word, span: { start, end: this.#at } };
  }

  #ident(): Ast.NameReference {
    const word = this.#peekWord();
    if (word === '' || !startsIdent(word) || KEYWORDS.has(word)) throw GIVE_UP;
    const start = this.#at;
    this.#to(this.#at + word.length);
    return { kind: 'name', name: word, span: { start, end: this.#at } };
  }

  // ---- statements ----

  /** A block's `sep* ListOf<Stmt, sep+> sep*`, up to its `}` (the end of the text: give up). */
  #statements(): Ast.Statement[] {
    const statements: Ast.Statement[] = [];
    for (;;) {
      while (this.#isSep()) this.#sep();
      this.#skip();
      if (this.#at >= this.#text.length || this.#code() === 0x7d) return statements;
      statements.push(this.#statement());
      this.#skip();
      if (this.#at >= this.#text.length || this.#code() === 0x7d) return statements;
      if (!this.#isSep()) throw GIVE_UP;
    }
  }

  #statement(): Ast.Statement {
    this.#skip();
    const start = this.#at;
    const word = this.#peekWord();
    const span = (): Span => ({ start, end: this.#last });
    switch (word) {
      case 'param': {
        this.#word('param');
        const name = this.#ident();
        this.#punct(':');
        const type = this.#type();
        let dflt: Ast.Expression | undefined;
        if (this.#isPunct('=') && !this.#isPunct('==')) {
          this.#punct('=');
          dflt = this.#expr();
        }
        return { kind: 'param', name, type, default: dflt, span: span() };
      }
      case 'let':
      case 'emit': {
        this.#word(word);
        const name = this.#ident();
        this.#assignEquals();
        const value = this.#expr();
        return word === 'let' ? { kind: 'let', name, value, span: span() } : { kind: 'emit', name, value, span: span() };
      }
      case 'print': {
        this.#word('print');
        const values = [this.#expr()];
        while (this.#isPunct(',')) {
          this.#punct(',');
          values.push(this.#expr());
        }
        return { kind: 'print', values, span: span() };
      }
      case 'if':
        return this.#if();
      case 'for': {
        this.#word('for');
        const variable = this.#ident();
        this.#word('in');
        const from = this.#arith();
        let over: Ast.ForRange | Ast.ForList;
        if (this.#isPunct('..')) {
          this.#punct('..');
          over = { kind: 'range', from, to: this.#arith() };
        } else over = { kind: 'list', list: from };
        const limit = this.#limit();
        const body = this.#block();
        return { kind: 'for', variable, over, limit, body, span: span() };
      }
      case 'while': {
        this.#word('while');
        const condition = this.#expr();
        const limit = this.#limit();
        const body = this.#block();
        return { kind: 'while', condition, limit, body, span: span() };
      }
      case 'break':
        this.#word('break');
        return { kind: 'break', span: span() };
      case 'assert': {
        this.#word('assert');
        const condition = this.#expr();
        let message: Ast.Expression | undefined;
        if (this.#isPunct(',')) {
          this.#punct(',');
          message = this.#expr();
        }
        return { kind: 'assert', condition, message, span: span() };
      }
      case 'write': {
        this.#word('write');
        const type = this.#type();
        this.#word('at');
        const address = this.#arith();
        this.#assignEquals();
        const value = this.#expr();
        return { kind: 'write', type, address, value, span: span() };
      }
      case 'dump': {
        this.#word('dump');
        const address = this.#arith();
        this.#punct(',');
        const length = this.#arith();
        return { kind: 'dump', address, length, span: span() };
      }
      case 'patch':
        return this.#patch();
      case 'struct':
      case 'union':
      case 'enum':
        // `struct = 1` assigns a name: a declaration has a name after the word.
        if (this.#lookAhead(() => (this.#word(word), this.#ident(), true))) return this.#typeDeclaration(word);
        return this.#assignment(start);
      default:
        return this.#assignment(start);
    }
  }

  /** `name = EXPR` */
  #assignment(start: number): Ast.AssignStatement {
    const name = this.#ident();
    this.#assignEquals();
    const value = this.#expr();
    return { kind: 'assign', name, value, span: { start, end: this.#last } };
  }

  /** `=` of a let, emit, write or assignment (not `==`). */
  #assignEquals(): void {
    if (this.#isPunct('==')) throw GIVE_UP;
    this.#punct('=');
  }

  #limit(): Ast.Expression | undefined {
    if (!this.#isWord('limit')) return undefined;
    this.#word('limit');
    return this.#arith();
  }

  #if(): Ast.IfStatement {
    this.#skip();
    const start = this.#at;
    this.#word('if');
    const condition = this.#expr();
    const then = this.#block();
    let otherwise: Ast.Statement[] | undefined;
    if (this.#isWord('else')) {
      this.#word('else');
      if (this.#isWord('if')) {
        // An `else if` nests one level deeper in the tree (its `if` is the else branch), as a block does.
        this.#enter();
        otherwise = [this.#if()];
        this.#depth--;
      } else otherwise = this.#block();
    }
    return { kind: 'if', condition, then, otherwise, span: { start, end: this.#last } };
  }

  #block(): Ast.Statement[] {
    this.#punct('{');
    this.#enter();
    const statements = this.#statements();
    this.#depth--;
    this.#punct('}');
    return statements;
  }

  #patch(): Ast.PatchStatement {
    this.#skip();
    const start = this.#at;
    this.#word('patch');
    this.#skip();
    const name = this.#code() === 0x22 ? this.#string() : undefined;
    const freeze = this.#isWord('freeze');
    if (freeze) this.#word('freeze');
    let sites: Ast.PatchSite[];
    if (this.#isPunct('{')) {
      this.#punct('{');
      sites = [];
      for (;;) {
        while (this.#isSep()) this.#sep();
        if (this.#isPunct('}')) break;
        sites.push(this.#site());
        if (this.#isPunct('}')) break;
        if (!this.#isSep()) throw GIVE_UP;
      }
      this.#punct('}');
      if (sites.length === 0) throw GIVE_UP;
    } else sites = [this.#site()];
    return { kind: 'patch', name, freeze, sites, span: { start, end: this.#last } };
  }

  #site(): Ast.PatchSite {
    this.#skip();
    const start = this.#at;
    this.#word('at');
    const address = this.#arith();
    let expect: Ast.Datum | undefined;
    if (this.#isWord('expect')) {
      this.#word('expect');
      expect = this.#datum();
    }
    this.#word('with');
    const replacement = this.#datum();
    return { address, expect, replacement, span: { start, end: this.#last } };
  }

  /** `struct X [packed] { f: T; … }`, `union X { … }`, `enum X [: T] { a, b = 2 }`. */
  #typeDeclaration(tag: 'struct' | 'union' | 'enum'): Ast.TypeDeclaration {
    this.#skip();
    const start = this.#at;
    this.#word(tag);
    const name = this.#ident();
    let packed = false;
    if (tag === 'struct' && this.#isWord('packed')) {
      this.#word('packed');
      packed = true;
    }
    let base: Ast.TypeExpression | undefined;
    if (tag === 'enum' && this.#isPunct(':')) {
      this.#punct(':');
      base = this.#typeExpression();
    }
    const fields: Ast.FieldDeclaration[] = [];
    const enumerators: Ast.EnumeratorDeclaration[] = [];
    this.#punct('{');
    this.#enter();
    const isMemberSep = () => this.#isSep() || this.#isPunct(',');
    const memberSep = () => (this.#isPunct(',') ? this.#punct(',') : this.#sep());
    for (;;) {
      while (isMemberSep()) memberSep();
      if (this.#isPunct('}')) break;
      this.#skip();
      const memberStart = this.#at;
      const memberName = tag === 'enum' ? this.#ident() : this.#memberName();
      if (tag === 'enum') {
        let value: Ast.Expression | undefined;
        if (this.#isPunct('=') && !this.#isPunct('==')) {
          this.#punct('=');
          value = this.#arith();
        }
        enumerators.push({ name: memberName, value, span: { start: memberStart, end: this.#last } });
      } else {
        this.#punct(':');
        const type = this.#typeExpression();
        let at: Ast.Expression | undefined;
        if (this.#isWord('at')) {
          this.#word('at');
          at = this.#arith();
        }
        fields.push({ name: memberName, type, at, span: { start: memberStart, end: this.#last } });
      }
      if (this.#isPunct('}')) break;
      if (!isMemberSep()) throw GIVE_UP;
    }
    this.#depth--;
    this.#punct('}');
    return { kind: 'type', tag, name, packed, fields, enumerators, base, span: { start, end: this.#last } };
  }

  /** A C type: `u32`, `struct X`, then any `*` and `[N]` (as Ohm's left recursion reads them, greedily). */
  #typeExpression(): Ast.TypeExpression {
    this.#skip();
    const start = this.#at;
    const depth = this.#depth;
    const word = this.#peekWord();
    let type: Ast.TypeExpression;
    this.#enter();
    if ((word === 'struct' || word === 'union' || word === 'enum') && this.#lookAhead(() => (this.#word(word), this.#ident(), true))) {
      this.#word(word);
      const name = this.#ident();
      type = { kind: 'named', tag: word, name: name.name, span: { start, end: this.#last } };
    } else {
      const name = this.#ident();
      type = { kind: 'named', tag: undefined, name: name.name, span: name.span };
    }
    for (;;) {
      if (this.#isPunct('*')) {
        this.#enter(this.#punct('*').start);
        type = { kind: 'pointer', target: type, span: { start, end: this.#last } };
      } else if (this.#isPunct('[')) {
        this.#enter(this.#punct('[').start);
        const count = this.#isPunct(']') ? undefined : this.#arith();
        this.#punct(']');
        type = { kind: 'array', element: type, count, span: { start, end: this.#last } };
      } else break;
    }
    this.#depth = depth;
    return type;
  }

  // ---- types and data ----

  #type(): Ast.TypeRef {
    this.#skip();
    const start = this.#at;
    const word = this.#peekWord();
    if (word === '' || !isLetter(word.charCodeAt(0))) throw GIVE_UP;
    if (word === 'cstring' && this.#lookAhead(() => (this.#word('cstring'), this.#isWord('max')))) {
      this.#word('cstring');
      this.#word('max');
      const size = this.#primary();
      return { name: 'cstring', size, span: { start, end: this.#last } };
    }
    if ((word === 'bytes' || word === 'utf16') && this.#lookAhead(() => (this.#word(word), this.#startsPrimary()))) {
      this.#word(word);
      const size = this.#primary();
      return { name: word, size, span: { start, end: this.#last } };
    }
    // typeName is letters and digits: `u32_t` is not a type Ohm reads.
    if (word.includes('_')) throw GIVE_UP;
    this.#word(word);
    return { name: word, size: undefined, span: { start, end: this.#last } };
  }

  /** Runs `probe` and puts the position back: a look ahead. */
  #lookAhead(probe: () => boolean): boolean {
    const [at, last, depth] = [this.#at, this.#last, this.#depth];
    try {
      return probe();
    } catch (error) {
      if (error === GIVE_UP) return false;
      throw error;
    } finally {
      [this.#at, this.#last, this.#depth] = [at, last, depth];
    }
  }

  /** Whether a Primary can start here (the choice between `bytes N` and the type name `bytes`). */
  #startsPrimary(): boolean {
    this.#skip();
    const c = this.#code();
    if (c === 0x28 || c === 0x5b || c === 0x22 || isDigit(c)) return true;
    const word = this.#peekWord();
    return word !== '' && startsIdent(word) && (!KEYWORDS.has(word) || EXPRESSION_KEYWORDS.has(word));
  }

  #startsArith(): boolean {
    return this.#startsPrimary() || this.#isPunct('-') || this.#isPunct('~');
  }

  #datum(): Ast.Datum {
    this.#skip();
    const start = this.#at;
    const word = this.#peekWord();
    if (SCALAR_TYPES.has(word) && this.#lookAhead(() => (this.#word(word), this.#startsArith()))) {
      const typeSpan = this.#word(word);
      const value = this.#arith();
      return { kind: 'typed', type: { name: word, size: undefined, span: typeSpan }, value, span: { start, end: this.#last } };
    }
    if (word === 'utf16' && this.#lookAhead(() => (this.#word('utf16'), this.#startsArith()))) {
      this.#word('utf16');
      const value = this.#arith();
      return { kind: 'utf16', value, span: { start, end: this.#last } };
    }
    const value = this.#arith();
    return { kind: 'plain', value, span: { start, end: this.#last } };
  }

  // ---- expressions ----

  /**
   * One level deeper: every kind of nesting counts on this one counter (a primary, a block, a unary operator,
   * an `else if`, each operator of a chain and each `[i]` or `.field` of one, whose trees are as deep as
   * the chain is long). The caller takes the level back (`#depth -= n`) once the node is built; a statement
   * that gives up starts again from 0.
   */
  #enter(at = this.#at): void {
    if (++this.#depth > MAX_DEPTH) throw new TooDeep(at);
  }

  #expr(): Ast.Expression {
    const start = this.#start();
    const depth = this.#depth;
    let left = this.#and();
    while (this.#isPunct('||')) {
      this.#enter(this.#punct('||').start);
      const right = this.#and();
      left = { kind: 'logical', operator: '||', left, right, span: { start, end: this.#last } };
    }
    this.#depth = depth;
    return left;
  }

  #and(): Ast.Expression {
    const start = this.#start();
    const depth = this.#depth;
    let left = this.#not();
    while (this.#isPunct('&&')) {
      this.#enter(this.#punct('&&').start);
      const right = this.#not();
      left = { kind: 'logical', operator: '&&', left, right, span: { start, end: this.#last } };
    }
    this.#depth = depth;
    return left;
  }

  #not(): Ast.Expression {
    if (this.#isPunct('!') && !this.#isPunct('!=')) {
      const bang = this.#punct('!');
      this.#enter(bang.start);
      const operand = this.#not();
      this.#depth--;
      return { kind: 'not', operand, span: { start: bang.start, end: this.#last } };
    }
    const start = this.#start();
    const left = this.#arith();
    this.#skip();
    const operator = COMPARE_OPERATORS.find((op) => this.#text.startsWith(op, this.#at));
    if (operator === undefined) return left;
    // `a << b` and `a >> b` were taken by #arith; what is left here is a comparison.
    this.#punct(operator);
    const right = this.#arith();
    return { kind: 'compare', operator, left, right, span: { start, end: this.#last } };
  }

  /** Arithmetic, by C's precedence: | ^ & (<< >>) (+ -) (* / %), then unary and postfix. */
  #arith(): Ast.Expression {
    return this.#binary(0);
  }

  #binary(level: number): Ast.Expression {
    if (level === LEVELS.length) return this.#cast();
    const start = this.#start();
    const depth = this.#depth;
    let left = this.#binary(level + 1);
    for (;;) {
      this.#skip();
      const operator = LEVELS[level]!.find((op) => this.#text.startsWith(op, this.#at) && !this.#doubled(op));
      if (operator === undefined) {
        this.#depth = depth;
        return left;
      }
      const operatorSpan = this.#punct(operator);
      this.#enter(operatorSpan.start);
      const right = this.#binary(level + 1);
      left = { kind: 'binary', operator, left, right, operatorSpan, span: { start, end: this.#last } };
    }
  }

  /** `|` of `||`, `&` of `&&`, `<` of `<=`: another operator, not this one. */
  #doubled(op: string): boolean {
    const next = this.#text.charCodeAt(this.#at + op.length);
    if (op === '|') return next === 0x7c;
    if (op === '&') return next === 0x26;
    return false;
  }

  /** `from "MODULE"` after a type, or nothing. */
  #from(): Ast.StringLiteral | undefined {
    if (!this.#isWord('from')) return undefined;
    this.#word('from');
    this.#skip();
    if (this.#code() !== 0x22) throw GIVE_UP;
    return this.#string();
  }

  /** `E as TYPE [from "MODULE"]`, binding tighter than `*` and looser than `-` (Ohm's Cast). */
  #cast(): Ast.Expression {
    const start = this.#start();
    const depth = this.#depth;
    let value = this.#unary();
    while (this.#isWord('as')) {
      this.#enter(this.#word('as').start);
      const type = this.#typeExpression();
      const module = this.#from();
      value = { kind: 'cast', value, type, module, span: { start, end: this.#last } };
    }
    this.#depth = depth;
    return value;
  }

  #unary(): Ast.Expression {
    this.#skip();
    const c = this.#code();
    if (c === 0x2d || c === 0x7e) {
      const start = this.#at;
      this.#to(this.#at + 1);
      this.#enter(start);
      const operand = this.#unary();
      this.#depth--;
      return { kind: 'unary', operator: c === 0x2d ? '-' : '~', operand, span: { start, end: this.#last } };
    }
    return this.#postfix();
  }

  #postfix(): Ast.Expression {
    const start = this.#start();
    const depth = this.#depth;
    let object = this.#primary();
    for (;;) {
      this.#skip();
      if (this.#code() === 0x2e && this.#code(1) !== 0x2e) {
        // `.field`, but not `..` of a range
        const field = this.#lookAhead(() => (this.#punct('.'), this.#memberName(), true));
        if (!field) throw GIVE_UP;
        this.#enter(this.#punct('.').start);
        const name = this.#memberName();
        object = { kind: 'field', object, field: name, span: { start, end: this.#last } };
      } else if (this.#code() === 0x5b) {
        this.#enter(this.#punct('[').start);
        const index = this.#arith();
        const close = this.#punct(']');
        object = { kind: 'index', object, index, span: { start, end: close.end } };
      } else {
        this.#depth = depth;
        return object;
      }
    }
  }

  #primary(): Ast.Expression {
    this.#skip();
    this.#enter();
    const expression = this.#primaryHere();
    this.#depth--;
    return expression;
  }

  #primaryHere(): Ast.Expression {
    const start = this.#at;
    const c = this.#code();
    if (c === 0x28) {
      this.#punct('(');
      const inner = this.#expr();
      this.#punct(')');
      return inner;
    }
    if (c === 0x5b) return this.#bracket();
    if (c === 0x22) return this.#string();
    if (isDigit(c)) return this.#number();
    const word = this.#peekWord();
    if (word === 'hex' && this.#code(3) === 0x22) return this.#hexString();
    switch (word) {
      case 'read': {
        this.#word('read');
        const type = this.#type();
        this.#word('at');
        const address = this.#arith();
        return { kind: 'read', type, address, span: { start, end: this.#last } };
      }
      case 'scan':
        return this.#scan();
      case 'pointerscan':
        return this.#pointerScan();
      case 'narrow':
        return this.#narrow();
      case 'true':
      case 'false':
        this.#word(word);
        return { kind: 'boolean', value: word === 'true', span: { start, end: this.#at } };
    }
    // `sizeof(TYPE)`, `offsetof(TYPE, a.b[2])`; anything else after the word is Ohm's to read (a call).
    if (word === 'sizeof' || word === 'offsetof') {
      this.#word(word);
      this.#punct('(');
      const type = this.#typeExpression();
      const module = this.#from();
      if (word === 'sizeof') {
        this.#punct(')');
        return { kind: 'sizeof', type, module, span: { start, end: this.#last } };
      }
      this.#punct(',');
      const path: Ast.OffsetofExpression['path'][number][] = [{ kind: 'member', name: this.#memberName() }];
      for (;;) {
        if (this.#isPunct('.')) {
          this.#punct('.');
          path.push({ kind: 'member', name: this.#memberName() });
        } else if (this.#isPunct('[')) {
          const open = this.#punct('[');
          const index = this.#arith();
          this.#punct(']');
          path.push({ kind: 'index', index, span: { start: open.start, end: this.#last } });
        } else break;
      }
      this.#punct(')');
      return { kind: 'offsetof', type, module, path, span: { start, end: this.#last } };
    }
    const name = this.#ident();
    if (this.#isPunct('(')) {
      this.#punct('(');
      const args: Ast.Expression[] = [];
      if (!this.#isPunct(')')) {
        args.push(this.#expr());
        while (this.#isPunct(',')) {
          this.#punct(',');
          args.push(this.#expr());
        }
      }
      const close = this.#punct(')');
      return { kind: 'call', callee: name, args, span: { start, end: close.end } };
    }
    return name;
  }

  /** `[]`, `[a, b]`, `[a,]` (a list) or `[E]` (the pointer at E). */
  #bracket(): Ast.Expression {
    const open = this.#punct('[');
    if (this.#isPunct(']')) return { kind: 'list', items: [], span: { start: open.start, end: this.#punct(']').end } };
    const first = this.#expr();
    if (this.#isPunct(']')) {
      if (first.kind === 'compare' || first.kind === 'logical' || first.kind === 'not') throw GIVE_UP;
      return { kind: 'deref', address: first, span: { start: open.start, end: this.#punct(']').end } };
    }
    const items = [first];
    this.#punct(',');
    while (!this.#isPunct(']')) {
      items.push(this.#expr());
      if (this.#isPunct(']')) break;
      this.#punct(',');
    }
    return { kind: 'list', items, span: { start: open.start, end: this.#punct(']').end } };
  }

  /** `narrow LIST TYPE TEST` (grammar.ohm's Narrow). */
  #narrow(): Ast.NarrowExpression {
    const start = this.#start();
    this.#word('narrow');
    const list = this.#postfix();
    if (this.#isWord('to')) {
      const toStart = this.#start();
      this.#word('to');
      const address = this.#arith();
      return { kind: 'narrow', list, type: undefined, test: { kind: 'to', address, span: { start: toStart, end: this.#last } }, span: { start, end: this.#last } };
    }
    const typeName = this.#peekWord();
    if (!SCALAR_TYPES.has(typeName)) throw GIVE_UP;
    const typeSpan = this.#word(typeName);
    const testStart = this.#start();
    let test: Ast.NarrowTest;
    const operator = COMPARE_OPERATORS.find((op) => this.#text.startsWith(op, this.#at));
    const word = this.#peekWord();
    if (operator !== undefined) {
      this.#punct(operator);
      const value = this.#arith();
      let within: Ast.Expression | undefined;
      if (this.#isWord('within')) {
        this.#word('within');
        within = this.#arith();
      }
      test = { kind: 'compare', operator, value, within, span: { start: testStart, end: this.#last } };
    } else if (word === 'between') {
      this.#word('between');
      const low = this.#arith();
      this.#word('and');
      const high = this.#arith();
      test = { kind: 'between', low, high, span: { start: testStart, end: this.#last } };
    } else if (word === 'any') {
      this.#word('any');
      test = { kind: 'any', span: { start: testStart, end: this.#last } };
    } else if (CHANGES.has(word)) {
      this.#word(word);
      test = { kind: 'change', change: word as Change, span: { start: testStart, end: this.#last } };
    } else throw GIVE_UP;
    return { kind: 'narrow', list, type: { name: typeName, size: undefined, span: typeSpan }, test, span: { start, end: this.#last } };
  }

  /** `pointerscan to ADDR depth D offset MAX [limit N]` (grammar.ohm's PointerScan). */
  #pointerScan(): Ast.PointerScanExpression {
    const start = this.#start();
    this.#word('pointerscan');
    this.#word('to');
    const address = this.#arith();
    const given = new Map<string, Ast.Expression | undefined>();
    const repeated: Span[] = [];
    for (;;) {
      const option = this.#peekWord();
      if (option !== 'depth' && option !== 'offset' && option !== 'limit' && option !== 'in' && option !== 'stacks') break;
      const optionStart = this.#at;
      this.#word(option);
      const value = option === 'stacks' ? undefined : this.#primary();
      if (given.has(option)) repeated.push({ start: optionStart, end: this.#last });
      else given.set(option, value);
    }
    return { kind: 'pointerscan', address, depth: given.get('depth'), offset: given.get('offset'), limit: given.get('limit'), within: given.get('in'), stacks: given.has('stacks'), repeated, span: { start, end: this.#last } };
  }

  #scan(): Ast.ScanExpression {
    this.#skip();
    const start = this.#at;
    this.#word('scan');
    const needle = this.#datum();
    this.#word('in');
    this.#skip();
    const rangeStart = this.#at;
    let range: Ast.ScanExpression['range'];
    const word = this.#peekWord();
    if (word === 'all' || word === 'anon') range = { kind: word, span: this.#word(word) };
    else {
      const region = this.#arith();
      range = { kind: 'region', region, span: { start: rangeStart, end: this.#last } };
    }
    const given = new Map<string, Ast.Expression | undefined>();
    const repeated: Span[] = [];
    for (;;) {
      const option = this.#peekWord();
      if (!SCAN_OPTIONS.has(option)) break;
      const optionStart = this.#at;
      this.#word(option);
      const value = option === 'unique' ? undefined : this.#primary();
      if (given.has(option)) repeated.push({ start: optionStart, end: this.#last });
      else given.set(option, value);
    }
    return { kind: 'scan', needle, range, perms: given.get('perms'), align: given.get('align'), limit: given.get('limit'), unique: given.has('unique'), repeated, span: { start, end: this.#last } };
  }

  // ---- literals (lexical: no blanks inside) ----

  #number(): Ast.IntegerLiteral | Ast.FloatLiteral {
    const text = this.#text;
    const start = this.#at;
    let end = start;
    while (isDigit(text.charCodeAt(end))) end++;
    if (text.charCodeAt(end) === 0x2e && isDigit(text.charCodeAt(end + 1))) {
      end++;
      while (isDigit(text.charCodeAt(end))) end++;
      this.#to(end);
      return { kind: 'float', value: Number(text.slice(start, end)), span: { start, end } };
    }
    const prefix = text.slice(start, start + 2);
    if ((prefix === '0x' || prefix === '0X' || prefix === '0b') && prefix !== '0X') {
      const digit = prefix === '0x' ? isHexDigit : (c: number) => c === 0x30 || c === 0x31;
      end = start + 2;
      if (!digit(text.charCodeAt(end))) throw GIVE_UP;
      while (digit(text.charCodeAt(end)) || text.charCodeAt(end) === 0x5f) end++;
    } else {
      end = start + 1;
      while (isDigit(text.charCodeAt(end)) || text.charCodeAt(end) === 0x5f) end++;
    }
    // A name or number glued to it (`12ab`, `0x1g`) is Ohm's to explain.
    if (isIdentPart(text.charCodeAt(end))) throw GIVE_UP;
    this.#to(end);
    return { kind: 'integer', value: BigInt(text.slice(start, end).replaceAll('_', '')), span: { start, end } };
  }

  #string(): Ast.StringLiteral {
    const text = this.#text;
    const start = this.#at;
    this.#at++; // "
    let value = '';
    const bytes: number[] = [];
    for (;;) {
      const c = text.charCodeAt(this.#at);
      if (Number.isNaN(c) || c === 0x0a || (c === 0x0d && text.charCodeAt(this.#at + 1) === 0x0a)) throw GIVE_UP;
      if (c === 0x22) break;
      if (c === 0x5c) {
        const e = text[this.#at + 1] ?? '';
        if (e === 'x' && isHexDigit(text.charCodeAt(this.#at + 2)) && isHexDigit(text.charCodeAt(this.#at + 3))) {
          const byte = parseInt(text.slice(this.#at + 2, this.#at + 4), 16);
          value += String.fromCharCode(byte);
          bytes.push(byte);
          this.#at += 4;
          continue;
        }
        const escaped = ESCAPES[e];
        if (escaped === undefined) throw GIVE_UP;
        value += escaped;
        bytes.push(escaped.charCodeAt(0));
        this.#at += 2;
        continue;
      }
      if (c >= 0x80) {
        // A code point (a pair of surrogates is one, as Ohm's `any` reads it), as UTF-8 (a lone surrogate as U+FFFD, as TextEncoder writes it).
        const cp = text.codePointAt(this.#at)!;
        const units = cp > 0xffff ? 2 : 1;
        value += text.slice(this.#at, this.#at + units);
        pushUtf8(bytes, cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp);
        this.#at += units;
        continue;
      }
      value += text[this.#at];
      bytes.push(c);
      this.#at++;
    }
    this.#to(this.#at + 1);
    return { kind: 'string', value, bytes: Uint8Array.from(bytes), span: { start, end: this.#at } };
  }

  #hexString(): Ast.BytesLiteral {
    const text = this.#text;
    const start = this.#at;
    this.#at += 4; // hex"
    const from = this.#at;
    while (this.#at < text.length && text.charCodeAt(this.#at) !== 0x22 && text.charCodeAt(this.#at) !== 0x0a) {
      if (text.charCodeAt(this.#at) === 0x0d && text.charCodeAt(this.#at + 1) === 0x0a) throw GIVE_UP;
      this.#at++;
    }
    if (text.charCodeAt(this.#at) !== 0x22) throw GIVE_UP;
    const inner = text.slice(from, this.#at);
    this.#to(this.#at + 1);
    const result = parsePattern(inner);
    return { kind: 'bytes', pattern: result.ok ? result.pattern : undefined, problem: result.ok ? undefined : result.problem, text: inner, span: { start, end: this.#at } };
  }
}
