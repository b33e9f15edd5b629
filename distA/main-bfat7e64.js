import {
  MAX_STRING_LENGTH,
  DEFAULT_SCAN_HITS,
  PvmError,
  RecipeError,
  DeniedError,
  TargetError,
  AssertionFailed,
  assert,
  assertNever,
  count,
  int,
  ptr,
  bool,
  numeric,
  regionSize,
  hexAddress,
  decode,
  formatExcerpt,
  toHex,
  fromHex,
  bytesLiteral
} from "./main-96f73920.js";
import {
  literalPattern,
  resultKind,
  integerRange,
  MAX_SHIFT,
  INTEGER_BITS,
  integerOperation
} from "./main-5ghqgfn3.js";
import {
  X86_64_REGISTERS,
  ADDRESS_REGISTERS
} from "./main-zffz883y.js";
import {
  joinRanges
} from "./main-ftnr638j.js";

// src/runtime/builtins.ts
var utf8 = new TextEncoder;
function callBuiltin(name, args, at) {
  const [first, second] = args;
  assert(first !== undefined, `${name}() without arguments`);
  switch (name) {
    case "len":
      return int(BigInt(first.kind === "list" ? first.items.length : first.kind === "bytes" ? first.value.length : first.kind === "str" ? utf8.encode(first.value).length : 0));
    case "hex":
      if (first.kind === "bytes")
        return { kind: "str", value: toHex(first.value) };
      if (first.kind === "str")
        return { kind: "str", value: toHex(utf8.encode(first.value)) };
      return { kind: "str", value: hexAddress(numeric(first).value) };
    case "min":
    case "max": {
      const items = args.length === 1 && first.kind === "list" ? first.items : args;
      if (items.length === 0)
        throw new RecipeError("empty-list", `${name}() of an empty list`, { ...at(), hint: "check len(list) > 0 first" });
      let best = numeric(items[0]);
      let allPointers = true;
      for (const item of items) {
        const n = numeric(item);
        if (n.kind !== "ptr")
          allPointers = false;
        if (name === "min" ? n.value < best.value : n.value > best.value)
          best = n;
      }
      return allPointers ? ptr(best.value) : int(best.value);
    }
    case "range": {
      const start = numeric(first).value;
      const size = numeric(second).value;
      if (size < 0n)
        throw new RecipeError("bad-range", `range() of negative size ${size}`, { ...at(), hint: "give the size in bytes, 0 or more" });
      return { kind: "region", start, end: start + size, path: "" };
    }
  }
}

// src/runtime/threads.ts
function threadBuiltin(name, args, threads) {
  if (name === "threads")
    return { kind: "list", items: threads.map((t) => int(BigInt(t.tid))) };
  const tid = numeric(args[0]).value;
  const register = args[1].value;
  const index = X86_64_REGISTERS.indexOf(register);
  assert(index >= 0, `unchecked register ${register}`);
  const thread = threads.find((t) => BigInt(t.tid) === tid);
  if (thread === undefined) {
    throw new TargetError("no-thread", `no thread ${tid} in the target (its threads: ${threads.map((t) => t.tid).join(", ") || "none"})`, {
      hint: 'take thread ids from threads(), e.g. reg(threads()[0], "rip")'
    });
  }
  if (thread.registers === undefined) {
    throw new TargetError("no-registers", `the registers of thread ${tid} are not available: the kernel refused them, or the core does not hold them`, {
      hint: "on a live process, run pvm with ptrace rights over it (as its user, or with CAP_SYS_PTRACE)"
    });
  }
  const value = thread.registers[index];
  return ADDRESS_REGISTERS.has(register) ? ptr(value) : int(value);
}

// src/runtime/encode.ts
var utf82 = new TextEncoder;
function encode(encoding, value, at) {
  const fail = (code, message, hint) => {
    throw new RecipeError(code, message, { ...at(), hint });
  };
  const bytes = (b) => ({ kind: "bytes", bytes: b });
  switch (encoding.kind) {
    case "scalar": {
      const type = encoding.type;
      const out = new Uint8Array(type.size);
      const view = new DataView(out.buffer);
      if (type.kind === "float") {
        const n = value.kind === "float" ? value.value : Number(numeric(value).value);
        if (type.size === 4)
          view.setFloat32(0, n, !type.bigEndian);
        else
          view.setFloat64(0, n, !type.bigEndian);
        return bytes(out);
      }
      const n = numeric(value).value;
      const range = type.kind === "ptr" ? { min: 0n, max: (1n << 64n) - 1n } : integerRange(type);
      if (n < range.min || n > range.max) {
        const shown = value.kind === "ptr" ? hexAddress(n) : String(n);
        fail("range", `${shown} does not fit ${type.name} (${range.min} to ${range.max})`, "use a wider type, or check the value: pvm never wraps integers");
      }
      const little = type.kind === "ptr" || !type.bigEndian;
      let bits = n < 0n ? (1n << BigInt(type.size * 8)) + n : n;
      for (let i = 0;i < type.size; i++) {
        out[little ? i : type.size - 1 - i] = Number(bits & 0xffn);
        bits >>= 8n;
      }
      return bytes(out);
    }
    case "raw": {
      if (value.kind === "pattern")
        return { kind: "pattern", pattern: value.pattern, text: value.text };
      const raw = value.kind === "bytes" ? value.value : utf82.encode(value.kind === "str" ? value.value : "");
      if (encoding.size !== undefined && raw.length !== encoding.size) {
        fail("size", `the value has ${raw.length} bytes, not the ${encoding.size} that bytes ${encoding.size} says`, `give exactly ${encoding.size} bytes, or write \`bytes\` without a size`);
      }
      return bytes(raw);
    }
    case "utf16": {
      const text = value.kind === "str" ? value.value : "";
      if (encoding.units !== undefined && text.length > encoding.units) {
        fail("size", `the string has ${text.length} UTF-16 units, more than utf16 ${encoding.units} allows`, "shorten the string, or raise the size");
      }
      const out = new Uint8Array(text.length * 2);
      const view = new DataView(out.buffer);
      for (let i = 0;i < text.length; i++)
        view.setUint16(i * 2, text.charCodeAt(i), true);
      return bytes(out);
    }
    case "cstring": {
      const raw = value.kind === "bytes" ? value.value : utf82.encode(value.kind === "str" ? value.value : "");
      const out = new Uint8Array(raw.length + 1);
      out.set(raw);
      if (encoding.max !== undefined && out.length > encoding.max) {
        fail("size", `the string and its NUL take ${out.length} bytes, more than cstring max ${encoding.max}`, "shorten the string, or raise max");
      }
      return bytes(out);
    }
  }
}

// src/runtime/locate.ts
function locate(recipeName, loc) {
  return { where: `${recipeName}:${loc.line}:${loc.col}`, line: loc.line, col: loc.col, excerpt: formatExcerpt(loc) };
}
function placeError(error, point) {
  if (!(error instanceof PvmError) || error.where !== undefined)
    return error;
  return new PvmError(error.exit, error.code, error.message, { ...point, hint: error.hint, cause: error.cause });
}

// src/runtime/narrow.ts
function narrowList(e, list, operands, readEach, at) {
  const { type } = e;
  const size = type.size;
  const previous = e.test.kind === "change" ? rememberedOf(list, e, at) : undefined;
  const addresses = list.items.map((item) => numeric(item).value);
  const now = readEach(addresses, size, e.loc);
  const keep = test(e, operands);
  const items = [];
  const kept = [];
  for (let i = 0;i < addresses.length; i++) {
    const bytes = now[i];
    if (bytes === undefined)
      continue;
    const value = decode(type, bytes);
    const before = previous === undefined ? undefined : decode(type, previous.subarray(i * size, (i + 1) * size));
    if (!keep(value, before))
      continue;
    items.push(list.items[i]);
    kept.push(bytes);
  }
  const bytes = new Uint8Array(kept.length * size);
  kept.forEach((b, i) => bytes.set(b, i * size));
  const remembered = { type, bytes };
  return { kind: "list", items, remembered };
}
function rememberedOf(list, e, at) {
  const remembered = list.remembered;
  if (remembered === undefined) {
    throw new RecipeError("narrow-no-values", `'${e.test.kind === "change" ? e.test.change : ""}' compares with the values the list had, and this list remembers none (it was listed, loaded with --arg, or indexed)`, {
      ...at(),
      hint: `narrow it by a value first (narrow hits ${e.type.name} == …, or between …): the list it gives remembers what it read`
    });
  }
  if (remembered.type.name !== e.type.name) {
    throw new RecipeError("narrow-type", `the list remembers ${remembered.type.name} values, not ${e.type.name}`, { ...at(), hint: `narrow it as ${remembered.type.name}, or by a value as ${e.type.name} first` });
  }
  return remembered.bytes;
}
function test(e, operands) {
  const t = e.test;
  switch (t.kind) {
    case "compare": {
      const target = asType(operands.value, e.type);
      if (operands.within === undefined)
        return (now) => compare(t.operator, now, target);
      const tolerance = Math.abs(asNumber(operands.within));
      const x = asNumber(target);
      return (now) => Math.abs(asNumber(now) - x) <= tolerance === (t.operator === "==");
    }
    case "between": {
      const [low, high] = [asType(operands.low, e.type), asType(operands.high, e.type)];
      return (now) => compare(">=", now, low) && compare("<=", now, high);
    }
    case "any":
      return () => true;
    case "change": {
      const order = (now, before) => {
        if (now.kind === "float" && before.kind === "float")
          return Object.is(now.value, before.value) ? 0 : now.value < before.value ? -1 : now.value > before.value ? 1 : NaN;
        const [a, b] = [numeric(now).value, numeric(before).value];
        return a < b ? -1 : a > b ? 1 : 0;
      };
      switch (t.change) {
        case "changed":
          return (now, before) => order(now, before) !== 0;
        case "unchanged":
          return (now, before) => order(now, before) === 0;
        case "increased":
          return (now, before) => order(now, before) > 0;
        case "decreased":
          return (now, before) => order(now, before) < 0;
      }
    }
  }
}
function asType(value, type) {
  return type.kind === "float" && type.size === 4 ? { kind: "float", value: Math.fround(asNumber(value)) } : value;
}
function asNumber(value) {
  return value.kind === "float" ? value.value : Number(numeric(value).value);
}

// src/runtime/evaluate.ts
var compiled = new WeakMap;
function evaluate(e, env, context) {
  return compileExpr(e)(env, context);
}
function compileExpr(e) {
  let f = compiled.get(e);
  if (f === undefined) {
    f = build(e);
    compiled.set(e, f);
  }
  return f;
}
function build(e) {
  switch (e.op) {
    case "int":
      return constant(int(BigInt(e.value)));
    case "float":
      return constant({ kind: "float", value: e.value });
    case "str":
      return constant({ kind: "str", value: e.value });
    case "bool":
      return constant(bool(e.value));
    case "list": {
      const items = e.items.map(compileExpr);
      return (env, context) => ({ kind: "list", items: items.map((item) => ptr(numeric(item(env, context)).value)) });
    }
    case "bytes":
      return () => ({ kind: "bytes", value: fromHex(e.hex) });
    case "pattern":
      return constant({ kind: "pattern", pattern: { tokens: e.tokens }, text: e.text });
    case "index": {
      const objectOf = compileExpr(e.object);
      const indexOf = compileExpr(e.index);
      return (env, context) => {
        const object = objectOf(env, context);
        const index = numeric(indexOf(env, context)).value;
        const length = object.kind === "list" ? object.items.length : object.kind === "bytes" ? object.value.length : 0;
        if (index < 0n || index >= BigInt(length)) {
          throw new RecipeError("index", `index ${index} is out of range: ${object.kind === "list" ? `the list has ${count(length, "item")}` : `the bytes are ${count(length, "byte")}`}`, {
            ...context.locate(e.loc),
            hint: length === 0 ? "the list is empty: check len(…) > 0 first" : `index from 0 to ${length - 1}`
          });
        }
        return object.kind === "list" ? object.items[Number(index)] : object.kind === "bytes" ? int(BigInt(object.value[Number(index)])) : assertNever(object);
      };
    }
    case "call": {
      const args = e.args.map(compileExpr);
      const name = e.name;
      if (name === "region") {
        return (env, context) => {
          const regionName = args[0](env, context).value;
          try {
            const region = context.modules.region(regionName);
            return { kind: "region", start: region.start, end: region.end, path: region.path };
          } catch (error) {
            throw placeError(error, context.locate(e.loc));
          }
        };
      }
      if (name === "threads" || name === "reg") {
        return (env, context) => {
          const values = args.map((a) => a(env, context));
          try {
            return threadBuiltin(name, values, context.threads());
          } catch (error) {
            throw placeError(error, context.locate(e.loc));
          }
        };
      }
      return (env, context) => callBuiltin(name, args.map((a) => a(env, context)), () => context.locate(e.loc));
    }
    case "ripref": {
      const insnOf = compileExpr(e.insn);
      const offsetOf = compileExpr(e.dispOffset);
      const lengthOf = compileExpr(e.insnLength);
      return (env, context) => {
        const insn = numeric(insnOf(env, context)).value;
        const offset = numeric(offsetOf(env, context)).value;
        const length = numeric(lengthOf(env, context)).value;
        const displacement = numeric(context.read(RIP_DISPLACEMENT, insn + offset, e.loc, -1)).value;
        return ptr(insn + length + displacement);
      };
    }
    case "scan":
      return (env, context) => scanValue(e, env, context);
    case "narrow": {
      const listOf = compileExpr(e.list);
      return (env, context) => {
        const list = listOf(env, context);
        assert(list.kind === "list", "narrow of a non-list");
        const t = e.test;
        const operands = t.kind === "compare" ? { value: evaluate(t.value, env, context), ...t.within === undefined ? {} : { within: evaluate(t.within, env, context) } } : t.kind === "between" ? { low: evaluate(t.low, env, context), high: evaluate(t.high, env, context) } : {};
        return narrowList(e, list, operands, context.readEach, () => context.locate(e.loc));
      };
    }
    case "var": {
      const name = e.name;
      return (env) => {
        const value = env.get(name);
        if (value === undefined)
          assert(false, `unbound name ${name}`);
        return value;
      };
    }
    case "unary": {
      const operandOf = compileExpr(e.operand);
      const negate = e.operator === "-";
      return (env, context) => {
        const value = operandOf(env, context);
        if (value.kind === "float")
          return { kind: "float", value: -value.value };
        const operand = numeric(value);
        assert(operand !== undefined, "unary operand is not an integer");
        return int(negate ? -operand.value : ~operand.value);
      };
    }
    case "binary": {
      const leftOf = compileExpr(e.left);
      const rightOf = compileExpr(e.right);
      const operator = e.operator;
      return (env, context) => {
        const leftValue = leftOf(env, context);
        const rightValue = rightOf(env, context);
        if ((leftValue.kind === "int" || leftValue.kind === "ptr") && (rightValue.kind === "int" || rightValue.kind === "ptr")) {
          const value = arithmetic(operator, leftValue.value, rightValue.value, e.loc, context);
          return resultKind(operator, leftValue.kind, rightValue.kind) === "ptr" ? ptr(value) : int(value);
        }
        if (leftValue.kind === "str" && rightValue.kind === "str") {
          if (leftValue.value.length + rightValue.value.length > MAX_STRING_LENGTH) {
            throw new RecipeError("string-too-long", `joining these strings would make one of ${leftValue.value.length + rightValue.value.length} characters, more than ${MAX_STRING_LENGTH}`, {
              ...context.locate(e.loc),
              hint: "print the parts separately"
            });
          }
          return { kind: "str", value: leftValue.value + rightValue.value };
        }
        if (leftValue.kind === "float" || rightValue.kind === "float")
          return floatArithmetic(operator, toNumber(leftValue), toNumber(rightValue));
        const left = numeric(leftValue);
        const right = numeric(rightValue);
        assert(left !== undefined && right !== undefined, "binary operand is not an integer");
        const value = arithmetic(operator, left.value, right.value, e.loc, context);
        return resultKind(operator, left.kind, right.kind) === "ptr" ? ptr(value) : int(value);
      };
    }
    case "read": {
      const addressOf = compileExpr(e.address);
      const { type, loc, site } = e;
      return (env, context) => {
        const address = numeric(addressOf(env, context));
        assert(address !== undefined, "address is not an integer");
        return context.read(type, address.value, loc, site);
      };
    }
    case "module":
      return (_env, context) => {
        try {
          const module = context.modules.module(e.name);
          return { kind: "region", start: module.start, end: module.end, path: module.path, parts: joinRanges(module.mappings) };
        } catch (error) {
          throw placeError(error, context.locate(e.loc));
        }
      };
    case "symbol":
      return (_env, context) => {
        try {
          return ptr(context.modules.symbol(e.module, e.name));
        } catch (error) {
          throw placeError(error, context.locate(e.loc));
        }
      };
    case "compare": {
      const leftOf = compileExpr(e.left);
      const rightOf = compileExpr(e.right);
      const operator = e.operator;
      return (env, context) => bool(compare(operator, leftOf(env, context), rightOf(env, context)));
    }
    case "logical": {
      const leftOf = compileExpr(e.left);
      const rightOf = compileExpr(e.right);
      const and = e.operator === "&&";
      return (env, context) => {
        const left = leftOf(env, context);
        assert(left.kind === "bool", "logical operand is not a condition");
        if (and ? !left.value : left.value)
          return left;
        return rightOf(env, context);
      };
    }
    case "not": {
      const operandOf = compileExpr(e.operand);
      return (env, context) => {
        const operand = operandOf(env, context);
        assert(operand.kind === "bool", "negated operand is not a condition");
        return bool(!operand.value);
      };
    }
    case "field": {
      const objectOf = compileExpr(e.object);
      const field = e.field;
      return (env, context) => {
        const region = objectOf(env, context);
        assert(region.kind === "region", "field of a non-region");
        return field === "size" ? int(regionSize(region)) : ptr(field === "start" ? region.start : region.end);
      };
    }
    default:
      return assertNever(e);
  }
}
function constant(value) {
  return () => value;
}
function evaluateConstant(e, env, locate) {
  const fail = () => {
    throw new Error("pvm internal error: a constant expression used the target");
  };
  return evaluate(e, env, { read: fail, readEach: fail, scan: fail, modules: { module: fail, symbol: fail, region: fail }, threads: fail, locate });
}
function compare(operator, left, right) {
  let order;
  if (left.kind === "str" && right.kind === "str") {
    order = left.value === right.value ? 0 : 1;
  } else if (left.kind === "bytes" && right.kind === "bytes") {
    order = left.value.length === right.value.length && left.value.every((b, i) => b === right.value[i]) ? 0 : 1;
  } else if (left.kind === "float" || right.kind === "float") {
    const a = left.kind === "float" ? left.value : Number(numeric(left)?.value);
    const b = right.kind === "float" ? right.value : Number(numeric(right)?.value);
    if (Number.isNaN(a) || Number.isNaN(b))
      return operator === "!=";
    order = a < b ? -1 : a > b ? 1 : 0;
  } else {
    const a = numeric(left);
    const b = numeric(right);
    assert(a !== undefined && b !== undefined, "compared values are not numbers");
    order = a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  }
  switch (operator) {
    case "==":
      return order === 0;
    case "!=":
      return order !== 0;
    case "<":
      return order < 0;
    case "<=":
      return order <= 0;
    case ">":
      return order > 0;
    case ">=":
      return order >= 0;
  }
}
var RIP_DISPLACEMENT = { kind: "int", name: "i32", size: 4, signed: true, bigEndian: false };
function toNumber(value) {
  return value.kind === "float" ? value.value : Number(numeric(value).value);
}
function floatArithmetic(operator, a, b) {
  const value = operator === "+" ? a + b : operator === "-" ? a - b : operator === "*" ? a * b : a / b;
  return { kind: "float", value };
}
function scanValue(e, env, context) {
  const at = () => context.locate(e.loc);
  const needle = encode(e.needle.encoding, evaluate(e.needle.value, env, context), () => context.locate(e.needle.loc));
  const pattern = needle.kind === "pattern" ? needle.pattern : literalPattern(needle.bytes);
  if (pattern.tokens.length === 0)
    throw new RecipeError("empty-needle", "a scan for nothing (an empty string or bytes)", { ...at(), hint: "scan for at least one byte" });
  let area = e.range.kind === "region" ? { kind: "all" } : e.range;
  if (e.range.kind === "region") {
    const region = evaluate(e.range.region, env, context);
    assert(region.kind === "region", "scan range is not a region");
    area = { kind: "region", start: region.start, end: region.end, ...region.parts === undefined ? {} : { parts: region.parts } };
  }
  const limit = e.limit === undefined ? undefined : numeric(evaluate(e.limit, env, context)).value;
  if (limit !== undefined && limit < 0n)
    throw new RecipeError("bad-limit", `limit ${limit} is negative`, { ...at(), hint: "give a limit of 0 or more" });
  const cap = context.hitCap?.limit ?? DEFAULT_SCAN_HITS;
  const wanted = e.unique ? 2 : limit === undefined || limit > BigInt(cap) ? cap + 1 : Number(limit);
  const hits = context.scan({ pattern, area, perms: e.perms, align: e.align, limit: wanted }, e.loc);
  if (e.unique) {
    if (hits.length === 1)
      return ptr(hits[0]);
    const what = needle.kind === "pattern" ? `hex"${needle.text}"` : bytesLiteral(needle.bytes);
    throw new AssertionFailed("scan-not-unique", hits.length === 0 ? `unique scan found no match for ${what}` : `unique scan found more than one match for ${what}: ${hits.map(hexAddress).join(", ")}`, {
      ...at(),
      hint: hits.length === 0 ? "the target does not hold these bytes here; check the pattern and the range" : "make the pattern longer, or narrow the range, so that exactly one place matches"
    });
  }
  if (hits.length > cap) {
    throw new DeniedError("hit-budget", `the scan found more than ${cap} matches${context.hitCap?.rule === undefined ? "" : ` — ${context.hitCap.rule}`}`, {
      ...at(),
      hint: "add `limit N` to keep the first N, or make the pattern more specific"
    });
  }
  const encoding = e.needle.encoding;
  if (encoding.kind === "scalar" && needle.kind === "bytes") {
    const bytes = new Uint8Array(hits.length * needle.bytes.length);
    for (let i = 0;i < hits.length; i++)
      bytes.set(needle.bytes, i * needle.bytes.length);
    return { kind: "list", items: hits.map(ptr), remembered: { type: encoding.type, bytes } };
  }
  return { kind: "list", items: hits.map(ptr) };
}
function arithmetic(operator, a, b, loc, context) {
  const result = integerOperation(operator, a, b);
  if (typeof result === "bigint")
    return result;
  const at = () => context.locate(loc);
  if (result === "division-by-zero")
    throw new RecipeError("division-by-zero", "division by zero", { ...at(), hint: "check the divisor, which evaluated to 0" });
  if (result === "bad-shift")
    throw new RecipeError("bad-shift", `shift by ${b} (must be 0 to ${MAX_SHIFT})`, { ...at(), hint: "check the shift amount" });
  if (result === "overflow") {
    throw new RecipeError("overflow", `integer overflow: ${a} ${operator} ${b} is beyond ±2^${INTEGER_BITS}`, { ...at(), hint: "pvm integers are exact up to 128 bits; check the arithmetic (a loop that multiplies?)" });
  }
  return result;
}

export { encode, locate, placeError, evaluate, compileExpr, evaluateConstant, compare, arithmetic };
