import {
  integerRange
} from "./main-5ghqgfn3.js";
import {
  UsageError,
  int,
  ptr,
  numeric,
  hexAddress,
  closest
} from "./main-96f73920.js";
import {
  locate,
  evaluateConstant
} from "./main-bfat7e64.js";
import"./main-zffz883y.js";

// src/runtime/params.ts
import { readFileSync } from "node:fs";
function parseArgPairs(pairs) {
  const args = new Map;
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    const name = eq < 0 ? "" : pair.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new UsageError("bad-arg", `--arg ${JSON.stringify(pair)} is not NAME=VALUE`, { hint: "write e.g. --arg counter=0x7ffd1234" });
    }
    if (args.has(name))
      throw new UsageError("bad-arg", `--arg ${name} is given twice`, { hint: "give each param once" });
    args.set(name, pair.slice(eq + 1));
  }
  return args;
}
function bindParams(plan, args, readArgFile = (path) => readFileSync(path, "utf8")) {
  const names = plan.params.map((p) => p.name);
  for (const name of args.keys()) {
    if (!names.includes(name)) {
      const suggestion = closest(name, names);
      throw new UsageError("unknown-arg", `--arg ${name}: ${plan.recipe.name} has no param '${name}'`, {
        hint: suggestion !== undefined ? `did you mean --arg ${suggestion}=…?` : names.length === 0 ? "this recipe takes no params" : `its params are: ${names.join(", ")}`
      });
    }
  }
  const bound = new Map;
  for (const param of plan.params) {
    const text = args.get(param.name);
    if (param.type.kind === "list") {
      if (text !== undefined)
        bound.set(param.name, parseListArg(param.name, text, readArgFile));
      else if (param.default !== undefined)
        bound.set(param.name, evaluateConstant(param.default, bound, (loc) => locate(plan.recipe.name, loc)));
      else
        throw new UsageError("missing-arg", `param '${param.name}' (line ${param.loc.line}) needs a value`, { hint: `pass --arg ${param.name}=0x1000,0x2000 or --arg ${param.name}=@hits.json` });
      continue;
    }
    if (text !== undefined) {
      bound.set(param.name, parseArgValue(param.name, param.type, text));
    } else if (param.default !== undefined) {
      const constant = evaluateConstant(param.default, bound, (loc) => locate(plan.recipe.name, loc));
      if (param.type.kind === "float") {
        bound.set(param.name, constant.kind === "float" ? constant : { kind: "float", value: Number(numeric(constant).value) });
        continue;
      }
      const value = numeric(constant);
      bound.set(param.name, checkRange(param.name, param.type, value.value, `default ${hexOrDec(value)}`));
    } else {
      throw new UsageError("missing-arg", `param '${param.name}' (line ${param.loc.line}) needs a value`, { hint: `pass --arg ${param.name}=…` });
    }
  }
  return bound;
}
function parseListArg(name, text, readArgFile) {
  const fail = (why, hint = `write --arg ${name}=0x1000,0x2000, or --arg ${name}=@FILE with a JSON array or the --json output of a recipe that emits ${name}`) => {
    throw new UsageError("bad-arg", `--arg ${name}=${text}: ${why}`, { hint });
  };
  const address = (item) => {
    const itemText = typeof item === "number" && Number.isSafeInteger(item) ? String(item) : typeof item === "string" ? item : undefined;
    if (itemText === undefined || !INTEGER.test(itemText) || itemText.startsWith("-"))
      return fail(`${JSON.stringify(item)} is not an address`);
    const value = BigInt(itemText.replaceAll("_", "").toLowerCase());
    if (value >= 1n << 64n)
      return fail(`${itemText} is past 2^64`);
    return ptr(value);
  };
  if (!text.startsWith("@"))
    return { kind: "list", items: text.trim() === "" ? [] : text.split(",").map((item) => address(item.trim())) };
  const path = text.slice(1);
  let content;
  try {
    content = readArgFile(path);
  } catch (error) {
    return fail(`cannot read ${path}: ${error.code === "ENOENT" ? "no such file" : error.message}`, "give the path of a JSON file after @");
  }
  const lines = content.split(`
`).filter((line) => line.trim() !== "");
  const parsed = lines.map((line) => {
    try {
      return JSON.parse(line);
    } catch {
      return;
    }
  });
  const items = (value) => Array.isArray(value) ? { kind: "list", items: value.map(address) } : fail(`${path} holds ${JSON.stringify(value)?.slice(0, 40)}, not a list`);
  if (parsed.length > 0 && parsed.every((entry) => typeof entry === "object" && entry !== null && ("type" in entry))) {
    const emits = parsed.filter((entry) => entry.type === "emit");
    const mine = emits.filter((entry) => entry.name === name).pop();
    if (mine === undefined)
      return fail(`${path} has no emit named '${name}'${emits.length > 0 ? ` (it emits ${[...new Set(emits.map((e) => e.name))].join(", ")})` : ""}`, `emit it in the first recipe: emit ${name} = hits`);
    return items(mine.value);
  }
  try {
    return items(JSON.parse(content));
  } catch (error) {
    if (error instanceof UsageError)
      throw error;
    return fail(`${path} is neither a JSON array nor the JSON lines of pvm run --json`);
  }
}
function hexOrDec(value) {
  return value.kind === "ptr" ? hexAddress(value.value) : String(value.value);
}
var INTEGER = /^-?(0x[0-9a-f][0-9a-f_]*|0b[01][01_]*|[0-9][0-9_]*)$/i;
function parseArgValue(name, type, text) {
  if (type.kind === "float") {
    const value = Number(text);
    if (text.trim() === "" || Number.isNaN(value))
      throw new UsageError("bad-arg", `--arg ${name}=${text}: not a number`, { hint: "write e.g. 1.5" });
    return { kind: "float", value };
  }
  if (!INTEGER.test(text)) {
    throw new UsageError("bad-arg", `--arg ${name}=${text}: '${text}' is not an integer`, {
      hint: `param '${name}' is ${type.name}: write a decimal, 0x hex or 0b binary integer, e.g. --arg ${name}=0x7ffd1234`
    });
  }
  const negative = text.startsWith("-");
  const digits = (negative ? text.slice(1) : text).replaceAll("_", "");
  const magnitude = BigInt(digits.toLowerCase().startsWith("0x") || digits.toLowerCase().startsWith("0b") ? digits.toLowerCase() : digits);
  return checkRange(name, type, negative ? -magnitude : magnitude, text);
}
function checkRange(name, type, value, shown) {
  if (type.kind === "ptr") {
    if (value < 0n || value >= 1n << 64n) {
      throw new UsageError("arg-range", `--arg ${name}=${shown}: an address must be between 0 and 0xffffffffffffffff`, { hint: "pass the address as printed by `pvm maps` or your debugger" });
    }
    return ptr(value);
  }
  if (type.kind === "int") {
    const { min, max } = integerRange(type);
    if (value < min || value > max) {
      throw new UsageError("arg-range", `--arg ${name}=${shown}: out of range for ${type.name} (${min} to ${max})`, { hint: `pass a value that fits ${type.name}, or declare the param with a wider type` });
    }
  }
  return int(value);
}
export {
  bindParams,
  parseArgPairs
};
