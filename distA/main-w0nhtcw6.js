import {
  blocksOf
} from "./main-96f73920.js";

// src/plan/prefetch.ts
var MAX_PREFETCH_LEVEL = 8;
var NOTHING = { sites: [], lets: [] };
function analyzeLoop(variable, body) {
  return writesIn(body) ? NOTHING : analyze(body, variable);
}
function analyzeSteps(steps) {
  return analyze(steps, undefined);
}
function analyze(steps, variable) {
  const assigned = new Set;
  const declared = new Set;
  const loop = variable !== undefined;
  if (loop)
    collectNames(steps, assigned, declared);
  const letLevels = new Map;
  const sites = [];
  const levelOf = (e, register) => {
    switch (e.op) {
      case "int":
      case "float":
      case "bool":
      case "str":
      case "bytes":
      case "pattern":
      case "module":
      case "symbol":
        return 0;
      case "index":
        return maxLevel(levelOf(e.object, register), levelOf(e.index, register));
      case "call":
        return e.args.map((a) => levelOf(a, register)).reduce(maxLevel, 0);
      case "list":
        return e.items.map((a) => levelOf(a, register)).reduce(maxLevel, 0);
      case "ripref":
      case "scan":
      case "narrow":
        return;
      case "var":
        if (e.name === variable)
          return 0;
        if (assigned.has(e.name))
          return;
        if (letLevels.has(e.name))
          return letLevels.get(e.name);
        return declared.has(e.name) ? undefined : 0;
      case "unary":
      case "not":
        return levelOf(e.operand, register);
      case "field":
        return levelOf(e.object, register);
      case "binary":
      case "compare":
        return maxLevel(levelOf(e.left, register), levelOf(e.right, register));
      case "logical":
        levelOf(e.left, register);
        levelOf(e.right, false);
        return;
      case "read": {
        const inner = levelOf(e.address, register);
        if (inner === undefined || inner + 1 > MAX_PREFETCH_LEVEL)
          return;
        if (register)
          sites.push({ site: e.site, level: inner + 1 });
        return inner + 1;
      }
    }
  };
  for (const step of steps) {
    switch (step.op) {
      case "let": {
        const level = levelOf(step.value, true);
        if (level !== undefined && !assigned.has(step.name))
          letLevels.set(step.name, level);
        else
          declared.add(step.name);
        break;
      }
      case "assign":
      case "emit":
        levelOf(step.value, true);
        break;
      case "print":
        step.values.forEach((v) => levelOf(v, true));
        break;
      case "assert":
        levelOf(step.condition, true);
        break;
      case "if":
        levelOf(step.condition, true);
        break;
      case "for":
        if (step.over.kind === "range") {
          levelOf(step.over.from, true);
          levelOf(step.over.to, true);
        } else {
          levelOf(step.over.list, true);
        }
        if (step.limit !== undefined)
          levelOf(step.limit, true);
        break;
      case "dump":
        levelOf(step.address, true);
        levelOf(step.length, true);
        break;
      case "while":
      case "break":
      case "write":
      case "patch":
      case "read-ahead":
        break;
    }
    if (!loop) {
      if (step.op === "assign")
        assigned.add(step.name);
      for (const block of blocksOf(step))
        collectNames(block, assigned, new Set);
    }
  }
  return { sites: sites.sort((a, b) => a.level - b.level), lets: [...letLevels.keys()] };
}
function maxLevel(a, b) {
  return a === undefined || b === undefined ? undefined : Math.max(a, b);
}
function collectNames(steps, assigned, declared) {
  for (const step of steps) {
    if (step.op === "assign")
      assigned.add(step.name);
    if (step.op === "let")
      declared.add(step.name);
    if (step.op === "for")
      declared.add(step.variable);
    for (const block of blocksOf(step))
      collectNames(block, assigned, declared);
  }
}
function writesIn(steps) {
  return steps.some((step) => step.op === "write" || step.op === "patch" || blocksOf(step).some(writesIn));
}

// src/plan/read-ahead.ts
function addReadAhead(steps, loopSites = new Set) {
  const nested = steps.map((step) => withNestedReadAhead(step, loopSites));
  const out = [];
  let run = [];
  const close = () => {
    const prefetch = analyzeSteps(run);
    const sites = prefetch.sites.filter((s) => !loopSites.has(s.site));
    if (worthBatching(sites))
      out.push({ op: "read-ahead", steps: run.length, prefetch: { sites, lets: prefetch.lets }, loc: run[0].loc });
    out.push(...run);
    run = [];
  };
  for (const step of nested) {
    if (step.op === "write" || step.op === "patch") {
      close();
      out.push(step);
      continue;
    }
    run.push(step);
    if (writesIn([step]))
      close();
  }
  close();
  return out;
}
function withNestedReadAhead(step, loopSites) {
  switch (step.op) {
    case "if":
      return { ...step, then: addReadAhead(step.then, loopSites), otherwise: addReadAhead(step.otherwise, loopSites) };
    case "for": {
      const inLoop = new Set([...loopSites, ...step.prefetch.sites.map((s) => s.site)]);
      return { ...step, body: addReadAhead(step.body, inLoop) };
    }
    default:
      return step;
  }
}
function readAheadSteps(steps, index) {
  const step = steps[index];
  return step.op === "read-ahead" ? steps.slice(index + 1, index + 1 + step.steps) : [];
}
function worthBatching(sites) {
  const perLevel = new Map;
  for (const { level } of sites)
    perLevel.set(level, (perLevel.get(level) ?? 0) + 1);
  return [...perLevel.values()].some((n) => n >= 2);
}

export { analyzeLoop, addReadAhead, readAheadSteps };
