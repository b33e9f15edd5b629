// Issue 16, item 18 (the long tier): `npm run fuzz [-- --seconds N --seed S]`.
// Fuzzers, each given a share of the time, against the built dist/ (Node):
//   recipes   generated from the grammar's statements and run with --dry-run
//             against the live C fixture (reads, scans, writes and patches
//             that are verified and never sent)
//   journals  valid journal lines, mutated, read as `pvm revert` reads them
//   policies  valid policies, mutated, parsed as --policy parses them
//   cores     a snapshot of the fixture with bytes of its headers and notes
//             flipped, or cut short, opened, read and resolved as --core does
//   policy rules  read.deny rules that resolve, cannot, or cover the value a
//             recipe reads, through the CLI's session and guard: a rule pvm
//             cannot resolve must refuse the run, a denied value never show
//   dwarf     the DWARF sections of a gcc -g program (and, when installed,
//             of libc's debug file) with bytes flipped, replaced or cut
//             short, plain and compressed, read as types are looked up
//   (and the classes of issue 29 the fuzzers below the list name)
// Nothing may fail except with pvm's own errors (exit 2, 3, 4, 5): anything
// else is a crash. Each crash is written to a directory (printed) with its
// input, and the run exits 1. Deterministic for a seed.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { random, recipeGenerator } from './recipe-generator.mjs';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, seed: { type: 'string', default: String(Date.now() % 1e9) } } });
const seconds = Number(values.seconds);
const seed = Number(values.seed);

execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
const dist = (path) => import(join(root, 'dist', path));
const { PvmError } = await dist('errors.js');
const { compileSource } = await dist('dsl/compile-source.js');
const { execute } = await dist('runtime/execute.js');
const { bindParams } = await dist('runtime/params.js');
const { LiveProcess } = await dist('target/live-process.js');
const { CoreTarget } = await dist('target/core-target.js');
const { ModuleResolver } = await dist('runtime/symbols/modules.js');
const { readJournal } = await dist('cli/journal-read.js');
const { journalLine } = await dist('runtime/journal/journal.js');
const { parsePolicy } = await dist('policy/load.js');

const next = random(seed);

const work = mkdtempSync(join(tmpdir(), 'pvm-fuzz-'));
const crashes = join(work, 'crashes');
mkdirSync(crashes);
const tally = {};
let crashCount = 0;

/** Runs one case; pvm's own errors are fine, anything else is a crash kept with its input. */
function attempt(kind, input, body) {
  tally[kind] ??= { cases: 0, refused: 0, slowest: 0, codes: new Map() };
  const started = performance.now();
  try {
    body();
  } catch (error) {
    if (error instanceof PvmError) {
      tally[kind].refused++;
      const code = error.diagnostics?.[0]?.code ?? error.code;
      tally[kind].codes.set(code, (tally[kind].codes.get(code) ?? 0) + 1);
    } else {
      crashCount++;
      writeFileSync(join(crashes, `${kind}-${crashCount}.txt`), `${typeof input === 'string' ? input : JSON.stringify(input)}\n\n${error?.stack ?? error}\n`);
    }
  }
  tally[kind].cases++;
  tally[kind].slowest = Math.max(tally[kind].slowest, performance.now() - started);
}

// The live fixture, built as the tests build it.
const fixtureBinary = join(root, 'test/.build/target');
if (!existsSync(fixtureBinary)) {
  mkdirSync(join(root, 'test/.build'), { recursive: true });
  execFileSync('cc', ['-O0', '-g', '-Wall', '-pthread', '-o', fixtureBinary, join(root, 'test/fixture/target.c')]);
}
// A grandchild, not a child: Node reaps its own children's wait statuses (SIGCHLD), ptrace stops included,
// which would take them from pvm's freeze. It ends when this script does (its stdin closes).
const child = spawn('sh', ['-c', 'exec 3<&0; "$0" <&3 & wait', fixtureBinary], { stdio: ['pipe', 'pipe', 'inherit'] });
const info = await new Promise((resolve) => child.stdout.once('data', (chunk) => resolve(JSON.parse(chunk.toString().split('\n')[0]))));
const fixturePid = Number(info.pid);
const live = await LiveProcess.open(fixturePid);
const addresses = Object.entries(info).filter(([, v]) => typeof v === 'string' && v.startsWith('0x')).map(([, v]) => v);

// ---- recipes, generated from the grammar (recipe-generator.mjs) ----
/** Budgets small enough that every case ends quickly (the defaults let a recipe scan 64 GiB). */
const FUZZ_LIMITS = { steps: 10_000, readBytes: 16 << 20, loopIterations: 1000n, scanBytes: 256 << 20, scanHits: 1000 };

function fuzzRecipes(until) {
  const generate = recipeGenerator(next, addresses);
  while (performance.now() < until) {
    const text = generate(2, 1 + next.int(6));
    writeFileSync(join(work, 'current.pvm'), text); // what was running, should a case hang
    if (process.env.FUZZ_TRACE) process.stderr.write(`--- case\n${text}\n`);
    attempt('recipes', text, () => {
      const plan = compileSource({ name: 'fuzz.pvm', text });
      execute({ plan, target: live, params: bindParams(plan, new Map()), output: () => {}, dryRun: true, limits: FUZZ_LIMITS });
    });
  }
}

// ---- mutations of text and bytes ----
function mutateText(text) {
  let out = text;
  for (let edits = 1 + next.int(4); edits > 0; edits--) {
    const at = next.int(out.length + 1);
    const choice = next();
    if (choice < 0.3) out = out.slice(0, at) + next.pick(['"', '{', '}', ',', ':', '-1', '1e400', 'null', '[]', '"0x"', '\n', '\\u0000', '99999999999999999999', 'true']) + out.slice(at);
    else if (choice < 0.6) out = out.slice(0, at) + out.slice(at + 1 + next.int(12));
    else if (choice < 0.8) out = out.slice(0, at);
    else {
      const from = next.int(out.length);
      out = out.slice(0, at) + out.slice(from, from + next.int(40)) + out.slice(at);
    }
  }
  return out;
}

function fuzzJournals(until) {
  const entry = (i) => ({
    pid: fixturePid,
    startTime: '1',
    exe: fixtureBinary,
    recipe: { name: 'r.pvm', sha256: '0'.repeat(64) },
    statement: i % 2 ? 'patch' : 'write',
    patch: i % 2 ? 'p' : undefined,
    line: i + 1,
    address: BigInt(next.pick(addresses)),
    module: undefined,
    old: new Uint8Array([1, 2, 3, 4]),
    new: new Uint8Array([5, 6, 7, 8]),
  });
  const lines = Array.from({ length: 4 }, (_, i) => `${journalLine(entry(i))}\n`);
  // Journals as crashes and full disks leave them: a line cut short, with the entries after it on lines of their
  // own (as pvm appends) or the next one glued onto it (as pvms before issue 29 appended). Unmutated, every whole
  // entry must be read back: a cut line loses only itself.
  const shapes = [
    () => ({ text: lines.join(''), whole: lines.length }),
    () => {
      const cut = lines.length - 1;
      return { text: lines.slice(0, cut).join('') + lines[cut].slice(0, 1 + next.int(lines[cut].length - 2)), whole: cut };
    },
    () => {
      const cut = next.int(lines.length - 1);
      const part = lines[cut].slice(0, 1 + next.int(lines[cut].length - 2));
      return { text: [...lines.slice(0, cut), part, next() < 0.5 ? '\n' : '', ...lines.slice(cut + 1)].join(''), whole: lines.length - 1 };
    },
  ];
  const path = join(work, 'journal.jsonl');
  while (performance.now() < until) {
    const shape = next.pick(shapes)();
    const mutated = next() < 0.8;
    const text = mutated ? mutateText(shape.text) : shape.text;
    writeFileSync(path, text);
    attempt('journals', text, () => {
      const { entries } = readJournal(path);
      if (!mutated && entries.length !== shape.whole) throw new Error(`read ${entries.length} entries of a journal with ${shape.whole} whole ones`);
    });
  }
}

function fuzzPolicies(until) {
  const valid = JSON.stringify(
    {
      targets: [{ exe: fixtureBinary, uid: 0 }],
      read: { allow: ['module:target', 'anon', '[heap]', '0x1000-0x2000'], deny: ['symbol:target:secret'], maxBytes: 1 << 20 },
      write: { allow: true, regions: ['anon'], code: false, maxBytes: 64 },
      scan: { maxHits: 10, maxBytes: 1 << 30 },
      run: { maxSteps: 1000, maxSeconds: 5 },
      freeze: { allow: true, maxMillis: 50 },
    },
    null,
    1,
  );
  while (performance.now() < until) {
    const text = mutateText(valid);
    attempt('policies', text, () => parsePolicy('fuzz.json', text));
  }
}

/** CoreTarget.open is async: the core fuzzer awaits each case. */
async function fuzzCoresAsync(until) {
  const original = join(work, 'fixture.core');
  execFileSync(process.execPath, [join(root, 'dist/node/main.js'), 'snapshot', '--pid', String(fixturePid), '-o', original, '--only', 'target', '--only', '[stack]'], { stdio: 'ignore' });
  const bytes = readFileSync(original);
  const copy = join(work, 'mutated.core');
  while (performance.now() < until) {
    copyFileSync(original, copy);
    const flips = [];
    const fd = openSync(copy, 'r+');
    for (let n = 1 + next.int(8); n > 0; n--) {
      const at = next() < 0.5 ? next.int(Math.min(bytes.length, 65536)) : Math.max(0, bytes.length - 1 - next.int(65536));
      const value = next.pick([0, 0xff, 0x7f, 0x80, next.int(256)]);
      flips.push([at, value]);
      writeSync(fd, new Uint8Array([value]), 0, 1, at);
    }
    closeSync(fd);
    let cut;
    if (next() < 0.2) truncateSync(copy, cut = next.int(bytes.length));
    let core;
    try {
      core = await CoreTarget.open(copy, { snapshot: true });
    } catch (error) {
      attempt('cores', { flips, cut }, () => {
        throw error;
      });
      continue;
    }
    attempt('cores', { flips, cut }, () => {
      const regions = core.regions();
      core.read(regions.slice(0, 8).map((r) => ({ address: r.start, length: 64 })));
      core.threads();
      const resolver = new ModuleResolver(core);
      try {
        resolver.symbol('target', 'counter');
      } finally {
        resolver.close();
      }
      const plan = compileSource({ name: 'fuzz.pvm', text: 'for h in scan "pvm-fixture" in all limit 5 {\n  print h\n}' });
      execute({ plan, target: core, params: new Map(), output: () => {} });
    });
    core.close();
  }
}

// ---- policies whose rules may not resolve: they must fail closed ----
/**
 * Region rules drawn from selectors that resolve, that cannot (a misspelt
 * symbol, one of a module that is not mapped, a name that is no region) and
 * that cover the value read, run through the whole session (openSession: the
 * guard as the CLI builds it). The oracle: a rule pvm cannot resolve refuses
 * the run (policy-unresolved), and a value a rule denies is never shown.
 */
async function fuzzPolicyRules(until) {
  const { openSession } = await dist('cli/session.js');
  const counter = BigInt(info.counter);
  const resolver = new ModuleResolver(live);
  const hexOf = (n) => `0x${n.toString(16)}`;
  const selectors = [
    'symbol:target:counter',
    'symbol:target:countr',
    'symbol:target:version',
    'symbol:target:no_such_symbol',
    'symbol:libssl.so.3:keys',
    'symbol:libc.so.6:malloc',
    'symbol:libc.so.6:main_arena',
    'module:target',
    'module:libc.so.6',
    'module:nothing',
    'anon',
    '[heap]',
    '[stack]',
    '[heapp]',
    `${hexOf(counter)}-${hexOf(counter + 4n)}`,
    `${hexOf(counter - 4096n)}-${hexOf(counter - 4000n)}`,
  ];
  const plan = compileSource({ name: 'fuzz.pvm', text: 'print read u32 at symbol("target", "counter")' });
  /** 'unresolved' | 'covers' | 'misses': what a selector is, by the resolver's own answer. */
  const classify = (selector) => {
    if (selector.startsWith('symbol:')) {
      const [, module, name] = selector.split(':');
      try {
        const { start, end } = resolver.symbolRange(module, name);
        return start < counter + 4n && counter < end ? 'covers' : 'misses';
      } catch (error) {
        return error instanceof PvmError && error.code === 'no-module' ? 'misses' : 'unresolved';
      }
    }
    if (selector.startsWith('module:')) return selector === 'module:target' ? 'covers' : 'misses';
    if (selector.startsWith('0x')) return selector.startsWith(hexOf(counter)) ? 'covers' : 'misses';
    return 'misses'; // anon and the pseudo-regions: the counter is in the executable's .data
  };
  while (performance.now() < until) {
    const deny = Array.from({ length: 1 + next.int(3) }, () => next.pick(selectors));
    const json = { read: { deny } };
    let shown;
    let refused;
    try {
      const session = await openSession({ kind: 'pid', pid: fixturePid }, [parsePolicy('fuzz.json', JSON.stringify(json))], undefined);
      try {
        const out = [];
        execute({ plan, target: session.target, params: new Map(), output: (event) => out.push(event), limits: FUZZ_LIMITS });
        shown = out.find((event) => event.type === 'print');
      } finally {
        session.close();
      }
    } catch (error) {
      refused = error;
    }
    attempt('policy rules', json, () => {
      const kinds = deny.map(classify);
      if (kinds.includes('unresolved')) {
        if (refused?.code !== 'policy-unresolved') throw new Error(`fails open: a rule pvm cannot resolve did not refuse the run (${refused?.code ?? 'it ran'})`);
      } else if (kinds.includes('covers')) {
        if (shown !== undefined) throw new Error('fails open: a denied value was shown');
      } else if (refused !== undefined) throw refused;
      if (refused !== undefined) throw refused; // pvm's own error: counted as refused
    });
  }
  resolver.close();
}

// ---- shapes: deep and long forms (issue 29, items 18 and 19) ----
/**
 * Recipes of one extreme shape each, at sizes around and far past the limits: nesting of every kind
 * (unary operators, `read … at`, brackets, blocks, chains of operators, `[i]`, `.field`, `else if`, pattern
 * alternatives), and long flat forms (lines, alternatives, strings of non-ASCII text, names, unknown names,
 * a line of a megabyte), sometimes with a syntax error after them, so that Ohm is asked too. Checked as
 * `pvm check` does, and run (dry) when they compile. Anything but pvm's own error is a crash; so is a case
 * that takes over 2 s (any recipe up to the 4 MiB limit must be checked in less).
 */
function fuzzShapes(until) {
  const size = () => next.pick([1, 2, 10, 50, 150, 199, 200, 201, 256, 500, 600, 2000, 2500, 10_000, 100_000]);
  const counter = next.pick(addresses);
  const repeatJoin = (n, item, joint) => Array.from({ length: n }, (_, i) => (typeof item === 'function' ? item(i) : item)).join(joint);
  const prefixes = ['-', '~', '!', '(', '[', 'read u8 at ', '-(', 'read u8 at [', 'len('];
  const closers = { '(': ')', '[': ']', '-(': ')', 'read u8 at [': ']', 'len(': ')' };
  const shapes = [
    // deep: one prefix form repeated, or a mix of them
    (n) => {
      const parts = Array.from({ length: Math.min(n, 20_000) }, () => next.pick(prefixes));
      return `let x = ${parts.join('')}${counter}${parts.reverse().map((p) => closers[p] ?? '').join('')}\nprint x`;
    },
    (n) => `let x = ${next.pick(['-', '~', '!']).repeat(n)}${next.pick(['1', 'true', counter])}\nprint x`,
    (n) => `let x = ${`read ${next.pick(['u8', 'u32', 'ptr'])} at ${counter} + `.repeat(Math.min(n, 50_000))}0\nprint x`,
    // chains
    (n) => `let x = ${repeatJoin(n, () => next.pick(['1', 'x', '"a"', counter, '1.5']), ` ${next.pick(['+', '-', '*', '|', '&&', '||', '<<', '==', '+'])} `)}\nprint x`,
    (n) => `let l = [[1, 2], [3, 4]]\nlet x = l${'[0]'.repeat(n)}${next.pick(['', '.start', '.a.b'])}`,
    (n) => `let x = module("target")${'.size'.repeat(n)}`,
    (n) => `let x = 1\nif x == 0 { print 0 }${repeatJoin(Math.min(n, 20_000), (i) => ` else if x == ${i + 1} { print ${i} }`, '')} else { print -1 }`,
    (n) => `${'if 1 == 1 {\n'.repeat(Math.min(n, 5000))}print 1\n${'}\n'.repeat(Math.min(n, 5000))}`,
    (n) => `for i in 0..3 { let t = ${repeatJoin(Math.min(n, 20_000), 'i', ' + ')}\nprint t }`,
    // patterns
    (n) => `let h = scan hex"(${repeatJoin(Math.min(n * 50, 200_000), () => next.pick(['01', '?? 02', '~03']), ' | ')})" in region("[heap]") limit 1`,
    (n) => `let h = scan hex"${'( 01 | '.repeat(Math.min(n, 20_000))}02${' )'.repeat(Math.min(n, 20_000))}" in region("[heap]") limit 1`,
    // long and flat
    (n) => 'print 1\n'.repeat(Math.min(n * 50, 400_000)),
    (n) => `print read u8 at ${counter}\n`.repeat(Math.min(n * 50, 200_000)), // read ahead in one batch
    (n) => `let h = scan "${'q'.repeat(Math.min(n * 100, 1_000_000))}" in region("[heap]") unique`, // quoted in the error
    (n) => `let s = "${next.pick(['é', '😀', 'a', '\\x41', '日']).repeat(Math.min(n * 200, 1_000_000))}"\nprint len(s)`,
    (n) => `let ${next.pick(['a', 'é', '_'])}${'a'.repeat(Math.min(n * 1000, 2_000_000))} = 1`,
    (n) => repeatJoin(Math.min(n * 40, 400_000), (i) => `print n${i}`, '\n'),
    (n) => `${'let a = 1\n'.repeat(Math.min(n * 40, 400_000))}let = 2`,
    (n) => `let x = ${'1 + '.repeat(Math.min(n * 100, 1_000_000))}1`,
  ];
  while (performance.now() < until) {
    const shape = next.int(shapes.length);
    let text = shapes[shape](size());
    // A syntax error after it, or inside it, sometimes: then Ohm reads what the fast parser was not sure of.
    const damage = next();
    if (damage < 0.2) text += next.pick(['\nlet = 1', ' +', '\n}', '\nprint (', '\nlet é\u0301 = 1']);
    else if (damage < 0.3) {
      const at = next.int(text.length);
      text = text.slice(0, at) + next.pick(['=', '(', '"', '\n', ')']) + text.slice(at);
    }
    if (text.length > 4 << 20) text = text.slice(0, 4 << 20);
    writeFileSync(join(work, 'current.pvm'), text);
    attempt('shapes', text.length > 4096 ? `shape ${shape}, ${text.length} characters:\n${text.slice(0, 2048)}\n…\n${text.slice(-1024)}` : text, () => {
      const started = performance.now();
      const cpu = process.cpuUsage();
      let plan;
      let refused;
      try {
        plan = compileSource({ name: 'fuzz.pvm', text });
      } catch (error) {
        refused = error;
      }
      // The work done, not the time other processes took from it on a loaded machine: the lesser of the wall
      // clock and this process's CPU time (which counts the collector's helper threads too).
      const { user, system } = process.cpuUsage(cpu);
      const ms = Math.min(performance.now() - started, (user + system) / 1000);
      if (ms > 2000) throw new Error(`shape ${shape} (${text.length} characters) took ${ms.toFixed(0)} ms to check: over 2 s`);
      if (refused !== undefined) throw refused;
      execute({ plan, target: live, params: bindParams(plan, new Map()), output: () => {}, dryRun: true, limits: FUZZ_LIMITS });
    });
  }
}

// ---- cores crafted to lie: NT_FILE entries and notes (issue 29, items 5 and 17) ----
/**
 * Cores built from scratch (layoutCore) that hold the first page of the fixture's executable (so its build-id is
 * recorded) and lie in structure: NT_FILE entries that overlap, run to the top of the address space, map absurd file
 * offsets, number up to 2 million, or name a symlink to a secret, a FIFO, a device, a directory, a socket or a
 * /proc file; note segments duplicated up to 64 times, huge, or overlapping, over a sparse file of up to 512 MiB;
 * NT_FILE's page size patched. Each is read by the CLI in a child process: a scan, then a read of the code.
 * Anything but exit 0, 2, 3, 4 or 5 is a crash; so is a case that hangs (10 s), takes over 3 s, grows past
 * 512 MB, or shows a byte of the secret.
 */
async function fuzzCraftedCoresAsync(until) {
  const { layoutCore } = await dist('native/core-format.js');
  const { createServer } = await import('node:net');
  const { spawnSync } = await import('node:child_process');
  const { symlinkSync } = await import('node:fs');
  const dir = join(work, 'crafted');
  mkdirSync(dir);
  const secret = join(dir, 'shadow');
  writeFileSync(secret, 'root:PVM-SECRET-29:19000:0:99999:7:::\n'.repeat(2000));
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const socket = join(dir, 'socket');
  const server = createServer().listen(socket);
  const link = (name, to) => (symlinkSync(to, join(dir, name)), join(dir, name));
  const paths = [fixtureBinary, link('secret-link', secret), secret, fifo, link('zero-link', '/dev/zero'), '/dev/urandom', dir, socket, '/proc/self/mem', '/proc/self/fd/0', join(dir, 'missing'), link('loop', join(dir, 'loop'))];
  const elf = readFileSync(fixtureBinary);
  const haveTime = existsSync('/usr/bin/time');
  const BASE = 0x555555554000n;
  const PAGE = 0x1000n;
  const huge = () => next.pick([1n << 40n, 1n << 47n, 1n << 55n, (1n << 56n) - PAGE, 1n << 56n, 1n << 63n, (1n << 64n) - PAGE, BigInt(next.int(1 << 30)) * PAGE]);
  const mapping = (i, orderly) => {
    const choice = orderly ? 0 : next();
    // Mostly in order and apart, as a process maps; else anywhere, overlapping, huge or cut mid-page.
    const start = choice < 0.7 ? BASE + BigInt(i) * 16n * PAGE : next() < 0.5 ? BASE + BigInt(next.int(64)) * PAGE : huge();
    const end = choice < 0.8 ? start + PAGE * BigInt(1 + next.int(4)) : next() < 0.5 ? huge() : start + BigInt(next.int(1 << 20)) - BigInt(next.int(2)) * PAGE;
    const offset = next() < 0.8 ? BigInt(next.int(8)) * PAGE : huge();
    return { start, end, offset, path: next() < 0.3 ? fixtureBinary : next.pick(paths) };
  };
  const render = (files) => files.map((f) => `${f.start.toString(16)}-${f.end.toString(16)} @${f.offset.toString(16)} ${f.path}`);
  let n = 0;
  while (performance.now() < until) {
    const count = next() < 0.05 ? next.pick([100_000, 1 << 18, (1 << 18) + 1, 2_000_000]) : 1 + next.int(12);
    const files = [{ start: BASE, end: BASE + PAGE, offset: 0n, path: next() < 0.7 ? fixtureBinary : next.pick(paths) }];
    // Half the cases lie only in the paths they name, the others in their ranges too.
    const orderly = next() < 0.5;
    for (let i = 1; i < count; i++) files.push(count > 1000 ? { start: (1n << 32n) + BigInt(i) * PAGE, end: (1n << 32n) + BigInt(i + 1) * PAGE, offset: 0n, path: '/x' } : mapping(i, orderly));
    let layout;
    try {
      layout = layoutCore({
        segments: [{ vaddr: BASE, memsz: PAGE, filesz: PAGE, flags: 4 }],
        threads: [{ tid: 7, ppid: 1, pgrp: 7, sid: 7, signal: 0, registers: Array.from({ length: 27 }, () => 0n) }],
        process: { pid: 7, ppid: 1, pgrp: 7, sid: 7, uid: 0, gid: 0, state: 'S', name: 'target', args: 'target' },
        auxv: undefined,
        files: files.map((f) => ({ ...f, end: f.end < 1n << 64n ? f.end : (1n << 64n) - 1n, offset: f.offset - (f.offset % PAGE) })),
        pageSize: 4096,
        pvm: undefined,
      });
    } catch {
      continue; // no core can say that (layoutCore refuses it): not a case
    }
    const image = new Uint8Array(Number(layout.size));
    image.set(layout.head);
    image.set(elf.subarray(0, 4096), Number(layout.dataOffsets[0]));
    const view = new DataView(image.buffer);
    const notes = { offset: view.getBigUint64(64 + 8, true), size: view.getBigUint64(64 + 32, true) };
    const lies = [];
    // NT_FILE's page size (it follows the count: the 4th note's descriptor), sometimes.
    if (next() < 0.15) {
      const at = Number(notes.offset) + image.subarray(Number(notes.offset)).findIndex((_, i, a) => a[i] === 0x45 && a[i + 1] === 0x4c && a[i + 2] === 0x49 && a[i + 3] === 0x46) + 4 + 8 + 8;
      const size = next.pick([0n, 1n, 3n, 4096n, 1n << 20n, 1n << 63n]);
      if (at + 8 <= image.length) view.setBigUint64(at, size, true);
      lies.push(`NT_FILE page size ${size}`);
    }
    // Note segments: the one widened, or copied into other program headers (PT_LOAD 1 and more become PT_NOTEs).
    let fileSize = image.length;
    if (next() < 0.3) {
      fileSize = next.pick([1 << 20, 64 << 20, 256 << 20, 512 << 20]);
      const size = BigInt(next.pick([fileSize - Number(notes.offset), 256 << 20, 1 << 28, next.int(fileSize)]));
      view.setBigUint64(64 + 32, size, true);
      lies.push(`note segment of ${size} bytes in a file of ${fileSize}`);
    }
    let copies = 0;
    if (next() < 0.2) {
      copies = next.pick([2, 8, 64]);
      lies.push(`${copies} PT_NOTE headers`);
    }
    const path = join(dir, `case-${n++ % 4}.core`);
    const out = openSync(path, 'w');
    if (copies > 0) {
      // Extra program headers after the file's own: the table is rewritten at the end of the file.
      const phnum = view.getUint16(56, true);
      const table = new Uint8Array((phnum + copies) * 56);
      table.set(image.subarray(64, 64 + phnum * 56));
      for (let c = 0; c < copies; c++) table.set(image.subarray(64, 64 + 56), (phnum + c) * 56);
      const tableAt = Math.max(image.length, 4096);
      view.setBigUint64(32, BigInt(tableAt), true);
      view.setUint16(56, phnum + copies, true);
      writeSync(out, table, 0, table.length, tableAt);
    }
    writeSync(out, image, 0, image.length, 0);
    closeSync(out);
    if (fileSize > image.length) truncateSync(path, fileSize);
    const input = { files: count > 16 ? `${count} entries` : render(files), lies };
    const started = performance.now();
    const recipe = `print len(scan "PVM-SECRET-29" in all limit 3)\nprint len(scan "ELF" in all limit 3)\nprint read u32 at 0x${(BASE + PAGE).toString(16)}`;
    // GNU time measures the child's peak memory (without it, only time and output are judged); GNU timeout kills
    // its whole process group after 10 s, so that a pvm blocked for ever is not left behind.
    const pvm = [process.execPath, join(root, 'dist/node/main.js'), '-e', recipe, '--core', path, '--json'];
    const run = spawnSync('timeout', ['-s', 'KILL', '10', ...(haveTime ? ['/usr/bin/time', '-f', 'maxrss %M'] : []), ...pvm], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] });
    const ms = performance.now() - started;
    const rss = Number(/maxrss (\d+)/.exec(run.stderr ?? '')?.[1] ?? 0) * 1024;
    const lines = (run.stdout ?? '').split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
    const error = lines.find((line) => line.type === 'error');
    attempt('crafted cores', input, () => {
      if (run.error !== undefined || run.signal !== null || run.status === 137) throw new Error(`hung or killed (${run.error?.message ?? run.signal ?? 'SIGKILL'}) after ${ms.toFixed(0)} ms`);
      if (ms > 3000) throw new Error(`took ${ms.toFixed(0)} ms: over 3 s`);
      if (rss > 512 << 20) throw new Error(`grew to ${(rss / 2 ** 20).toFixed(0)} MB: over 512 MB`);
      if (lines.some((line) => line.type === 'print' && line.line === 1 && line.values[0] !== 0)) throw new Error('showed the secret: a scan found its bytes');
      if ((run.stdout ?? '').includes('PVM-SECRET') || (run.stderr ?? '').includes('PVM-SECRET')) throw new Error('showed the secret');
      if (![0, 2, 3, 4, 5].includes(run.status)) throw new Error(`exit ${run.status}: ${run.stderr}`);
      if (error !== undefined) throw Object.assign(Object.create(PvmError.prototype), { code: error.code, message: error.message });
    });
  }
  server.close();
}

// ---- DWARF: a debug file's sections, mutated, read as type lookups read them ----
async function fuzzDwarf(until) {
  const { parseElf, bytesReader } = await dist('native/elf.js');
  const { openDebugTypes } = await dist('types/dwarf/debug-types.js');
  const { concrete, findMember, sizeOf, spell } = await dist('types/ctype.js');
  const { deflateSync } = await import('node:zlib');
  const program = join(work, 'types');
  execFileSync('cc', ['-g', '-o', program, join(root, 'test/fixture/types.c')]);
  const names = ['.debug_info', '.debug_abbrev', '.debug_str', '.debug_line_str', '.debug_str_offsets'];
  const sectionsOf = (path) => {
    const elf = parseElf(bytesReader(readFileSync(path)));
    return new Map(names.flatMap((name) => {
      const section = elf.section(name);
      return section === undefined ? [] : [[name, { bytes: section.read(), flags: section.flags }]];
    }));
  };
  const corpus = [sectionsOf(program)];
  // libc's debug file (libc6-dbg), when installed: compressed sections of real size.
  const libc = execFileSync('sh', ['-c', 'readelf -n /lib/x86_64-linux-gnu/libc.so.6 2>/dev/null | sed -n "s/.*Build ID: //p"'], { encoding: 'utf8' }).trim();
  const libcDebug = `/usr/lib/debug/.build-id/${libc.slice(0, 2)}/${libc.slice(2)}.debug`;
  if (libc !== '' && existsSync(libcDebug)) {
    // Inflated once here, so that mutations land in the DWARF, not in zlib's stream.
    const { inflateSection } = await dist('types/dwarf/debug-sections.js');
    corpus.push(new Map([...sectionsOf(libcDebug)].map(([name, s]) => [name, { bytes: (s.flags & 0x800) === 0 ? s.bytes : inflateSection(name, s.bytes), flags: 0 }])));
  }
  const compress = (bytes) => {
    const deflated = deflateSync(bytes);
    const out = new Uint8Array(24 + deflated.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, 1, true);
    view.setBigUint64(8, BigInt(bytes.length), true);
    view.setBigUint64(16, 1n, true);
    out.set(deflated, 24);
    return out;
  };
  while (performance.now() < until) {
    // The small program most of the time: many cases a second; libc's now and then.
    const original = corpus.length > 1 && next.int(20) === 0 ? corpus[1] : corpus[0];
    const sections = new Map([...original].map(([name, s]) => [name, { bytes: s.bytes, flags: s.flags }]));
    const name = next.pick([...sections.keys()]);
    const section = sections.get(name);
    const mutation = next.int(4);
    const input = { name, mutation, at: [] };
    if (mutation === 3 && (section.flags & 0x800) === 0) {
      // Compressed, then bits of the compressed bytes or of its header flipped.
      const bytes = compress(section.bytes);
      for (let i = 1 + next.int(3); i > 0; i--) {
        const at = next.int(bytes.length);
        input.at.push(at);
        bytes[at] ^= 1 << next.int(8);
      }
      sections.set(name, { bytes, flags: 0x800 });
    } else if (mutation === 2) {
      const length = next.int(section.bytes.length);
      input.at.push(length);
      sections.set(name, { bytes: section.bytes.subarray(0, length), flags: section.flags });
    } else {
      const bytes = Uint8Array.prototype.slice.call(section.bytes);
      for (let i = 1 + next.int(8); i > 0; i--) {
        const at = next.int(bytes.length);
        input.at.push(at);
        bytes[at] = mutation === 0 ? next.int(256) : next.pick([0, 0xff, 0x80, 0x7f]);
      }
      sections.set(name, { bytes, flags: section.flags });
    }
    const file = {
      buildId: undefined,
      section: (n) => {
        const s = sections.get(n);
        return s === undefined ? undefined : { flags: s.flags, size: s.bytes.length, read: () => s.bytes };
      },
    };
    attempt('dwarf', input, () => {
      const types = openDebugTypes('/fuzzed', file, { cacheDirectory: undefined });
      const spelled = types.names();
      for (let i = 0; i < 40 && spelled.length > 0; i++) {
        const full = next.pick(spelled);
        const space = full.indexOf(' ');
        const tag = full.slice(0, space);
        const typeName = ['struct', 'union', 'enum'].includes(tag) ? { tag, name: full.slice(space + 1) } : { tag: undefined, name: full };
        for (const type of types.find(typeName)) {
          spell(type, 'x');
          sizeOf(type);
          const inner = concrete(type);
          if (inner.kind === 'struct' || inner.kind === 'union') { for (const member of inner.members) if (member.name !== undefined) findMember(inner, member.name); }
        }
      }
    });
  }
}

// Each fuzzer gets an equal share of the time; a new class of input is one more line here.
const fuzzers = [
  ['recipes', fuzzRecipes],
  ['journals', fuzzJournals],
  ['policies', fuzzPolicies],
  ['cores', fuzzCoresAsync],
  ['crafted cores', fuzzCraftedCoresAsync],
  ['shapes', fuzzShapes],
  ['policy rules', fuzzPolicyRules],
  ['dwarf', fuzzDwarf],
];
const share = (seconds * 1000) / fuzzers.length;
let clock = performance.now();
for (const [name, fuzz] of fuzzers) {
  process.stderr.write(`fuzzing ${name} for ${(share / 1000).toFixed(0)} s\n`);
  await fuzz(clock += share);
}

live.close();
child.kill();
for (const [kind, { cases, refused, slowest, codes }] of Object.entries(tally)) {
  const common = [...codes].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([code, n]) => `${code} ${n}`).join(', ');
  console.log(`${kind.padEnd(12)} ${String(cases).padStart(7)} cases, ${String(refused).padStart(7)} refused with pvm's errors (${common}), slowest ${slowest.toFixed(0)} ms`);
}
console.log(`seed ${seed}: ${crashCount === 0 ? 'no crashes' : `${crashCount} crashes, inputs and stacks in ${crashes}`}`);
if (crashCount === 0) rmSync(work, { recursive: true, force: true });
process.exit(crashCount === 0 ? 0 : 1);
