import {
  LOOP_CAP,
  MAX_DUMP,
  MAX_NESTING,
  assert,
  assertNever,
  count,
  closest,
  lineIndex,
  InvalidRecipe,
  sha256Hex,
  toHex
} from "./main-96f73920.js";
import {
  MAX_PATTERN_SPAN,
  concreteBytes,
  patternLength,
  formatPattern,
  resultKind,
  integerRange,
  integerOperation
} from "./main-5ghqgfn3.js";
import {
  X86_64_REGISTERS
} from "./main-zffz883y.js";
import {
  analyzeLoop,
  addReadAhead
} from "./main-w0nhtcw6.js";

// src/dsl/brackets.ts
function checkNesting(source) {
  const { tooDeep, statementStarts } = scanBrackets(source.text);
  if (tooDeep !== undefined) {
    throw new InvalidRecipe(source, [{ code: "too-deep", message: `nesting deeper than ${MAX_NESTING} levels of (), [] and {}`, span: { start: tooDeep, end: tooDeep + 1 }, hint: "name intermediate values with let, or split the blocks" }]);
  }
  return { statementStarts };
}
function scanBrackets(text) {
  const statementStarts = [];
  let depth = 0;
  for (let i = 0;i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      for (i++;i < text.length && text.charCodeAt(i) !== 34 && text.charCodeAt(i) !== 10; i++)
        if (text.charCodeAt(i) === 92)
          i++;
    } else if (c === 35) {
      while (i + 1 < text.length && text.charCodeAt(i + 1) !== 10)
        i++;
    } else if (c === 40 || c === 91 || c === 123) {
      if (++depth > MAX_NESTING)
        return { tooDeep: i, statementStarts, depth };
    } else if (c === 41 || c === 93 || c === 125)
      depth = Math.max(0, depth - 1);
    else if (c === 10 && depth === 0)
      statementStarts.push(i + 1);
  }
  return { tooDeep: undefined, statementStarts, depth };
}

// src/plan/plan.ts
var PLAN_VERSION = 5;

// src/dsl/builtins.ts
var BUILTINS = new Map([
  ["module", { params: ["name"], example: 'module("libc.so.6")' }],
  ["symbol", { params: ["module", "name"], atLeast: 1, example: 'symbol("app", "main")' }],
  ["region", { params: ["name"], example: 'region("[heap]")' }],
  ["range", { params: ["start", "size"], example: "range(p, 0x1000)" }],
  ["len", { params: ["value"], example: "len(hits)" }],
  ["hex", { params: ["value"], example: "hex(read bytes 16 at p)" }],
  ["min", { params: ["a"], variadic: true, example: "min(a, b) or min(hits)" }],
  ["max", { params: ["a"], variadic: true, example: "max(a, b) or max(hits)" }],
  ["ripref", { params: ["insn", "disp_offset", "insn_len"], example: "ripref(hit, 3, 7)" }],
  ["threads", { params: [], example: "threads()" }],
  ["reg", { params: ["thread", "name"], example: 'reg(threads()[0], "rip")' }]
]);
var LITERAL_ARGUMENTS = new Set(["module", "symbol", "region"]);
var REGION_FIELDS = new Map([
  ["start", "ptr"],
  ["end", "ptr"],
  ["size", "int"]
]);

// src/dsl/static-type.ts
function describeType(type) {
  return {
    int: "a number",
    ptr: "an address",
    region: "a region",
    float: "a float",
    str: "a string",
    bool: "a condition",
    bytes: "bytes",
    pattern: "a byte pattern",
    list: "a list"
  }[type];
}
function family(type) {
  return type === "int" || type === "ptr" || type === "region" ? "number" : type;
}
function isInteger(type) {
  return type === "int" || type === "ptr" || type === "region";
}

// src/dsl/types.ts
var DEFAULT_CSTRING_MAX = 4096;
var MAX_SIZED_READ = 1 << 20;
function integer(size, signed, bigEndian) {
  const name = `${signed ? "i" : "u"}${size * 8}${bigEndian ? "be" : ""}`;
  return { kind: "int", name, size, signed, bigEndian };
}
function float(size, bigEndian) {
  return { kind: "float", name: `f${size * 8}${bigEndian ? "be" : ""}`, size, bigEndian };
}
var SCALARS = new Map([
  ...[1, 2, 4, 8].flatMap((size) => [false, true].flatMap((signed) => (size === 1 ? [false] : [false, true]).map((be) => integer(size, signed, be)))),
  float(4, false),
  float(8, false),
  float(4, true),
  float(8, true),
  { kind: "ptr", name: "ptr", size: 8 }
].map((t) => [t.name, t]));
var TYPE_NAMES = [
  "u8",
  "u16",
  "u32",
  "u64",
  "i8",
  "i16",
  "i32",
  "i64",
  "f32",
  "f64",
  "ptr",
  "cstring",
  "bytes",
  "utf16",
  "u16be",
  "u32be",
  "u64be",
  "i16be",
  "i32be",
  "i64be",
  "f32be",
  "f64be"
];
function scalarType(name) {
  return SCALARS.get(name);
}
function cstringType(max) {
  return { kind: "cstring", name: "cstring", max };
}
function isListType(type) {
  return type.name === "list" && type.size === undefined;
}

// src/dsl/check-types.ts
function typeOfRead(type, use, report) {
  const sized = (name, limit, result, example, optional = false) => {
    if (type.size === undefined) {
      if (use === "read" && !optional)
        report({ code: "type-size", message: `${name} needs a size when read`, span: type.span, hint: `write e.g. ${example}` });
    } else {
      const size = constantInteger(type.size);
      if (size === undefined || size < 1n || size > BigInt(limit)) {
        report({ code: "type-size", message: `the size of ${name} must be a constant from 1 to ${limit}`, span: type.size.span, hint: `write e.g. ${example}` });
      }
    }
    if (use === "param")
      report({ code: "param-type", message: `a param cannot be ${name}`, span: type.span, hint: "params are numbers, addresses or lists: use an integer type (u8 … i64), ptr, f64 or list" });
    return result;
  };
  switch (type.name) {
    case "cstring":
      return sized("a cstring", MAX_SIZED_READ, "str", "cstring max 256", true);
    case "bytes":
      return sized("bytes", MAX_SIZED_READ, "bytes", "bytes 16");
    case "utf16":
      return sized("utf16", MAX_SIZED_READ / 2, "str", "utf16 32");
  }
  const scalar = scalarType(type.name);
  if (scalar !== undefined)
    return scalar.kind === "float" ? "float" : scalar.kind === "ptr" ? "ptr" : "int";
  const suggestion = closest(type.name, TYPE_NAMES);
  report({
    code: "unknown-type",
    message: `unknown type '${type.name}' (expected u8, u16, u32, u64, i8 … i64, f32, f64, ptr, cstring, bytes N, utf16 N, or a be variant such as u32be)`,
    span: type.span,
    hint: suggestion === undefined ? "see the list of types in docs/language.md" : `did you mean '${suggestion}'?`
  });
  return "int";
}
function checkPatternLiteral(e, report) {
  if (e.pattern === undefined) {
    const problem = e.problem;
    const start = e.span.start + 'hex"'.length + problem.offset;
    report({ code: "pattern", message: problem.message, span: { start, end: start + problem.length }, hint: problem.hint });
    return "bytes";
  }
  return concreteBytes(e.pattern) === undefined ? "pattern" : "bytes";
}
function checkDatum(d, role, typeOf, report) {
  const type = typeOf(d.value);
  switch (d.kind) {
    case "typed": {
      const scalar = scalarType(d.type.name);
      if (scalar.kind === "float" ? !isInteger(type) && type !== "float" : !isInteger(type)) {
        report({
          code: "type",
          message: `${d.type.name} takes ${scalar.kind === "float" ? "a number" : "an integer"}, not ${describeType(type)}`,
          span: d.value.span,
          hint: `write e.g. ${d.type.name} ${scalar.kind === "float" ? "1.5" : "1000"}`
        });
      } else {
        checkFits(scalar, d.value, report);
      }
      return;
    }
    case "utf16":
      if (type !== "str")
        report({ code: "type", message: `utf16 takes a string, not ${describeType(type)}`, span: d.value.span, hint: 'write e.g. utf16 "secret"' });
      return;
    case "plain":
      if (type === "bytes" || type === "str")
        return;
      if (type === "pattern") {
        if (role === "replacement") {
          report({ code: "wildcard", message: "wildcards cannot be written: a patch writes concrete bytes", span: d.value.span, hint: 'give every byte, e.g. with hex"b8 01 00 00 00 c3"' });
        }
        return;
      }
      report({
        code: "type",
        message: `${describeType(type)} has no byte form here`,
        span: d.value.span,
        hint: isInteger(type) || type === "float" ? "give it a type: u32 1000, f64 1.5, ptr p" : 'use bytes (hex"…"), a string, or a typed value such as u32 1000'
      });
  }
}
function staticLength(d) {
  if (d.kind === "typed") {
    const size = scalarType(d.type.name).size;
    return { min: size, max: size };
  }
  if (d.value.kind === "string") {
    const n = d.kind === "utf16" ? [...d.value.value].reduce((sum, ch) => sum + ch.length * 2, 0) : d.value.bytes.length;
    return { min: n, max: n };
  }
  if (d.kind === "plain" && d.value.kind === "bytes" && d.value.pattern !== undefined)
    return patternLength(d.value.pattern.tokens);
  return;
}
function checkFits(type, value, report) {
  const constant = constantInteger(value);
  if (constant === undefined)
    return;
  const range = type.kind === "int" ? integerRange(type) : type.kind === "ptr" ? { min: 0n, max: (1n << 64n) - 1n } : undefined;
  if (range !== undefined && (constant < range.min || constant > range.max)) {
    report({ code: "range", message: `${constant} does not fit ${type.name} (${range.min} to ${range.max})`, span: value.span, hint: "use a wider type, or a value in range: pvm never wraps integers" });
  }
}
function constantInteger(e) {
  switch (e.kind) {
    case "integer":
      return e.value;
    case "unary": {
      const operand = constantInteger(e.operand);
      if (operand === undefined)
        return;
      return e.operator === "-" ? -operand : ~operand;
    }
    case "binary": {
      const left = constantInteger(e.left);
      const right = constantInteger(e.right);
      if (left === undefined || right === undefined)
        return;
      const result = integerOperation(e.operator, left, right);
      return typeof result === "bigint" ? result : undefined;
    }
    default:
      return;
  }
}

// src/dsl/check-expression.ts
var PERMS = /^[r?-][w?-]?[x?-]?[ps?]?$/;
function expressionType(e, scope, report) {
  const typeOf = (x) => expressionType(x, scope, report);
  switch (e.kind) {
    case "integer":
      return "int";
    case "float":
      return "float";
    case "boolean":
      return "bool";
    case "list":
      for (const item of e.items) {
        const type = typeOf(item);
        if (!isInteger(type))
          report({ code: "type", message: `a list holds addresses, not ${describeType(type)}`, span: item.span, hint: "list addresses or numbers: [p, p + 8]" });
      }
      return "list";
    case "string":
      return "str";
    case "bytes":
      return checkPatternLiteral(e, report);
    case "name": {
      const binding = scope.lookup(e.name);
      if (binding !== undefined)
        return binding.type;
      const suggestion = closest(e.name, scope.names());
      report({
        code: "unknown-name",
        message: `unknown name '${e.name}'`,
        span: e.span,
        hint: suggestion === undefined ? `define it first with \`let ${e.name} = …\` or \`param ${e.name}: …\`` : `did you mean '${suggestion}'?`
      });
      return "int";
    }
    case "unary": {
      const operand = typeOf(e.operand);
      requireNumber(operand, e.operand, report, e.operator === "-");
      return operand === "float" ? "float" : "int";
    }
    case "binary": {
      const left = typeOf(e.left);
      const right = typeOf(e.right);
      if (left === "str" || right === "str") {
        if (e.operator !== "+" || left !== right) {
          report({
            code: "type",
            message: e.operator === "+" ? `a string joins only with a string, not ${describeType(left === "str" ? right : left)}` : `strings take only + (to join them), not ${e.operator}`,
            span: e.span,
            hint: 'write "at " + hex(p) to put a number in a string'
          });
        }
        return "str";
      }
      const floats = left === "float" || right === "float";
      const floatOp = e.operator === "+" || e.operator === "-" || e.operator === "*" || e.operator === "/";
      requireNumber(left, e.left, report, floatOp);
      requireNumber(right, e.right, report, floatOp);
      if (floats) {
        if (left === "ptr" || right === "ptr" || left === "region" || right === "region") {
          report({ code: "type", message: "an address cannot be combined with a float", span: e.span, hint: "addresses are integers; compute the offset as an integer" });
        }
        return "float";
      }
      const kind = (t) => t === "ptr" || t === "region" ? "ptr" : "int";
      return resultKind(e.operator, kind(left), kind(right));
    }
    case "read":
      requireAddress(typeOf(e.address), e.address, report);
      return typeOfRead(e.type, "read", report);
    case "deref":
      requireAddress(typeOf(e.address), e.address, report);
      return "ptr";
    case "call":
      return callType(e, scope, report);
    case "index": {
      const object = typeOf(e.object);
      const index = typeOf(e.index);
      if (!isInteger(index) || index === "ptr")
        report({ code: "type", message: `an index must be a number, not ${describeType(index)}`, span: e.index.span, hint: "index from 0: hits[0]" });
      if (object === "list")
        return "ptr";
      if (object === "bytes")
        return "int";
      report({ code: "type", message: `only lists and bytes can be indexed, not ${describeType(object)}`, span: e.object.span, hint: "a scan gives a list: let hits = scan …; hits[0]" });
      return "int";
    }
    case "scan":
      return scanType(e, scope, report);
    case "narrow":
      return narrowType(e, scope, report);
    case "compare": {
      const left = typeOf(e.left);
      const right = typeOf(e.right);
      const equality = e.operator === "==" || e.operator === "!=";
      if (left === "str" || right === "str" || left === "bytes" || right === "bytes") {
        if (left !== right)
          report({ code: "type", message: `${describeType(left)} cannot be compared with ${describeType(right)}`, span: e.span, hint: "compare numbers with numbers, strings with strings, bytes with bytes" });
        else if (!equality)
          report({ code: "type", message: `${left === "str" ? "strings" : "bytes"} compare only with == and !=, not ${e.operator}`, span: e.span, hint: "compare their lengths or single bytes instead" });
      } else {
        requireComparable(left, e.left, report);
        requireComparable(right, e.right, report);
      }
      return "bool";
    }
    case "logical":
      requireCondition(typeOf(e.left), e.left, report);
      requireCondition(typeOf(e.right), e.right, report);
      return "bool";
    case "not":
      requireCondition(typeOf(e.operand), e.operand, report);
      return "bool";
    case "field": {
      const object = typeOf(e.object);
      const field = REGION_FIELDS.get(e.field.name);
      if (object !== "region") {
        report({ code: "type", message: `'.${e.field.name}' applies only to a region, such as module("name")`, span: e.field.span, hint: 'module("libc.so.6").start is the start of libc' });
      } else if (field === undefined) {
        const suggestion = closest(e.field.name, REGION_FIELDS.keys());
        report({ code: "unknown-field", message: `a region has no field '${e.field.name}'`, span: e.field.span, hint: suggestion === undefined ? "its fields are start, end and size" : `did you mean '${suggestion}'?` });
      }
      return field ?? "int";
    }
    default:
      return assertNever(e);
  }
}
function narrowType(e, scope, report) {
  const list = expressionType(e.list, scope, report);
  if (list !== "list") {
    report({ code: "type", message: `narrow keeps items of a list, not of ${describeType(list)}`, span: e.list.span, hint: "narrow the hits of a scan: let hits = scan u32 100 in all align 4; hits = narrow hits u32 == 90" });
  }
  const valueType = typeOfRead(e.type, "narrow", report);
  const float = valueType === "float";
  const number = (x) => requireNumber(expressionType(x, scope, report), x, report, true);
  const test = e.test;
  if (test.kind === "compare") {
    number(test.value);
    if (test.within !== undefined) {
      number(test.within);
      if (!float)
        report({ code: "type", message: `within is a tolerance for floats, and ${e.type.name} is an integer type`, span: test.within.span, hint: "compare integers exactly, or use between A and B" });
      else if (test.operator !== "==" && test.operator !== "!=")
        report({ code: "type", message: `within goes with == and !=, not ${test.operator}`, span: test.span, hint: "write narrow hits f32 == 1.5 within 0.01" });
    }
  } else if (test.kind === "between") {
    number(test.low);
    number(test.high);
  }
  return "list";
}
function scanType(e, scope, report) {
  checkDatum(e.needle, "needle", (x) => expressionType(x, scope, report), report);
  if (e.range.kind === "region") {
    const range = expressionType(e.range.region, scope, report);
    if (range !== "region") {
      report({ code: "scan-range", message: `a scan looks in a region, not in ${describeType(range)}`, span: e.range.span, hint: 'write all, anon, module("name"), region("[heap]") or range(start, size)' });
    }
  }
  for (const span of e.repeated)
    report({ code: "scan-option", message: "this option is given twice", span, hint: "give each scan option once" });
  if (e.perms !== undefined && (e.perms.kind !== "string" || !PERMS.test(e.perms.value))) {
    report({ code: "scan-perms", message: 'perms must be a string such as "r-x" or "rw"', span: e.perms.span, hint: "r, w, x: required; -: must be absent; ? or a missing letter: either" });
  }
  if (e.align !== undefined) {
    const align = constantInteger(e.align);
    if (align === undefined || align < 1n || align > 4096n)
      report({ code: "scan-align", message: "align must be a constant from 1 to 4096", span: e.align.span, hint: "write e.g. align 4" });
  }
  if (e.limit !== undefined)
    requireCount(expressionType(e.limit, scope, report), e.limit, report);
  if (e.unique && e.limit !== undefined) {
    report({ code: "scan-option", message: "unique and limit cannot be combined", span: e.limit.span, hint: "unique already requires exactly one hit; drop the limit" });
  }
  return e.unique ? "ptr" : "list";
}
function callType(e, scope, report) {
  const name = e.callee.name;
  const builtin = BUILTINS.get(name);
  if (builtin === undefined) {
    const suggestion = closest(name, BUILTINS.keys());
    report({ code: "unknown-function", message: `unknown function '${name}'`, span: e.callee.span, hint: suggestion === undefined ? `the functions are: ${[...BUILTINS.keys()].join(", ")}` : `did you mean '${suggestion}'?` });
    return "int";
  }
  const arity = builtin.params.length;
  const least = builtin.atLeast ?? arity;
  if (builtin.variadic ? e.args.length < arity : e.args.length < least || e.args.length > arity) {
    const takes = builtin.variadic ? `at least ${count(arity, "argument")}` : least < arity ? `${least} to ${count(arity, "argument")}` : count(arity, "argument");
    report({
      code: "arity",
      message: `${name}() takes ${takes} (${builtin.params.join(", ")}), not ${e.args.length}`,
      span: e.span,
      hint: `write e.g. ${builtin.example}`
    });
    return name === "module" || name === "region" || name === "range" ? "region" : name === "hex" ? "str" : name === "symbol" || name === "ripref" || name === "reg" ? "ptr" : name === "threads" ? "list" : "int";
  }
  if (LITERAL_ARGUMENTS.has(name)) {
    for (const arg of e.args) {
      if (arg.kind !== "string")
        report({ code: "not-literal", message: `the arguments of ${name}() must be string literals`, span: arg.span, hint: `write e.g. ${builtin.example}` });
    }
    return name === "symbol" ? "ptr" : "region";
  }
  const args = e.args.map((arg) => expressionType(arg, scope, report));
  const wrong = (i, wanted) => report({ code: "type", message: `${name}() takes ${wanted}, not ${describeType(args[i])}`, span: e.args[i].span, hint: `write e.g. ${builtin.example}` });
  switch (name) {
    case "range":
      if (!isInteger(args[0]))
        wrong(0, "an address first");
      requireCount(args[1], e.args[1], report);
      return "region";
    case "len":
      if (args[0] !== "list" && args[0] !== "bytes" && args[0] !== "str")
        wrong(0, "a list, bytes or a string");
      return "int";
    case "hex":
      if (!isInteger(args[0]) && args[0] !== "bytes" && args[0] !== "str")
        wrong(0, "a number, bytes or a string");
      return "str";
    case "min":
    case "max": {
      if (args.length === 1) {
        if (args[0] !== "list")
          wrong(0, "a list, or two or more numbers");
        return "ptr";
      }
      args.forEach((t, i) => {
        if (!isInteger(t))
          wrong(i, "numbers or addresses");
      });
      return args.every((t) => t === "ptr" || t === "region") ? "ptr" : "int";
    }
    case "threads":
      return "list";
    case "reg": {
      if (!isInteger(args[0]))
        wrong(0, "a thread id first (from threads())");
      const register = e.args[1];
      if (register.kind !== "string") {
        report({ code: "not-literal", message: "the register of reg() must be a string literal", span: register.span, hint: `write e.g. ${builtin.example}` });
      } else if (!X86_64_REGISTERS.includes(register.value)) {
        const suggestion = closest(register.value, X86_64_REGISTERS);
        report({ code: "unknown-register", message: `unknown register '${register.value}'`, span: register.span, hint: suggestion === undefined ? `the registers are: ${X86_64_REGISTERS.join(", ")}` : `did you mean '${suggestion}'?` });
      }
      return "ptr";
    }
    case "ripref":
      if (!isInteger(args[0]))
        wrong(0, "the address of an instruction first");
      if (args[1] !== "int")
        wrong(1, "the offset of the displacement in the instruction second");
      if (args[2] !== "int")
        wrong(2, "the length of the instruction third");
      return "ptr";
    default:
      return "int";
  }
}
function requireCondition(type, e, report) {
  if (type !== "bool") {
    report({ code: "condition", message: `a condition must be true or false, not ${describeType(type)}`, span: e.span, hint: "compare it, e.g. `n != 0`" });
  }
}
function requireComparable(type, e, report) {
  if (type === "bool")
    report({ code: "type", message: "conditions cannot be ordered or compared", span: e.span, hint: "combine conditions with && and ||" });
  else if (type === "list" || type === "pattern") {
    report({ code: "type", message: `${describeType(type)} cannot be compared`, span: e.span, hint: type === "list" ? "compare len(list) or its items" : "scan for a pattern, or compare concrete bytes" });
  }
}
function requireNumber(type, e, report, floats = false) {
  if (type === "bool") {
    report({ code: "type", message: "a condition cannot be used in arithmetic", span: e.span, hint: "use if/else to choose between numbers" });
  } else if (type === "float" && !floats) {
    report({ code: "type", message: "this operator takes integers, not a float", span: e.span, hint: "floats take + - * / only" });
  } else if (type !== "int" && type !== "ptr" && type !== "region" && type !== "float") {
    report({ code: "type", message: `${describeType(type)} cannot be used in arithmetic`, span: e.span, hint: "use a number or an address here" });
  }
}
function requireCount(type, e, report) {
  if (type !== "int")
    report({ code: "type", message: `expected a number here, not ${describeType(type)}`, span: e.span, hint: "write an integer, e.g. 16" });
}
function requireAddress(type, e, report) {
  if (!isInteger(type)) {
    report({ code: "type", message: `an address must be an integer or a ptr, not ${describeType(type)}`, span: e.span, hint: "read a ptr, or compute the address from one" });
  }
}

// src/dsl/check.ts
class Scope {
  #names = new Map;
  parent;
  constructor(parent) {
    this.parent = parent;
  }
  lookup(name) {
    return this.#names.get(name) ?? this.parent?.lookup(name);
  }
  names() {
    return [...this.#names.keys(), ...this.parent?.names() ?? []];
  }
  declare(name, binding) {
    this.#names.set(name, binding);
  }
  own() {
    return new Map([...this.#names].map(([name, binding]) => [name, binding.type]));
  }
}
function check(recipe, session) {
  const diagnostics = [];
  const state = { writes: false, loops: 0 };
  const outer = new Scope;
  for (const [name, type] of session ?? [])
    outer.declare(name, { type, span: { start: 0, end: 0 }, role: "session" });
  const root = new Scope(outer);
  checkBlock(recipe.statements, root, (d) => diagnostics.push(d), state);
  return { diagnostics, writes: state.writes, declared: root.own() };
}
function checkBlock(statements, scope, report, state) {
  const declare = (name, type, role) => {
    const existing = scope.lookup(name.name);
    const anew = existing?.role === "session" && scope.parent?.parent === undefined && scope.own().has(name.name) === false;
    if (existing !== undefined && !anew) {
      report({
        code: "redefined",
        message: `'${name.name}' is already defined`,
        span: name.span,
        hint: role === "loop" ? "name the loop variable differently" : `choose another name, or assign the existing one with \`${name.name} = …\``
      });
      return;
    }
    scope.declare(name.name, { type, span: name.span, role });
  };
  const typeOf = (e) => expressionType(e, scope, report);
  const checkLimit = (limit) => {
    if (limit === undefined)
      return;
    requireCount(typeOf(limit), limit, report);
    const value = constantInteger(limit);
    if (value !== undefined && value < 0n)
      report({ code: "bad-limit", message: `limit ${value} is negative`, span: limit.span, hint: "give a limit of 0 or more" });
  };
  const checkLoopBody = (body, bodyScope) => {
    state.loops++;
    checkBlock(body, bodyScope, report, state);
    state.loops--;
  };
  for (const statement of statements) {
    switch (statement.kind) {
      case "param": {
        if (scope.parent?.parent !== undefined) {
          report({ code: "param-position", message: "a param must be declared at the top level of the recipe", span: statement.span, hint: "move the param before the blocks that use it" });
        }
        const isList = isListType(statement.type);
        const type = isList ? "list" : typeOfRead(statement.type, "param", report);
        if (statement.default !== undefined) {
          checkConstant(statement.default, report);
          const given = typeOf(statement.default);
          if (isList ? given !== "list" : !isInteger(given) && given !== "float") {
            report({
              code: "type",
              message: `the default of '${statement.name.name}' must be ${isList ? "a list" : "a number"}, not ${describeType(given)}`,
              span: statement.default.span,
              hint: isList ? "write e.g. = [] or = [0x10, 0x20]" : "write e.g. = 0x10"
            });
          }
        }
        declare(statement.name, type, "param");
        break;
      }
      case "let":
        declare(statement.name, typeOf(statement.value), "let");
        break;
      case "assign": {
        const binding = scope.lookup(statement.name.name);
        const type = typeOf(statement.value);
        if (binding === undefined) {
          const suggestion = closest(statement.name.name, scope.names());
          report({
            code: "unknown-name",
            message: `unknown name '${statement.name.name}'`,
            span: statement.name.span,
            hint: suggestion === undefined ? `declare it first with \`let ${statement.name.name} = …\`` : `did you mean '${suggestion}'?`
          });
        } else if (binding.role !== "let" && binding.role !== "session") {
          report({
            code: "read-only",
            message: `'${statement.name.name}' is a ${binding.role === "param" ? "param" : "loop variable"} and cannot be assigned`,
            span: statement.name.span,
            hint: `copy it first: \`let my_${statement.name.name} = ${statement.name.name}\``
          });
        } else if (family(binding.type) !== family(type)) {
          report({ code: "type", message: `'${statement.name.name}' holds ${describeType(binding.type)}, not ${describeType(type)}`, span: statement.value.span, hint: "assign a value of the same kind, or use a new `let`" });
        }
        break;
      }
      case "print":
        for (const value of statement.values)
          typeOf(value);
        break;
      case "emit":
        typeOf(statement.value);
        break;
      case "if":
        requireCondition(typeOf(statement.condition), statement.condition, report);
        checkBlock(statement.then, new Scope(scope), report, state);
        if (statement.otherwise !== undefined)
          checkBlock(statement.otherwise, new Scope(scope), report, state);
        break;
      case "for": {
        let variable = "int";
        if (statement.over.kind === "range") {
          const from = typeOf(statement.over.from);
          requireNumber(from, statement.over.from, report);
          requireNumber(typeOf(statement.over.to), statement.over.to, report);
          variable = from === "ptr" || from === "region" ? "ptr" : "int";
          checkStaticBound(statement, statement.over, report);
        } else {
          const list = typeOf(statement.over.list);
          if (list !== "list")
            report({ code: "type", message: `a for loop goes over a list or a range A..B, not ${describeType(list)}`, span: statement.over.list.span, hint: "write for h in hits { … } or for i in 0..n { … }" });
          variable = "ptr";
        }
        checkLimit(statement.limit);
        const body = new Scope(scope);
        if (scope.lookup(statement.variable.name) !== undefined)
          declare(statement.variable, variable, "loop");
        else
          body.declare(statement.variable.name, { type: variable, span: statement.variable.span, role: "loop" });
        checkLoopBody(statement.body, body);
        break;
      }
      case "while":
        requireCondition(typeOf(statement.condition), statement.condition, report);
        checkLimit(statement.limit);
        checkLoopBody(statement.body, new Scope(scope));
        break;
      case "break":
        if (state.loops === 0)
          report({ code: "break-outside-loop", message: "`break` outside a loop", span: statement.span, hint: "break leaves the innermost for or while loop; to stop the recipe, use assert" });
        break;
      case "assert":
        requireCondition(typeOf(statement.condition), statement.condition, report);
        if (statement.message !== undefined && typeOf(statement.message) !== "str") {
          report({ code: "type", message: "the message of an assert must be a string", span: statement.message.span, hint: 'write e.g. assert n == 1000, "counter moved"' });
        }
        break;
      case "write":
        state.writes = true;
        requireAddress(typeOf(statement.address), statement.address, report);
        checkWriteValue(statement, typeOfRead(statement.type, "write", report), typeOf(statement.value), report);
        break;
      case "dump": {
        requireAddress(typeOf(statement.address), statement.address, report);
        requireCount(typeOf(statement.length), statement.length, report);
        const length = constantInteger(statement.length);
        if (length !== undefined && (length < 1n || length > BigInt(MAX_DUMP))) {
          report({ code: "dump-size", message: `a dump covers 1 to ${MAX_DUMP} bytes, not ${length}`, span: statement.length.span, hint: "dump a smaller range, or several" });
        }
        break;
      }
      case "patch":
        state.writes = true;
        checkPatch(statement, typeOf, report);
        break;
      default:
        assertNever(statement);
    }
  }
}
function checkWriteValue(statement, wanted, given, report) {
  const type = statement.type.name;
  const scalar = scalarType(type);
  if (scalar !== undefined) {
    const ok = scalar.kind === "float" ? isInteger(given) || given === "float" : isInteger(given);
    if (!ok)
      report({ code: "type", message: `cannot write ${describeType(given)} as ${type}`, span: statement.value.span, hint: scalar.kind === "float" ? "write a number" : "write an integer or an address" });
    else
      checkFits(scalar, statement.value, report);
    return;
  }
  if (given === "pattern") {
    report({ code: "wildcard", message: "wildcards cannot be written: a write needs concrete bytes", span: statement.value.span, hint: 'give every byte, e.g. hex"90 90"' });
  } else if (wanted === "bytes" ? given !== "bytes" && given !== "str" : given !== "str") {
    report({ code: "type", message: `cannot write ${describeType(given)} as ${type}`, span: statement.value.span, hint: wanted === "bytes" ? 'write bytes (hex"…") or a string' : "write a string" });
  }
}
function checkPatch(statement, typeOf, report) {
  for (const site of statement.sites) {
    requireAddress(typeOf(site.address), site.address, report);
    checkDatum(site.replacement, "replacement", typeOf, report);
    if (site.expect === undefined) {
      report({
        code: "patch-expect",
        message: "a patch site needs `expect`: the bytes that must be there before it writes",
        span: site.span,
        hint: 'add e.g. `expect hex"8b 05 ?? ?? ?? ??"` before `with`; use `write` for unverified data writes'
      });
      continue;
    }
    checkDatum(site.expect, "expect", typeOf, report);
    const expected = staticLength(site.expect);
    const replacement = staticLength(site.replacement);
    if (expected !== undefined && expected.min !== expected.max) {
      report({
        code: "patch-length",
        message: "the expected bytes of a patch site must have a fixed length",
        span: site.expect.span,
        hint: "use ?? for bytes that may be anything; jumps and alternatives of different lengths are for scans"
      });
    } else if (expected !== undefined && replacement !== undefined && expected.min < replacement.min) {
      report({
        code: "patch-length",
        message: `the site expects ${count(expected.min, "byte")} but writes ${replacement.min}`,
        span: site.span,
        hint: "expect at least the bytes the patch replaces (pad with ?? if needed), so a revert restores all of them; a longer expect anchors the patch"
      });
    }
  }
}
function checkStaticBound(statement, over, report) {
  if (statement.limit !== undefined)
    return;
  const from = constantInteger(over.from);
  const to = constantInteger(over.to);
  if (from === undefined || to === undefined || to - from <= LOOP_CAP)
    return;
  report({
    code: "unbounded-loop",
    message: `this loop would run ${to - from} times, more than the default cap of ${LOOP_CAP}`,
    span: statement.span,
    hint: "add `limit N` to run at most N iterations"
  });
}
function checkConstant(expression, report) {
  const visit = (e) => {
    switch (e.kind) {
      case "integer":
      case "float":
      case "boolean":
      case "string":
      case "bytes":
      case "name":
        return;
      case "list":
        return e.items.forEach(visit);
      case "unary":
      case "not":
        return visit(e.operand);
      case "field":
        return visit(e.object);
      case "index":
        visit(e.object);
        return visit(e.index);
      case "binary":
      case "compare":
      case "logical":
        visit(e.left);
        return visit(e.right);
      case "read":
      case "deref":
      case "call":
      case "scan":
      case "narrow":
        report({
          code: "param-default-reads",
          message: "a param default cannot read memory or look up modules",
          span: e.span,
          hint: "give a constant default, and read memory in a `let` after the params"
        });
        return;
      default:
        assertNever(e);
    }
  };
  visit(expression);
}

// src/dsl/compile.ts
function compileParsed(source, recipe) {
  return compileInSession(source, recipe).plan;
}
function compileInSession(source, recipe, session) {
  const result = check(recipe, session);
  if (result.diagnostics.length > 0)
    throw new InvalidRecipe(source, result.diagnostics);
  return { plan: compile(source, recipe, result.writes), declared: result.declared };
}
var PTR = { kind: "ptr", name: "ptr", size: 8 };
function compile(source, recipe, writes) {
  const lines = lineIndex(source);
  const loc = (span) => lines.lineOf(span);
  let nextSite = 0;
  const params = [];
  const expr = (e) => {
    switch (e.kind) {
      case "integer":
        return { op: "int", value: e.value.toString() };
      case "float":
        return { op: "float", value: e.value };
      case "boolean":
        return { op: "bool", value: e.value };
      case "list":
        return { op: "list", items: e.items.map(expr) };
      case "string":
        return { op: "str", value: e.value };
      case "bytes": {
        const pattern = e.pattern;
        const bytes = concreteBytes(pattern);
        return bytes === undefined ? { op: "pattern", tokens: pattern.tokens, text: formatPattern(pattern.tokens) } : { op: "bytes", hex: toHex(bytes) };
      }
      case "name":
        return { op: "var", name: e.name };
      case "unary":
        return { op: "unary", operator: e.operator, operand: expr(e.operand) };
      case "binary":
        return { op: "binary", operator: e.operator, left: expr(e.left), right: expr(e.right), loc: loc(e.operatorSpan) };
      case "read": {
        const address = expr(e.address);
        return { op: "read", type: memoryType(e.type), address, site: nextSite++, loc: loc(e.span) };
      }
      case "deref": {
        const address = expr(e.address);
        return { op: "read", type: PTR, address, site: nextSite++, loc: loc(e.span) };
      }
      case "call":
        return call(e);
      case "index":
        return { op: "index", object: expr(e.object), index: expr(e.index), loc: loc(e.span) };
      case "scan":
        return {
          op: "scan",
          needle: datum(e.needle),
          range: e.range.kind === "region" ? { kind: "region", region: expr(e.range.region) } : { kind: e.range.kind },
          perms: e.perms?.kind === "string" ? e.perms.value : undefined,
          align: e.align === undefined ? 1 : Number(constantInteger(e.align)),
          limit: e.limit && expr(e.limit),
          unique: e.unique,
          loc: loc(e.span)
        };
      case "field":
        return { op: "field", object: expr(e.object), field: e.field.name };
      case "narrow": {
        const test = e.test;
        return {
          op: "narrow",
          list: expr(e.list),
          type: memoryType(e.type),
          test: test.kind === "compare" ? { kind: "compare", operator: test.operator, value: expr(test.value), within: test.within && expr(test.within) } : test.kind === "between" ? { kind: "between", low: expr(test.low), high: expr(test.high) } : test.kind === "any" ? { kind: "any" } : { kind: "change", change: test.change },
          loc: loc(e.span)
        };
      }
      case "compare":
        return { op: "compare", operator: e.operator, left: expr(e.left), right: expr(e.right) };
      case "logical":
        return { op: "logical", operator: e.operator, left: expr(e.left), right: expr(e.right) };
      case "not":
        return { op: "not", operand: expr(e.operand) };
      default:
        return assertNever(e);
    }
  };
  const call = (e) => {
    const literal = (i) => {
      const arg = e.args[i];
      return arg?.kind === "string" ? arg.value : "";
    };
    const name = e.callee.name;
    switch (name) {
      case "module":
        return { op: "module", name: literal(0), loc: loc(e.span) };
      case "symbol":
        return e.args.length === 1 ? { op: "symbol", name: literal(0), loc: loc(e.span) } : { op: "symbol", module: literal(0), name: literal(1), loc: loc(e.span) };
      case "region":
        return { op: "call", name, args: [{ op: "str", value: literal(0) }], loc: loc(e.span) };
      case "ripref": {
        const [insn, dispOffset, insnLength] = e.args.map(expr);
        return { op: "ripref", insn, dispOffset, insnLength, loc: loc(e.span) };
      }
      case "threads":
      case "reg":
      case "range":
      case "len":
      case "hex":
      case "min":
      case "max":
        return { op: "call", name, args: e.args.map(expr), loc: loc(e.span) };
      default:
        throw new Error(`pvm internal error: unchecked builtin ${name}`);
    }
  };
  const data = (e) => e.kind === "string" ? { op: "bytes", hex: toHex(e.bytes) } : expr(e);
  const datum = (d) => {
    switch (d.kind) {
      case "typed":
        return { encoding: { kind: "scalar", type: scalarType(d.type.name) }, value: expr(d.value), loc: loc(d.span) };
      case "utf16":
        return { encoding: { kind: "utf16", units: undefined }, value: expr(d.value), loc: loc(d.span) };
      case "plain":
        return { encoding: { kind: "raw", size: undefined }, value: data(d.value), loc: loc(d.span) };
    }
  };
  const block = (statements) => statements.flatMap((s) => {
    switch (s.kind) {
      case "param":
        params.push({ name: s.name.name, type: isListType(s.type) ? { kind: "list", name: "list" } : memoryType(s.type), default: s.default && expr(s.default), loc: loc(s.name.span) });
        return [];
      case "let":
        return [{ op: "let", name: s.name.name, value: expr(s.value), loc: loc(s.span) }];
      case "assign":
        return [{ op: "assign", name: s.name.name, value: expr(s.value), loc: loc(s.span) }];
      case "print":
        return [{ op: "print", values: s.values.map(expr), loc: loc(s.span) }];
      case "emit":
        return [{ op: "emit", name: s.name.name, value: expr(s.value), loc: loc(s.span) }];
      case "if":
        return [{ op: "if", condition: expr(s.condition), then: block(s.then), otherwise: block(s.otherwise ?? []), loc: loc(s.condition.span) }];
      case "for": {
        const over = s.over.kind === "range" ? { kind: "range", from: expr(s.over.from), to: expr(s.over.to) } : { kind: "list", list: expr(s.over.list) };
        const [limit, body] = [s.limit && expr(s.limit), block(s.body)];
        return [{ op: "for", variable: s.variable.name, over, limit, body, prefetch: analyzeLoop(s.variable.name, body), loc: loc(s.span) }];
      }
      case "while":
        return [{ op: "while", condition: expr(s.condition), limit: s.limit && expr(s.limit), body: block(s.body), loc: loc(s.span) }];
      case "break":
        return [{ op: "break", loc: loc(s.span) }];
      case "assert":
        return [{ op: "assert", condition: expr(s.condition), message: s.message && expr(s.message), loc: loc(s.span) }];
      case "write": {
        const encoding = writeEncoding(s.type);
        const value = encoding.kind === "raw" || encoding.kind === "cstring" ? data(s.value) : expr(s.value);
        return [{ op: "write", address: expr(s.address), datum: { encoding, value, loc: loc(s.value.span) }, loc: loc(s.span) }];
      }
      case "dump":
        return [{ op: "dump", address: expr(s.address), length: expr(s.length), loc: loc(s.span) }];
      case "patch":
        return [
          {
            op: "patch",
            name: s.name?.value,
            freeze: s.freeze,
            sites: s.sites.map((site) => ({ address: expr(site.address), expect: datum(site.expect), replacement: datum(site.replacement), loc: loc(site.span) })),
            loc: loc(s.span)
          }
        ];
      default:
        return assertNever(s);
    }
  });
  const steps = addReadAhead(block(recipe.statements));
  return {
    format: "pvm-plan",
    version: PLAN_VERSION,
    recipe: { name: source.name, sha256: sha256Hex(source.text) },
    writes,
    params,
    steps
  };
}
function sizeOf(type) {
  const size = type.size === undefined ? undefined : constantInteger(type.size);
  return size === undefined ? undefined : Number(size);
}
function memoryType(type) {
  switch (type.name) {
    case "cstring":
      return cstringType(sizeOf(type) ?? DEFAULT_CSTRING_MAX);
    case "bytes":
      return { kind: "bytes", name: "bytes", size: sizeOf(type) };
    case "utf16":
      return { kind: "utf16", name: "utf16", units: sizeOf(type) };
  }
  const scalar = scalarType(type.name);
  assert(scalar !== undefined, `unchecked type ${type.name}`);
  return scalar;
}
function writeEncoding(type) {
  switch (type.name) {
    case "cstring":
      return { kind: "cstring", max: sizeOf(type) };
    case "bytes":
      return { kind: "raw", size: sizeOf(type) };
    case "utf16":
      return { kind: "utf16", units: sizeOf(type) };
  }
  return { kind: "scalar", type: scalarType(type.name) };
}

// src/dsl/pattern-parse.ts
class Problem extends Error {
  problem;
  constructor(problem) {
    super(problem.message);
    this.problem = problem;
  }
}
function parsePattern(text) {
  let at = 0;
  const fail = (message, offset, length, hint) => {
    throw new Problem({ message, offset, length: Math.max(1, length), hint });
  };
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at]))
      at++;
  };
  const nibble = (ch) => ch !== undefined && /^[0-9a-fA-F]$/.test(ch) ? parseInt(ch, 16) : ch === "?" ? -1 : undefined;
  const sequence = (inAlt) => {
    const tokens = [];
    for (;; ) {
      skipSpace();
      const ch = text[at];
      if (ch === undefined || inAlt && (ch === "|" || ch === ")"))
        return tokens;
      const start = at;
      if (ch === "[") {
        const close = text.indexOf("]", at);
        if (close < 0)
          fail("unclosed jump", start, 1, "write a jump as [N] or [N-M], e.g. [2-4]");
        const body = text.slice(at + 1, close).replace(/\s+/g, "");
        at = close + 1;
        const m = /^(\d+)(?:-(\d*))?$/.exec(body) ?? /^-()()$/.exec(body);
        if (m === null)
          fail(`bad jump '[${body}]'`, start, at - start, "write a jump as [N] or [N-M], e.g. [2-4]");
        if (m[1] === "" || m[2] === "")
          fail(`unbounded jump '[${body}]'`, start, at - start, "give the jump an upper bound, e.g. [4-64]: every scan is bounded");
        const min = Number(m[1]);
        const max = m[2] === undefined ? min : Number(m[2]);
        if (max < min)
          fail(`jump [${min}-${max}] ends before it starts`, start, at - start, `write [${max}-${min}]`);
        if (max > MAX_PATTERN_SPAN)
          fail(`jump of up to ${max} bytes is too long`, start, at - start, `keep jumps under ${MAX_PATTERN_SPAN} bytes`);
        if (max === 0)
          fail("a jump of 0 bytes matches nothing", start, at - start, "remove it");
        tokens.push({ t: "jump", min, max });
      } else if (ch === "(") {
        at++;
        const options = [];
        for (;; ) {
          const optionStart = at;
          const option = sequence(true);
          if (option.length === 0)
            fail("empty alternative", optionStart, 1, "each alternative needs bytes: ( 62 b4 | 56 )");
          options.push(option);
          if (text[at] === "|") {
            at++;
            continue;
          }
          if (text[at] === ")") {
            at++;
            break;
          }
          fail("unclosed alternatives", start, 1, "close them with ): ( 62 b4 | 56 )");
        }
        tokens.push({ t: "alt", options });
      } else {
        const not = ch === "~";
        if (not)
          at++;
        const high = nibble(text[at]);
        const low = nibble(text[at + 1]);
        if (high === undefined || low === undefined) {
          const bad = high === undefined ? at : at + 1;
          const found = text[bad];
          fail(found === undefined || /\s|[|)]/.test(found) ? `incomplete byte '${text.slice(start, bad)}'` : `unexpected '${found}' in a byte pattern`, found === undefined ? start : bad, 1, 'write each byte as two hex digits (48), ?? for any byte, ?5 or 4? for one nibble, ~00 for "not 00"');
        }
        if (not && high === -1 && low === -1)
          fail("'~??' matches no byte", start, 3, "use ?? for any byte");
        at += 2;
        const mask = (high === -1 ? 0 : 240) | (low === -1 ? 0 : 15);
        const value = (high === -1 ? 0 : high) << 4 | (low === -1 ? 0 : low);
        tokens.push({ t: "byte", value, mask, not });
      }
    }
  };
  try {
    const tokens = sequence(false);
    if (at < text.length)
      fail(`unexpected '${text[at]}'`, at, 1, "alternatives are written ( 62 b4 | 56 )");
    if (tokens.length === 0)
      fail("empty byte pattern", 0, 1, 'write bytes inside the quotes: hex"48 8b 05"');
    if (tokens[0].t === "jump" || tokens[tokens.length - 1].t === "jump") {
      fail("a pattern cannot start or end with a jump", 0, text.length, "remove the jump, or use ?? for bytes that must be there");
    }
    if (patternLength(tokens).max > MAX_PATTERN_SPAN)
      fail(`the pattern can span more than ${MAX_PATTERN_SPAN} bytes`, 0, text.length, "use shorter jumps");
    return { ok: true, pattern: { tokens } };
  } catch (error) {
    if (error instanceof Problem)
      return { ok: false, problem: error.problem };
    throw error;
  }
}

// src/dsl/fast-parse.ts
var FAST_KEYWORDS = new Set([
  "param",
  "let",
  "print",
  "emit",
  "read",
  "at",
  "if",
  "else",
  "for",
  "in",
  "limit",
  "assert",
  "write",
  "scan",
  "patch",
  "expect",
  "with",
  "dump",
  "while",
  "break",
  "true",
  "false",
  "narrow"
]);
var SCALAR_TYPES = new Set(["u8", "u16be", "u16", "u32be", "u32", "u64be", "u64", "i8", "i16be", "i16", "i32be", "i32", "i64be", "i64", "f32be", "f32", "f64be", "f64", "ptr"]);
var COMPARE_OPERATORS = ["==", "!=", "<=", ">=", "<", ">"];
var CHANGES = new Set(["unchanged", "changed", "increased", "decreased"]);
var ESCAPES = { n: `
`, t: "\t", r: "\r", "0": "\x00", "\\": "\\", '"': '"' };
var MAX_DEPTH = 500;
var GIVE_UP = Symbol("give up");
function fastParse(text) {
  try {
    return new FastParser(text).recipe();
  } catch (error) {
    if (error === GIVE_UP)
      return;
    throw error;
  }
}
var isDigit = (c) => c >= 48 && c <= 57;
var isLetter = (c) => c >= 65 && c <= 90 || c >= 97 && c <= 122;
var isIdentStart = (c) => isLetter(c) || c === 95;
var isIdentPart = (c) => isIdentStart(c) || isDigit(c);
var isHexDigit = (c) => isDigit(c) || c >= 65 && c <= 70 || c >= 97 && c <= 102;

class FastParser {
  #text;
  #at = 0;
  #last = 0;
  #depth = 0;
  constructor(text) {
    this.#text = text;
  }
  recipe() {
    const statements = this.#statements(false);
    this.#skip();
    if (this.#at !== this.#text.length)
      throw GIVE_UP;
    return { statements };
  }
  #code(offset = 0) {
    return this.#text.charCodeAt(this.#at + offset);
  }
  #skip() {
    const text = this.#text;
    for (;; ) {
      const c = text.charCodeAt(this.#at);
      if (c === 32 || c === 9 || c === 13)
        this.#at++;
      else if (c === 35) {
        while (this.#at < text.length && text.charCodeAt(this.#at) !== 10) {
          if (text.charCodeAt(this.#at) === 13 && text.charCodeAt(this.#at + 1) === 10)
            break;
          this.#at++;
        }
      } else if (c >= 128)
        throw GIVE_UP;
      else
        return;
    }
  }
  #peekWord() {
    this.#skip();
    let end = this.#at;
    while (end < this.#text.length && isIdentPart(this.#text.charCodeAt(end)))
      end++;
    return this.#text.slice(this.#at, end);
  }
  #isWord(word) {
    return this.#peekWord() === word;
  }
  #word(word) {
    if (!this.#isWord(word))
      throw GIVE_UP;
    const start = this.#at;
    this.#to(this.#at + word.length);
    return { start, end: this.#at };
  }
  #to(end) {
    this.#at = end;
    this.#last = end;
  }
  #start() {
    this.#skip();
    return this.#at;
  }
  #isPunct(p) {
    this.#skip();
    return this.#text.startsWith(p, this.#at);
  }
  #punct(p) {
    if (!this.#isPunct(p))
      throw GIVE_UP;
    const start = this.#at;
    this.#to(this.#at + p.length);
    return { start, end: this.#at };
  }
  #isSep() {
    this.#skip();
    const c = this.#code();
    return c === 10 || c === 59 || c === 13 && this.#code(1) === 10;
  }
  #sep() {
    this.#skip();
    if (this.#code() === 13 && this.#code(1) === 10)
      this.#at += 2;
    else if (this.#code() === 10 || this.#code() === 59)
      this.#at++;
    else
      throw GIVE_UP;
  }
  #ident() {
    const word = this.#peekWord();
    if (word === "" || !isIdentStart(word.charCodeAt(0)) || FAST_KEYWORDS.has(word))
      throw GIVE_UP;
    const start = this.#at;
    this.#to(this.#at + word.length);
    return { kind: "name", name: word, span: { start, end: this.#at } };
  }
  #statements(inBlock) {
    const statements = [];
    for (;; ) {
      while (this.#isSep())
        this.#sep();
      this.#skip();
      if (this.#at >= this.#text.length || inBlock && this.#code() === 125)
        return statements;
      statements.push(this.#statement());
      this.#skip();
      if (this.#at >= this.#text.length || inBlock && this.#code() === 125)
        return statements;
      if (!this.#isSep())
        throw GIVE_UP;
    }
  }
  #statement() {
    this.#skip();
    const start = this.#at;
    const word = this.#peekWord();
    const span = () => ({ start, end: this.#last });
    switch (word) {
      case "param": {
        this.#word("param");
        const name = this.#ident();
        this.#punct(":");
        const type = this.#type();
        let dflt;
        if (this.#isPunct("=") && !this.#isPunct("==")) {
          this.#punct("=");
          dflt = this.#expr();
        }
        return { kind: "param", name, type, default: dflt, span: span() };
      }
      case "let":
      case "emit": {
        this.#word(word);
        const name = this.#ident();
        this.#assignEquals();
        const value = this.#expr();
        return word === "let" ? { kind: "let", name, value, span: span() } : { kind: "emit", name, value, span: span() };
      }
      case "print": {
        this.#word("print");
        const values = [this.#expr()];
        while (this.#isPunct(",")) {
          this.#punct(",");
          values.push(this.#expr());
        }
        return { kind: "print", values, span: span() };
      }
      case "if":
        return this.#if();
      case "for": {
        this.#word("for");
        const variable = this.#ident();
        this.#word("in");
        const from = this.#arith();
        let over;
        if (this.#isPunct("..")) {
          this.#punct("..");
          over = { kind: "range", from, to: this.#arith() };
        } else
          over = { kind: "list", list: from };
        const limit = this.#limit();
        const body = this.#block();
        return { kind: "for", variable, over, limit, body, span: span() };
      }
      case "while": {
        this.#word("while");
        const condition = this.#expr();
        const limit = this.#limit();
        const body = this.#block();
        return { kind: "while", condition, limit, body, span: span() };
      }
      case "break":
        this.#word("break");
        return { kind: "break", span: span() };
      case "assert": {
        this.#word("assert");
        const condition = this.#expr();
        let message;
        if (this.#isPunct(",")) {
          this.#punct(",");
          message = this.#expr();
        }
        return { kind: "assert", condition, message, span: span() };
      }
      case "write": {
        this.#word("write");
        const type = this.#type();
        this.#word("at");
        const address = this.#arith();
        this.#assignEquals();
        const value = this.#expr();
        return { kind: "write", type, address, value, span: span() };
      }
      case "dump": {
        this.#word("dump");
        const address = this.#arith();
        this.#punct(",");
        const length = this.#arith();
        return { kind: "dump", address, length, span: span() };
      }
      case "patch":
        return this.#patch();
      default: {
        const name = this.#ident();
        this.#assignEquals();
        const value = this.#expr();
        return { kind: "assign", name, value, span: span() };
      }
    }
  }
  #assignEquals() {
    if (this.#isPunct("=="))
      throw GIVE_UP;
    this.#punct("=");
  }
  #limit() {
    if (!this.#isWord("limit"))
      return;
    this.#word("limit");
    return this.#arith();
  }
  #if() {
    this.#skip();
    const start = this.#at;
    this.#word("if");
    const condition = this.#expr();
    const then = this.#block();
    let otherwise;
    if (this.#isWord("else")) {
      this.#word("else");
      otherwise = this.#isWord("if") ? [this.#if()] : this.#block();
    }
    return { kind: "if", condition, then, otherwise, span: { start, end: this.#last } };
  }
  #block() {
    this.#punct("{");
    const statements = this.#statements(true);
    this.#punct("}");
    return statements;
  }
  #patch() {
    this.#skip();
    const start = this.#at;
    this.#word("patch");
    this.#skip();
    const name = this.#code() === 34 ? this.#string() : undefined;
    const freeze = this.#isWord("freeze");
    if (freeze)
      this.#word("freeze");
    let sites;
    if (this.#isPunct("{")) {
      this.#punct("{");
      sites = [];
      for (;; ) {
        while (this.#isSep())
          this.#sep();
        if (this.#isPunct("}"))
          break;
        sites.push(this.#site());
        if (this.#isPunct("}"))
          break;
        if (!this.#isSep())
          throw GIVE_UP;
      }
      this.#punct("}");
      if (sites.length === 0)
        throw GIVE_UP;
    } else
      sites = [this.#site()];
    return { kind: "patch", name, freeze, sites, span: { start, end: this.#last } };
  }
  #site() {
    this.#skip();
    const start = this.#at;
    this.#word("at");
    const address = this.#arith();
    let expect;
    if (this.#isWord("expect")) {
      this.#word("expect");
      expect = this.#datum();
    }
    this.#word("with");
    const replacement = this.#datum();
    return { address, expect, replacement, span: { start, end: this.#last } };
  }
  #type() {
    this.#skip();
    const start = this.#at;
    const word = this.#peekWord();
    if (word === "" || !isLetter(word.charCodeAt(0)))
      throw GIVE_UP;
    if (word === "cstring" && this.#lookAhead(() => (this.#word("cstring"), this.#isWord("max")))) {
      this.#word("cstring");
      this.#word("max");
      const size = this.#primary();
      return { name: "cstring", size, span: { start, end: this.#last } };
    }
    if ((word === "bytes" || word === "utf16") && this.#lookAhead(() => (this.#word(word), this.#startsPrimary()))) {
      this.#word(word);
      const size = this.#primary();
      return { name: word, size, span: { start, end: this.#last } };
    }
    if (word.includes("_"))
      throw GIVE_UP;
    this.#word(word);
    return { name: word, size: undefined, span: { start, end: this.#last } };
  }
  #lookAhead(probe) {
    const [at, last] = [this.#at, this.#last];
    try {
      return probe();
    } catch (error) {
      if (error === GIVE_UP)
        return false;
      throw error;
    } finally {
      [this.#at, this.#last] = [at, last];
    }
  }
  #startsPrimary() {
    this.#skip();
    const c = this.#code();
    if (c === 40 || c === 91 || c === 34 || isDigit(c))
      return true;
    const word = this.#peekWord();
    return word !== "" && isIdentStart(word.charCodeAt(0)) && (!FAST_KEYWORDS.has(word) || word === "read" || word === "scan" || word === "narrow" || word === "true" || word === "false");
  }
  #startsArith() {
    return this.#startsPrimary() || this.#isPunct("-") || this.#isPunct("~");
  }
  #datum() {
    this.#skip();
    const start = this.#at;
    const word = this.#peekWord();
    if (SCALAR_TYPES.has(word) && this.#lookAhead(() => (this.#word(word), this.#startsArith()))) {
      const typeSpan = this.#word(word);
      const value = this.#arith();
      return { kind: "typed", type: { name: word, size: undefined, span: typeSpan }, value, span: { start, end: this.#last } };
    }
    if (word === "utf16" && this.#lookAhead(() => (this.#word("utf16"), this.#startsArith()))) {
      this.#word("utf16");
      const value = this.#arith();
      return { kind: "utf16", value, span: { start, end: this.#last } };
    }
    const value = this.#arith();
    return { kind: "plain", value, span: { start, end: this.#last } };
  }
  #nested(parse) {
    if (++this.#depth > MAX_DEPTH)
      throw GIVE_UP;
    try {
      return parse();
    } finally {
      this.#depth--;
    }
  }
  #expr() {
    return this.#nested(() => {
      const start = this.#start();
      let left = this.#and();
      while (this.#isPunct("||")) {
        this.#punct("||");
        const right = this.#and();
        left = { kind: "logical", operator: "||", left, right, span: { start, end: this.#last } };
      }
      return left;
    });
  }
  #and() {
    const start = this.#start();
    let left = this.#not();
    while (this.#isPunct("&&")) {
      this.#punct("&&");
      const right = this.#not();
      left = { kind: "logical", operator: "&&", left, right, span: { start, end: this.#last } };
    }
    return left;
  }
  #not() {
    if (this.#isPunct("!") && !this.#isPunct("!=")) {
      const bang = this.#punct("!");
      const operand = this.#nested(() => this.#not());
      return { kind: "not", operand, span: { start: bang.start, end: this.#last } };
    }
    const start = this.#start();
    const left = this.#arith();
    this.#skip();
    const operator = COMPARE_OPERATORS.find((op) => this.#text.startsWith(op, this.#at));
    if (operator === undefined)
      return left;
    this.#punct(operator);
    const right = this.#arith();
    return { kind: "compare", operator, left, right, span: { start, end: this.#last } };
  }
  #arith() {
    return this.#binary(0);
  }
  static LEVELS = [["|"], ["^"], ["&"], ["<<", ">>"], ["+", "-"], ["*", "/", "%"]];
  #binary(level) {
    if (level === FastParser.LEVELS.length)
      return this.#unary();
    const start = this.#start();
    let left = this.#binary(level + 1);
    for (;; ) {
      this.#skip();
      const operator = FastParser.LEVELS[level].find((op) => this.#text.startsWith(op, this.#at) && !this.#doubled(op));
      if (operator === undefined)
        return left;
      const operatorSpan = this.#punct(operator);
      const right = this.#binary(level + 1);
      left = { kind: "binary", operator, left, right, operatorSpan, span: { start, end: this.#last } };
    }
  }
  #doubled(op) {
    const next = this.#text.charCodeAt(this.#at + op.length);
    if (op === "|")
      return next === 124;
    if (op === "&")
      return next === 38;
    return false;
  }
  #unary() {
    this.#skip();
    const c = this.#code();
    if (c === 45 || c === 126) {
      const start = this.#at;
      this.#to(this.#at + 1);
      const operand = this.#nested(() => this.#unary());
      return { kind: "unary", operator: c === 45 ? "-" : "~", operand, span: { start, end: this.#last } };
    }
    return this.#postfix();
  }
  #postfix() {
    const start = this.#start();
    let object = this.#primary();
    for (;; ) {
      this.#skip();
      if (this.#code() === 46 && this.#code(1) !== 46) {
        const field = this.#lookAhead(() => (this.#punct("."), this.#ident(), true));
        if (!field)
          throw GIVE_UP;
        this.#punct(".");
        const name = this.#ident();
        object = { kind: "field", object, field: name, span: { start, end: this.#last } };
      } else if (this.#code() === 91) {
        this.#punct("[");
        const index = this.#nested(() => this.#arith());
        const close = this.#punct("]");
        object = { kind: "index", object, index, span: { start, end: close.end } };
      } else
        return object;
    }
  }
  #primary() {
    this.#skip();
    const start = this.#at;
    const c = this.#code();
    if (c === 40) {
      this.#punct("(");
      const inner = this.#nested(() => this.#expr());
      this.#punct(")");
      return inner;
    }
    if (c === 91)
      return this.#bracket();
    if (c === 34)
      return this.#string();
    if (isDigit(c))
      return this.#number();
    const word = this.#peekWord();
    if (word === "hex" && this.#code(3) === 34)
      return this.#hexString();
    switch (word) {
      case "read": {
        this.#word("read");
        const type = this.#type();
        this.#word("at");
        const address = this.#arith();
        return { kind: "read", type, address, span: { start, end: this.#last } };
      }
      case "scan":
        return this.#scan();
      case "narrow":
        return this.#narrow();
      case "true":
      case "false":
        this.#word(word);
        return { kind: "boolean", value: word === "true", span: { start, end: this.#at } };
    }
    const name = this.#ident();
    if (this.#isPunct("(")) {
      this.#punct("(");
      const args = [];
      if (!this.#isPunct(")")) {
        args.push(this.#expr());
        while (this.#isPunct(",")) {
          this.#punct(",");
          args.push(this.#expr());
        }
      }
      const close = this.#punct(")");
      return { kind: "call", callee: name, args, span: { start, end: close.end } };
    }
    return name;
  }
  #bracket() {
    const open = this.#punct("[");
    if (this.#isPunct("]"))
      return { kind: "list", items: [], span: { start: open.start, end: this.#punct("]").end } };
    const first = this.#nested(() => this.#expr());
    if (this.#isPunct("]")) {
      if (first.kind === "compare" || first.kind === "logical" || first.kind === "not")
        throw GIVE_UP;
      return { kind: "deref", address: first, span: { start: open.start, end: this.#punct("]").end } };
    }
    const items = [first];
    this.#punct(",");
    while (!this.#isPunct("]")) {
      items.push(this.#nested(() => this.#expr()));
      if (this.#isPunct("]"))
        break;
      this.#punct(",");
    }
    return { kind: "list", items, span: { start: open.start, end: this.#punct("]").end } };
  }
  #narrow() {
    const start = this.#start();
    this.#word("narrow");
    const list = this.#postfix();
    const typeName = this.#peekWord();
    if (!SCALAR_TYPES.has(typeName))
      throw GIVE_UP;
    const typeSpan = this.#word(typeName);
    const testStart = this.#start();
    let test;
    const operator = COMPARE_OPERATORS.find((op) => this.#text.startsWith(op, this.#at));
    const word = this.#peekWord();
    if (operator !== undefined) {
      this.#punct(operator);
      const value = this.#arith();
      let within;
      if (this.#isWord("within")) {
        this.#word("within");
        within = this.#arith();
      }
      test = { kind: "compare", operator, value, within, span: { start: testStart, end: this.#last } };
    } else if (word === "between") {
      this.#word("between");
      const low = this.#arith();
      this.#word("and");
      const high = this.#arith();
      test = { kind: "between", low, high, span: { start: testStart, end: this.#last } };
    } else if (word === "any") {
      this.#word("any");
      test = { kind: "any", span: { start: testStart, end: this.#last } };
    } else if (CHANGES.has(word)) {
      this.#word(word);
      test = { kind: "change", change: word, span: { start: testStart, end: this.#last } };
    } else
      throw GIVE_UP;
    return { kind: "narrow", list, type: { name: typeName, size: undefined, span: typeSpan }, test, span: { start, end: this.#last } };
  }
  #scan() {
    this.#skip();
    const start = this.#at;
    this.#word("scan");
    const needle = this.#datum();
    this.#word("in");
    this.#skip();
    const rangeStart = this.#at;
    let range;
    const word = this.#peekWord();
    if (word === "all" || word === "anon")
      range = { kind: word, span: this.#word(word) };
    else {
      const region = this.#arith();
      range = { kind: "region", region, span: { start: rangeStart, end: this.#last } };
    }
    const given = new Map;
    const repeated = [];
    for (;; ) {
      const option = this.#peekWord();
      if (option !== "perms" && option !== "align" && option !== "limit" && option !== "unique")
        break;
      const optionStart = this.#at;
      this.#word(option);
      const value = option === "unique" ? undefined : this.#primary();
      if (given.has(option))
        repeated.push({ start: optionStart, end: this.#last });
      else
        given.set(option, value);
    }
    return { kind: "scan", needle, range, perms: given.get("perms"), align: given.get("align"), limit: given.get("limit"), unique: given.has("unique"), repeated, span: { start, end: this.#last } };
  }
  #number() {
    const text = this.#text;
    const start = this.#at;
    let end = start;
    while (isDigit(text.charCodeAt(end)))
      end++;
    if (text.charCodeAt(end) === 46 && isDigit(text.charCodeAt(end + 1))) {
      end++;
      while (isDigit(text.charCodeAt(end)))
        end++;
      this.#to(end);
      return { kind: "float", value: Number(text.slice(start, end)), span: { start, end } };
    }
    const prefix = text.slice(start, start + 2);
    if ((prefix === "0x" || prefix === "0X" || prefix === "0b") && prefix !== "0X") {
      const digit = prefix === "0x" ? isHexDigit : (c) => c === 48 || c === 49;
      end = start + 2;
      if (!digit(text.charCodeAt(end)))
        throw GIVE_UP;
      while (digit(text.charCodeAt(end)) || text.charCodeAt(end) === 95)
        end++;
    } else {
      end = start + 1;
      while (isDigit(text.charCodeAt(end)) || text.charCodeAt(end) === 95)
        end++;
    }
    if (isIdentPart(text.charCodeAt(end)))
      throw GIVE_UP;
    this.#to(end);
    return { kind: "integer", value: BigInt(text.slice(start, end).replaceAll("_", "")), span: { start, end } };
  }
  #string() {
    const text = this.#text;
    const start = this.#at;
    this.#at++;
    let value = "";
    const bytes = [];
    for (;; ) {
      const c = text.charCodeAt(this.#at);
      if (Number.isNaN(c) || c === 10 || c === 13 && text.charCodeAt(this.#at + 1) === 10)
        throw GIVE_UP;
      if (c === 34)
        break;
      if (c === 92) {
        const e = text[this.#at + 1] ?? "";
        if (e === "x" && isHexDigit(text.charCodeAt(this.#at + 2)) && isHexDigit(text.charCodeAt(this.#at + 3))) {
          const byte = parseInt(text.slice(this.#at + 2, this.#at + 4), 16);
          value += String.fromCharCode(byte);
          bytes.push(byte);
          this.#at += 4;
          continue;
        }
        const escaped = ESCAPES[e];
        if (escaped === undefined)
          throw GIVE_UP;
        value += escaped;
        bytes.push(escaped.charCodeAt(0));
        this.#at += 2;
        continue;
      }
      if (c >= 128)
        throw GIVE_UP;
      value += text[this.#at];
      bytes.push(c);
      this.#at++;
    }
    this.#to(this.#at + 1);
    return { kind: "string", value, bytes: Uint8Array.from(bytes), span: { start, end: this.#at } };
  }
  #hexString() {
    const text = this.#text;
    const start = this.#at;
    this.#at += 4;
    const from = this.#at;
    while (this.#at < text.length && text.charCodeAt(this.#at) !== 34 && text.charCodeAt(this.#at) !== 10) {
      if (text.charCodeAt(this.#at) === 13 && text.charCodeAt(this.#at + 1) === 10)
        throw GIVE_UP;
      if (text.charCodeAt(this.#at) >= 128)
        throw GIVE_UP;
      this.#at++;
    }
    if (text.charCodeAt(this.#at) !== 34)
      throw GIVE_UP;
    const inner = text.slice(from, this.#at);
    this.#to(this.#at + 1);
    const result = parsePattern(inner);
    return { kind: "bytes", pattern: result.ok ? result.pattern : undefined, problem: result.ok ? undefined : result.problem, text: inner, span: { start, end: this.#at } };
  }
}

// src/dsl/compile-recipe.ts
async function compileRecipe2(source) {
  const { statementStarts } = checkNesting(source);
  const recipe = fastParse(source.text) ?? (await import("./parse-8mjfnczt.js")).parseWithOhm(source, statementStarts);
  return compileParsed(source, recipe);
}
async function compileInput2(source, session) {
  const { statementStarts } = checkNesting(source);
  const recipe = fastParse(source.text) ?? (await import("./parse-8mjfnczt.js")).parseWithOhm(source, statementStarts);
  return compileInSession(source, recipe, session);
}

export { scanBrackets, BUILTINS, describeType, TYPE_NAMES, parsePattern, FAST_KEYWORDS, compileRecipe2, compileInput2 };
