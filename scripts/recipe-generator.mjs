// Recipes generated from the grammar's statements, mostly well-typed (so they
// run and reach a target), now and then not: for the long fuzzer
// (scripts/fuzz.mjs) and the parser test (test/dsl/fast-parse.test.ts).
//
// `next` is a seeded random source with `next()`, `next.int(n)` and
// `next.pick(list)`; `addresses` are "0x…" addresses to read.

/** xorshift32: the same sequence on every runtime and every run. */
export function random(start) {
  let state = start >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  next.int = (n) => Math.floor(next() * n);
  next.pick = (list) => list[next.int(list.length)];
  return next;
}

/** A function (depth, count) → recipe text of `count` statements nested up to `depth`. */
export function recipeGenerator(next, addresses) {
  // Mostly well-typed (so they run and reach the target), now and then not.
  const NUMERIC_TYPES = ['u8', 'u16', 'u32', 'u64', 'i8', 'i16', 'i32', 'i64', 'u32be', 'i64be', 'ptr'];
  const OTHER_TYPES = ['f32', 'f64', 'cstring', 'cstring max 8', 'bytes 16', 'utf16 4', 'bytes 0', 'u24'];
  const NUMBERS = ['0', '1', '7', '-1', '0x1000', '0xffffffffffffffff', '0x8000000000000000', '1_000', '0b101', String(2n ** 127n), '340282366920938463463374607431768211455'];
  const BINARY = ['+', '-', '*', '/', '%', '<<', '>>', '&', '|', '^'];
  const COMPARE = ['==', '!=', '<', '<=', '>', '>='];

  /** Whether the recipe being made declares TYPED (its typed references need it). */
  let typed = false;
  const TYPED = 'struct T { a: u32; b: u64; c: char[8]; n: T*; e: E; w: u16[3] }';
  const ENUM = 'enum E : u8 { x, y = 4 }';
  /** A typed reference to T at some address, and a member of it (some not there, to be refused). */
  const member = (sub) =>
    next.pick([
      () => `(${sub()} as T).${next.pick(['a', 'b', 'e', 'w[1]', 'n.a', 'n.n.b', 'zz', 'w[3]'])}`,
      () => `sizeof(${next.pick(['T', 'E', 'u32[4]', 'struct T', 'Q'])})`,
      () => `offsetof(T, ${next.pick(['b', 'c', 'w[2]', 'q'])})`,
      () => `addressof((${sub()} as T).${next.pick(['b', 'n', 'c'])})`,
    ])();

  /** An integer or address expression. */
  function numeric(depth, names) {
    const leaf = () =>
      next.pick([
        () => next.pick(NUMBERS),
        () => next.pick(addresses),
        () => next.pick(addresses),
        () => (names.length > 0 ? next.pick(names) : '0'),
        () => 'symbol("target", "counter")',
        () => 'module("target").start',
        () => 'module("target").size',
        () => 'reg(threads()[0], "rsp")',
      ])();
    if (depth <= 0) return leaf();
    const sub = () => numeric(depth - 1, names);
    return next.pick([
      leaf,
      leaf,
      () => `${sub()} ${next.pick(BINARY)} ${sub()}`,
      () => `(${sub()})`,
      () => `read ${next.pick(NUMERIC_TYPES)} at ${sub()}`,
      () => `[${sub()}]`,
      () => `-${sub()}`,
      () => `~${sub()}`,
      () => `len(read bytes 8 at ${sub()})`,
      () => `min(${sub()}, ${sub()})`,
      () =>
        `len(scan ${next.pick(['u32 1000', '"pvm-fixture"', 'hex"00 00 ?? 01"', 'utf16 "x"', `u8 ${sub()}`])} in ${next.pick(['all', 'anon', 'module("target")', `range(${sub()}, 0x2000)`])}${
          next.pick(['', ' limit 3', ' align 4', ' perms "r--"', ' unique'])
        })`,
      () => `ripref(${sub()}, 3, 7)`,
      () => (typed ? member(sub) : `${sub()}`),
      () =>
        `len(narrow scan u32 1000 in ${next.pick(['all', 'anon', `range(${sub()}, 0x2000)`])} limit 8 ${next.pick(['u32', 'i32', 'f32', 'u8'])} ${
          next.pick(['== 1000', `!= ${sub()}`, `between ${sub()} and ${sub()}`, 'changed', 'unchanged', 'increased', 'decreased', '< 5', '>= 1000', 'any'])
        })`,
    ])();
  }

  /** Any value: a number, text, bytes, a region, a list. */
  function value(depth, names) {
    if (next() < 0.05) return `${numeric(1, names)} ${next.pick(BINARY)} "wild"`;
    return next.pick([
      () => numeric(depth, names),
      () => numeric(depth, names),
      () => `read ${next.pick(OTHER_TYPES)} at ${numeric(depth - 1, names)}`,
      () => `hex(${numeric(depth - 1, names)})`,
      () => '"text\\x00"',
      () => 'module("target")',
      () => `threads()`,
    ])();
  }

  function condition(names) {
    return next.pick([() => `${numeric(2, names)} ${next.pick(COMPARE)} ${numeric(2, names)}`, () => `!(${numeric(1, names)} == 0) && ${numeric(1, names)} != 1`])();
  }

  function statements(depth, names, count) {
    const out = [];
    for (let i = 0; i < count; i++) {
      const name = `v${next.int(6)}`;
      out.push(
        next.pick([
          () => {
            const line = `let ${name} = ${numeric(3, names)}`;
            names.push(name);
            return line;
          },
          () => `print ${value(3, names)}, ${value(2, names)}`,
          () => `emit ${name} = ${value(2, names)}`,
          () => (names.length > 0 ? `${next.pick(names)} = ${numeric(2, names)}` : 'print 1'),
          () => `assert ${condition(names)}, "fuzz"`,
          () => `dump ${numeric(2, names)}, ${next.pick(['16', '1', '64', '0x100000'])}`,
          () => `write ${next.pick(NUMERIC_TYPES)} at ${numeric(2, names)} = ${numeric(2, names)}`,
          () => `write bytes 4 at ${numeric(2, names)} = "abcd"`,
          () =>
            next.pick([
              () => `patch at ${numeric(2, names)} expect u32 1000 with u32 ${numeric(1, names)}`,
              () => `patch at ${numeric(2, names)} expect hex"e8 ?? ?? ?? ??" with hex"90 90 90 90 90"`,
              () => `patch "p${next.int(3)}" {\n  at ${numeric(2, names)} expect u8 ${numeric(1, names)} with u8 0\n  at ${numeric(1, names)} expect u16 0 with u16 1\n}`,
            ])(),
          () => (depth > 0 ? `if ${condition(names)} {\n${statements(depth - 1, [...names], 2)}\n} else {\n${statements(depth - 1, [...names], 1)}\n}` : 'print 0'),
          () => (depth > 0 ? `for i in ${next.pick(['0..3', `0..${numeric(1, names)}`, 'scan u32 1000 in all'])} limit 4 {\n${statements(depth - 1, [...names, 'i'], 2)}\n}` : 'print 0'),
        ])(),
      );
    }
    return out.join('\n');
  }

  return (depth, count) => {
    typed = next() < 0.3;
    const body = statements(depth, [], count);
    return typed ? `${ENUM}\n${TYPED}\n${body}` : body;
  };
}
