// src/limits.ts
var LOOP_CAP = 1000000n;
var MAX_DUMP = 1 << 16;
var MAX_NESTING = 32;
var MAX_STRING_LENGTH = 1 << 20;
var MAX_RECIPE_BYTES = 4 << 20;
var DEFAULT_SCAN_HITS = 1e6;
var DEFAULT_LIMITS = { steps: 1e7, readBytes: 1 << 30, loopIterations: LOOP_CAP, scanBytes: 64 * 2 ** 30, scanHits: DEFAULT_SCAN_HITS };

// src/errors.ts
var Exit = {
  ok: 0,
  assertion: 1,
  usage: 2,
  denied: 3,
  target: 4
};

class PvmError extends Error {
  code;
  exit;
  where;
  line;
  col;
  hint;
  excerpt;
  constructor(exit, code, message, options = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exit = exit;
    this.code = code;
    this.where = options.where;
    this.line = options.line;
    this.col = options.col;
    this.hint = options.hint;
    this.excerpt = options.excerpt;
  }
}

class UsageError extends PvmError {
  constructor(code, message, options) {
    super(Exit.usage, code, message, options);
  }
}

class RecipeError extends PvmError {
  constructor(code, message, options) {
    super(Exit.usage, code, message, options);
  }
}

class DeniedError extends PvmError {
  constructor(code, message, options) {
    super(Exit.denied, code, message, options);
  }
}

class TargetError extends PvmError {
  constructor(code, message, options) {
    super(Exit.target, code, message, options);
  }
}

class AssertionFailed extends PvmError {
  constructor(code, message, options) {
    super(Exit.assertion, code, message, options);
  }
}
function assert(condition, message) {
  if (!condition)
    throw new Error(`pvm internal error: ${message}`);
}
function assertNever(value) {
  throw new Error(`pvm internal error: unexpected ${JSON.stringify(value)}`);
}

// src/target/target.ts
function describeTarget(identity) {
  return identity.pid === undefined ? identity.name : `pid ${identity.pid} (${identity.name})`;
}
function namesModule(path, name) {
  return path === name || path.endsWith(`/${name}`) || path.slice(path.lastIndexOf("/") + 1) === name;
}

// src/attempt.ts
function attempt(compute) {
  try {
    return compute();
  } catch {
    return;
  }
}

// src/target/file-mapping.ts
import { fstatSync, readSync, statSync } from "node:fs";
var PAGE = 4096;
var MEMORY_PREFIXES = ["/dev/", "/SYSV", "/memfd:", "/anon_hugepage", "/secretmem"];
function isFileMapping(region) {
  return region.path.startsWith("/") && !MEMORY_PREFIXES.some((prefix) => region.path.startsWith(prefix));
}
function readFileAsMapped(fd, into, offset) {
  let got = 0;
  while (got < into.length) {
    const n = readSync(fd, into, got, into.length - got, Number(offset) + got);
    if (n <= 0)
      break;
    got += n;
  }
  if (got === into.length)
    return got;
  const start = Number(offset);
  const endOfPage = Math.ceil((start + got) / PAGE) * PAGE - start;
  const filled = Math.min(into.length, endOfPage);
  into.fill(0, got, filled);
  return filled;
}
function isMappedFile(fd, entry) {
  return isSameFile(fstatSync(fd, { bigint: true }), entry);
}
function isMappedPath(path, entry) {
  const stat = statSync(path, { bigint: true, throwIfNoEntry: false });
  return stat !== undefined && isSameFile(stat, entry);
}
function isSameFile(stat, entry) {
  const [major, minor] = entry.device.split(":").map((part) => BigInt(`0x${part}`));
  const statMajor = stat.dev >> 8n & 0xfffn | stat.dev >> 32n & ~0xfffn;
  const statMinor = stat.dev & 0xffn | stat.dev >> 12n & ~0xffn;
  return stat.ino === BigInt(entry.inode) && statMajor === major && statMinor === minor;
}
function readAt(fd, offset, length) {
  const buffer = new Uint8Array(length);
  return buffer.subarray(0, readSync(fd, buffer, 0, length, offset));
}
function fileKey(fd) {
  const stat = fstatSync(fd);
  return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
}

// src/target/skip-rules.ts
function skipReason(region, flags = []) {
  if (!region.perms.startsWith("r"))
    return "not readable";
  if (region.path === "[vvar]" || region.path === "[vvar_vclock]")
    return "kernel data page (reading it faults)";
  if (region.path === "[vsyscall]")
    return "legacy vsyscall page";
  if (flags.includes("io"))
    return "device memory (VmFlags io): reading it can have side effects";
  if (flags.includes("pf"))
    return "raw page-frame mapping (VmFlags pf): device or driver memory";
  const uffd = ["um", "ui", "uw"].find((flag) => flags.includes(flag));
  if (uffd !== undefined)
    return `registered with userfaultfd (VmFlags ${uffd}): a read can block until the target is killed`;
  if (region.path.startsWith("/secretmem"))
    return "memfd_secret memory: the kernel refuses to read it";
  return;
}
function residentOnly(region) {
  return region.path !== "[vdso]" && !isFileMapping(region);
}
function isAnonymous(region) {
  return region.path === "" || region.path === "[heap]" || region.path.startsWith("[stack") || region.path.startsWith("[anon:");
}

// src/policy/decide.ts
var ALLOWED = { allowed: true };
function describeRule2(rule) {
  return `${rule.path} ${JSON.stringify(rule.value)} in ${rule.file}`;
}
function decideTarget2(policies, facts) {
  for (const { path, policy } of policies) {
    if (policy.targets === undefined)
      continue;
    if (!policy.targets.some((rule) => targetMatches(rule, facts))) {
      return { allowed: false, rule: { file: path, path: "targets", value: policy.targets }, why: `it is none of the targets the policy allows (exe ${facts.exe ?? "unknown"}, comm ${facts.comm}, uid ${facts.uid ?? "unknown"})` };
    }
  }
  return ALLOWED;
}
function targetMatches(rule, facts) {
  if (rule.exe !== undefined && rule.exe !== facts.exe)
    return false;
  if (rule.buildId !== undefined && rule.buildId !== facts.buildId)
    return false;
  if (rule.uid !== undefined && rule.uid !== facts.uid)
    return false;
  if (rule.comm !== undefined && rule.comm !== facts.comm)
    return false;
  if (rule.cgroup !== undefined) {
    const wanted = rule.cgroup.replace(/\/+$/, "");
    if (!facts.cgroups.some((group) => group === wanted || group.startsWith(`${wanted}/`)))
      return false;
  }
  return true;
}
function selectorRanges(selector, context) {
  const range = /^(0x[0-9a-f]+)-(0x[0-9a-f]+)$/i.exec(selector);
  if (range !== null)
    return [{ start: BigInt(range[1]), end: BigInt(range[2]) }];
  if (selector.startsWith("symbol:")) {
    const [, module, ...name] = selector.split(":");
    const found = context.symbol(module, name.join(":"));
    return found === undefined ? [] : [found];
  }
  let matches;
  if (selector === "anon")
    matches = isAnonymous;
  else if (selector.startsWith("module:")) {
    const name = selector.slice("module:".length);
    matches = (r) => r.path.startsWith("/") && namesModule(r.path, name);
  } else
    matches = (r) => r.path === selector;
  return context.regions.filter(matches).map((r) => ({ start: r.start, end: r.end }));
}
function covered(ranges, start, end) {
  const sorted = [...ranges].sort((a, b) => a.start < b.start ? -1 : a.start > b.start ? 1 : 0);
  let at = start;
  for (const range of sorted) {
    if (range.start > at)
      break;
    if (range.end > at)
      at = range.end;
    if (at >= end)
      return true;
  }
  return at >= end;
}
function overlaps(ranges, start, end) {
  return ranges.some((r) => r.start < end && start < r.end);
}

class RegionRules2 {
  #rules = [];
  constructor(policies, context) {
    for (const { path, policy } of policies) {
      const add = (kind, json, selectors) => {
        if (selectors === undefined)
          return;
        this.#rules.push({ kind, rule: { file: path, path: json, value: selectors }, ranges: selectors.flatMap((s) => selectorRanges(s, context)) });
      };
      add("read-allow", "read.allow", policy.read?.allow);
      add("read-deny", "read.deny", policy.read?.deny);
      add("write-regions", "write.regions", policy.write?.regions);
    }
  }
  read(start, end) {
    for (const { kind, rule, ranges } of this.#rules) {
      if (kind === "read-deny" && overlaps(ranges, start, end))
        return { allowed: false, rule, why: "the policy denies reading there" };
      if (kind === "read-allow" && !covered(ranges, start, end))
        return { allowed: false, rule, why: "it lies outside the regions the policy allows to be read" };
    }
    return ALLOWED;
  }
  write(start, end) {
    for (const { kind, rule, ranges } of this.#rules) {
      if (kind === "write-regions" && !covered(ranges, start, end))
        return { allowed: false, rule, why: "it lies outside the regions the policy allows to be written" };
    }
    return ALLOWED;
  }
}
function decideWriting2(policies) {
  for (const { path, policy } of policies) {
    if (policy.write?.allow !== true)
      return { allowed: false, rule: { file: path, path: "write.allow", value: policy.write?.allow ?? false }, why: "the policy does not allow writing" };
  }
  return ALLOWED;
}
function decideCode2(policies) {
  for (const { path, policy } of policies) {
    if (policy.write?.code !== true)
      return { allowed: false, rule: { file: path, path: "write.code", value: policy.write?.code ?? false }, why: "the policy does not allow patching code" };
  }
  return ALLOWED;
}
function decideFreeze2(policies) {
  for (const { path, policy } of policies) {
    if (policy.freeze?.allow === false)
      return { allowed: false, rule: { file: path, path: "freeze.allow", value: false }, why: "the policy does not allow stopping threads" };
  }
  return ALLOWED;
}
function tightest2(policies, path, pick) {
  let best;
  for (const loaded of policies) {
    const limit = pick(loaded.policy);
    if (limit !== undefined && (best === undefined || limit < best.limit))
      best = { limit, rule: { file: loaded.path, path, value: limit } };
  }
  return best;
}

// src/count.ts
function count(n, noun) {
  if (n === 1)
    return `${n} ${noun}`;
  return `${n} ${/(s|sh|ch|x)$/.test(noun) ? `${noun}es` : `${noun}s`}`;
}

// src/runtime/value.ts
var int = (value) => ({ kind: "int", value });
var ptr = (value) => ({ kind: "ptr", value });
var bool = (value) => ({ kind: "bool", value });
function numeric(value) {
  if (value.kind === "int" || value.kind === "ptr")
    return value;
  if (value.kind === "region")
    return { kind: "ptr", value: value.start };
  return;
}
function regionSize(region) {
  return region.parts === undefined ? region.end - region.start : region.parts.reduce((sum, p) => sum + (p.end - p.start), 0n);
}
function hexAddress(value) {
  return value < 0n ? `-0x${(-value).toString(16)}` : `0x${value.toString(16)}`;
}
function decode(type, bytes) {
  if (type.kind === "ptr" || type.kind === "int" && !type.bigEndian) {
    const size = type.size;
    const signed = type.kind === "int" && type.signed;
    if (size === 8) {
      const low = (bytes[0] | bytes[1] << 8 | bytes[2] << 16 | bytes[3] << 24) >>> 0;
      const high = (bytes[4] | bytes[5] << 8 | bytes[6] << 16 | bytes[7] << 24) >>> 0;
      const value = high < 2097152 ? BigInt(high * 4294967296 + low) : BigInt(high) << 32n | BigInt(low);
      return type.kind === "ptr" ? ptr(value) : int(signed ? BigInt.asIntN(64, value) : value);
    }
    let value = bytes[0];
    if (size >= 2)
      value |= bytes[1] << 8;
    if (size === 4)
      value = (value | bytes[2] << 16 | bytes[3] << 24) >>> 0;
    if (signed && value >= 2 ** (size * 8 - 1))
      value -= 2 ** (size * 8);
    return int(BigInt(value));
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (type.kind) {
    case "float":
      return { kind: "float", value: type.size === 4 ? view.getFloat32(0, !type.bigEndian) : view.getFloat64(0, !type.bigEndian) };
    case "int": {
      const le = !type.bigEndian;
      switch (type.size) {
        case 1:
          return int(BigInt(type.signed ? view.getInt8(0) : view.getUint8(0)));
        case 2:
          return int(BigInt(type.signed ? view.getInt16(0, le) : view.getUint16(0, le)));
        case 4:
          return int(BigInt(type.signed ? view.getInt32(0, le) : view.getUint32(0, le)));
        case 8:
          return int(type.signed ? view.getBigInt64(0, le) : view.getBigUint64(0, le));
      }
    }
  }
}
function readLength(type) {
  return type.kind === "cstring" ? type.max : type.kind === "utf16" ? type.units * 2 : type.size;
}

// src/policy/guard.ts
function regionName(regions, address) {
  const region = regions.find((r) => r.start <= address && address < r.end);
  if (region === undefined)
    return "unmapped";
  if (region.path.startsWith("/"))
    return `module:${region.path.slice(region.path.lastIndexOf("/") + 1)}`;
  return region.path === "" ? "anon" : region.path;
}
function guardSource(source, options) {
  const { policies, audit } = options;
  const now = options.now ?? (() => performance.now());
  const started = now();
  const readBudget = tightest2(policies, "read.maxBytes", (p) => p.read?.maxBytes);
  const writeBudget = tightest2(policies, "write.maxBytes", (p) => p.write?.maxBytes);
  const seconds = tightest2(policies, "run.maxSeconds", (p) => p.run?.maxSeconds);
  const freezeMillis = tightest2(policies, "freeze.maxMillis", (p) => p.freeze?.maxMillis);
  const hasRegionRules = policies.some(({ policy }) => policy.read?.allow !== undefined || policy.read?.deny !== undefined || policy.write?.regions !== undefined);
  let rules;
  let regions = [];
  let read = 0;
  let written = 0;
  const rulesNow = (fresh) => {
    if (rules === undefined || fresh) {
      regions = source.regions();
      rules = new RegionRules2(policies, { regions, symbol: options.symbol });
    }
    return rules;
  };
  const decideRanges = (ranges, decide) => {
    if (!hasRegionRules)
      return { decision: { allowed: true }, at: undefined };
    for (const fresh of [false, true]) {
      const current = rulesNow(fresh);
      const denied = ranges.map((r) => ({ r, d: decide(current, r.start, r.end) })).find((x) => !x.d.allowed);
      if (denied === undefined)
        return { decision: { allowed: true }, at: undefined };
      if (fresh)
        return { decision: denied.d, at: denied.r };
    }
    return { decision: { allowed: true }, at: undefined };
  };
  const deny = (op, what, decision, range) => {
    audit?.({ op, allowed: false, ...range === undefined ? {} : { start: range.start, end: range.end }, rule: decision.rule, detail: decision.why });
    const where = range === undefined ? "" : ` ${hexAddress(range.start)}-${hexAddress(range.end)} (${regionName(regions.length > 0 ? regions : source.regions(), range.start)})`;
    return new DeniedError("policy-denied", `denied: ${what}${where}: ${decision.why} — ${describeRule2(decision.rule)}`, {
      hint: "the policy is the administrator's: change the recipe, or ask for the policy to allow it"
    });
  };
  const checkClock = (op) => {
    if (seconds !== undefined && now() - started > seconds.limit * 1000) {
      throw deny(op, `${op} after ${seconds.limit.toString()} s`, { allowed: false, rule: seconds.rule, why: "the run took longer than the policy allows" });
    }
  };
  const checkScanReads = (requests) => {
    checkClock("scan");
    const ranges = requests.map((r) => ({ start: r.address, end: r.address + BigInt(r.length) }));
    const bytes = requests.reduce((sum, r) => sum + r.length, 0);
    const { decision, at } = decideRanges(ranges, (rules, start, end) => rules.read(start, end));
    if (!decision.allowed)
      throw deny("scan", `read of ${count(bytes, "byte")} at`, decision, at);
    if (audit !== undefined && ranges.length > 0)
      audit({ op: "scan", allowed: true, start: ranges[0].start, end: ranges[0].end, ranges: ranges.length, bytes });
  };
  const countReads = (requests) => {
    if (requests.length === 0)
      return;
    countBytes(requests[0], requests.length, requests.reduce((sum, r) => sum + r.length, 0));
  };
  const countBytes = (first, ranges, bytes) => {
    read += bytes;
    if (readBudget !== undefined && read > readBudget.limit) {
      throw deny("read", `reading more than ${readBudget.limit} bytes`, { allowed: false, rule: readBudget.rule, why: "the run read more than the policy allows" });
    }
    audit?.({ op: "read", allowed: true, start: first.address, end: first.address + BigInt(first.length), ranges, bytes });
  };
  const checkWrites = (requests, code, count = true) => {
    const op = code ? "write-code" : "write";
    checkClock(op);
    if (code) {
      const decision = decideCode2(policies);
      if (!decision.allowed)
        throw deny(op, "patch of code at", decision, requests[0] && { start: requests[0].address, end: requests[0].address + BigInt(requests[0].bytes.length) });
    }
    const ranges = requests.map((w) => ({ start: w.address, end: w.address + BigInt(w.bytes.length) }));
    const { decision, at } = decideRanges(ranges, (rules, start, end) => rules.write(start, end));
    if (!decision.allowed)
      throw deny(op, "write to", decision, at);
    const bytes = requests.reduce((sum, w) => sum + w.bytes.length, 0);
    if (writeBudget !== undefined && written + bytes > writeBudget.limit) {
      throw deny(op, `writing more than ${writeBudget.limit} bytes`, { allowed: false, rule: writeBudget.rule, why: "the run would write more than the policy allows" });
    }
    if (!count)
      return;
    written += bytes;
    audit?.({ op, allowed: true, start: ranges[0]?.start, end: ranges[0]?.end, ranges: ranges.length, bytes });
  };
  const checkFreeze = () => {
    checkClock("freeze");
    const decision = decideFreeze2(policies);
    if (!decision.allowed)
      throw deny("freeze", "stopping the threads", decision);
    audit?.({ op: "freeze", allowed: true });
  };
  const timedFreeze = (frozen) => {
    const stoppedAt = now();
    return {
      threads: frozen.threads,
      thaw() {
        frozen.thaw();
        const millis = now() - stoppedAt;
        if (freezeMillis !== undefined && millis > freezeMillis.limit) {
          throw deny("freeze", `threads stopped for ${millis.toFixed(1)} ms`, { allowed: false, rule: freezeMillis.rule, why: "the threads stayed stopped longer than the policy allows (they run again)" });
        }
      }
    };
  };
  const scanSkip = (region) => {
    if (!hasRegionRules)
      return;
    const decision = rulesNow(false).read(region.start, region.end);
    return decision.allowed ? undefined : `denied by policy: ${describeRule2(decision.rule)}`;
  };
  const writable = source.writable;
  const guarded = {
    get identity() {
      return source.identity;
    },
    regions: () => source.regions(),
    read(requests) {
      checkClock("read");
      const denials = hasRegionRules ? requests.map((r) => decideRanges([{ start: r.address, end: r.address + BigInt(r.length) }], (rules, start, end) => rules.read(start, end))) : undefined;
      const allowed = denials === undefined ? requests : requests.filter((_, i) => denials[i].decision.allowed);
      countReads(allowed);
      const results = source.read(allowed);
      if (denials === undefined)
        return results;
      let next = 0;
      return requests.map((request, i) => {
        const { decision, at } = denials[i];
        if (decision.allowed)
          return results[next++];
        const denied = deny("read", `read of ${count(request.length, "byte")} at`, decision, at);
        return { bytes: new Uint8Array(request.length), done: 0, fault: { address: request.address, denied } };
      });
    },
    readRanges: hasRegionRules || source.readRanges === undefined ? undefined : (starts, lengths) => {
      checkClock("read");
      if (starts.length > 0)
        countBytes({ address: BigInt(starts[0]), length: lengths[0] }, starts.length, lengths.reduce((sum, n) => sum + n, 0));
      return source.readRanges(starts, lengths);
    },
    moduleFile: (path) => source.moduleFile(path),
    openScan() {
      const access = source.openScan();
      return {
        ...access,
        skip: (region) => access.skip?.(region) ?? scanSkip(region),
        readChunks: (requests) => {
          checkScanReads(requests);
          return access.readChunks(requests);
        }
      };
    },
    threads() {
      if (writable !== undefined)
        checkFreeze();
      return source.threads();
    },
    writable: undefined,
    close: () => source.close()
  };
  if (writable === undefined)
    return guarded;
  const guardedWritable = {
    ...guarded,
    get identity() {
      return source.identity;
    },
    write(requests) {
      checkWrites(requests, false);
      return writable.write(requests);
    },
    writeForce(requests) {
      checkWrites(requests, true);
      return writable.writeForce(requests);
    },
    freeze() {
      checkFreeze();
      return timedFreeze(writable.freeze());
    },
    ...writable.lockWrites === undefined ? {} : { lockWrites: () => writable.lockWrites() },
    authorize(writes) {
      const data = writes.filter((w) => !w.code);
      const code = writes.filter((w) => w.code);
      if (data.length > 0)
        checkWrites(data, false, false);
      if (code.length > 0)
        checkWrites(code, true, false);
      if (code.length > 0)
        checkFreeze();
    },
    get writable() {
      return guardedWritable;
    }
  };
  return guardedWritable;
}

// src/plan/walk.ts
function rootsOf(step) {
  switch (step.op) {
    case "print":
      return step.values;
    case "if":
      return [step.condition];
    case "for":
      return [...step.over.kind === "range" ? [step.over.from, step.over.to] : [step.over.list], ...step.limit === undefined ? [] : [step.limit]];
    case "while":
      return [step.condition, ...step.limit === undefined ? [] : [step.limit]];
    case "assert":
      return [step.condition, ...step.message === undefined ? [] : [step.message]];
    case "write":
      return [step.address, step.datum.value];
    case "dump":
      return [step.address, step.length];
    case "patch":
      return step.sites.flatMap((site) => [site.address, site.expect.value, site.replacement.value]);
    case "read-ahead":
    case "break":
      return [];
    default:
      return [step.value];
  }
}
function blocksOf(step) {
  if (step.op === "if")
    return [step.then, step.otherwise];
  if (step.op === "for" || step.op === "while")
    return [step.body];
  return [];
}
function childrenOf(e) {
  switch (e.op) {
    case "read":
      return [e.address];
    case "unary":
    case "not":
      return [e.operand];
    case "field":
      return [e.object];
    case "binary":
    case "compare":
    case "logical":
      return [e.left, e.right];
    case "index":
      return [e.object, e.index];
    case "call":
      return e.args;
    case "list":
      return e.items;
    case "ripref":
      return [e.insn, e.dispOffset, e.insnLength];
    case "scan":
      return [e.needle.value, ...e.range.kind === "region" ? [e.range.region] : [], ...e.limit === undefined ? [] : [e.limit]];
    case "narrow": {
      const test = e.test;
      return [e.list, ...test.kind === "compare" ? [test.value, ...test.within === undefined ? [] : [test.within]] : test.kind === "between" ? [test.low, test.high] : []];
    }
    default:
      return [];
  }
}
function readSites(steps) {
  const sites = new Map;
  const visit = (e) => {
    if (e.op === "read")
      sites.set(e.site, e);
    childrenOf(e).forEach(visit);
  };
  const walk = (list) => {
    for (const step of list) {
      rootsOf(step).forEach(visit);
      blocksOf(step).forEach(walk);
    }
  };
  walk(steps);
  return sites;
}

// src/policy/static.ts
function checkPlanStatically2(plan, policies, freezeAll) {
  const out = [];
  const writing = decideWriting2(policies);
  const freezing = decideFreeze2(policies);
  const writeRegions = policies.some((p) => p.policy.write?.regions !== undefined);
  const readRules = policies.filter((p) => p.policy.read?.allow !== undefined || p.policy.read?.deny !== undefined);
  const codeAllowed = policies.every((p) => p.policy.write?.code === true);
  const named = (e) => {
    if (e.op === "symbol" && e.module !== undefined || e.op === "module")
      return e;
    if (e.op === "binary" && (e.operator === "+" || e.operator === "-"))
      return named(e.left);
    return;
  };
  const selectorOf = (e) => e?.op === "symbol" ? `symbol:${e.module}:${e.name}` : e?.op === "module" ? `module:${e.name}` : undefined;
  const describeAddress = (e) => {
    const base = named(e);
    return base?.op === "symbol" ? `symbol("${base.module}", "${base.name}")` : base?.op === "module" ? `module("${base.name}")` : undefined;
  };
  const push = (loc, what, decision, why = "") => {
    if (decision === "run time")
      out.push({ loc, what, verdict: "run time", rule: undefined, why });
    else if (decision.allowed)
      out.push({ loc, what, verdict: "allowed", rule: undefined, why });
    else
      out.push({ loc, what, verdict: "denied", rule: decision.rule, why: decision.why });
  };
  const staticRegion = (selector, list) => {
    if (list === undefined)
      return true;
    if (list.includes(selector))
      return true;
    const module = selector.startsWith("symbol:") ? `module:${selector.split(":")[1]}` : selector;
    if (list.includes(module))
      return true;
    return;
  };
  const visitReads = (e) => {
    if (e.op === "read" && readRules.length > 0) {
      const selector = selectorOf(named(e.address));
      const where = describeAddress(e.address);
      if (selector !== undefined && where !== undefined) {
        const denied = readRules.find((p) => p.policy.read?.deny?.includes(selector) || selector.startsWith("symbol:") && p.policy.read?.deny?.includes(`module:${selector.split(":")[1]}`));
        if (denied !== undefined)
          push(e.loc, `read at ${where}`, { allowed: false, rule: { file: denied.path, path: "read.deny", value: denied.policy.read.deny }, why: "the policy denies reading there" });
        else if (readRules.every((p) => staticRegion(selector, p.policy.read?.allow) === true))
          push(e.loc, `read at ${where}`, { allowed: true });
        else
          push(e.loc, `read at ${where}`, "run time", "read.allow is checked against the map");
      } else
        push(e.loc, "read", "run time", "its address is known only when the recipe runs");
    }
    childrenOf(e).forEach(visitReads);
  };
  const walk = (steps) => {
    for (const step of steps) {
      rootsOf(step).forEach(visitReads);
      if (step.op === "write" || step.op === "patch") {
        const what = step.op === "write" ? "write" : step.name === undefined ? "patch" : `patch "${step.name}"`;
        const addresses = step.op === "write" ? [step.address] : step.sites.map((s) => s.address);
        if (!writing.allowed)
          push(step.loc, what, writing);
        else if (step.op === "patch" && (step.freeze || freezeAll) && !freezing.allowed)
          push(step.loc, what, freezing);
        else if (writeRegions) {
          const verdicts = addresses.map((a) => {
            const selector = selectorOf(named(a));
            return selector === undefined ? undefined : policies.every((p) => staticRegion(selector, p.policy.write?.regions) === true);
          });
          if (verdicts.every((v) => v === true) && (step.op === "write" || codeAllowed))
            push(step.loc, what, { allowed: true });
          else
            push(step.loc, what, "run time", "write.regions is checked against each resolved address");
        } else if (step.op === "patch" && !codeAllowed)
          push(step.loc, what, "run time", "a site on a code page needs write.code: known when the address is");
        else
          push(step.loc, what, { allowed: true });
      }
      blocksOf(step).forEach(walk);
    }
  };
  walk(plan.steps);
  return out.sort((a, b) => a.loc.line - b.loc.line || a.loc.col - b.loc.col);
}
function formatStaticDecision2(recipe, d) {
  const at = `${recipe}:${d.loc.line}:${d.loc.col}`;
  if (d.verdict === "denied")
    return `${at}: denied: ${d.what} — ${describeRule2(d.rule)} (${d.why})`;
  if (d.verdict === "run time")
    return `${at}: checked at run time: ${d.what} (${d.why})`;
  return `${at}: allowed: ${d.what}`;
}

// src/policy/apply.ts
function refusePlan2(plan, policies, freezeAll) {
  if (policies.length === 0)
    return;
  const denied = checkPlanStatically2(plan, policies, freezeAll).find((d) => d.verdict === "denied");
  if (denied === undefined)
    return;
  throw new DeniedError("policy-denied", formatStaticDecision2(plan.recipe.name, denied).replace(/^[^:]+:\d+:\d+: /, ""), {
    where: `${plan.recipe.name}:${denied.loc.line}:${denied.loc.col}`,
    hint: "`pvm check RECIPE --policy FILE` lists what the policy allows, denies and leaves to run time"
  });
}
function refuseTarget2(policies, facts, identity, audit) {
  if (policies.length === 0)
    return;
  const decision = decideTarget2(policies, facts);
  audit?.({ op: "target", allowed: decision.allowed, ...decision.allowed ? {} : { rule: decision.rule, detail: decision.why } });
  if (decision.allowed)
    return;
  throw new DeniedError("policy-denied", `denied: ${describeTarget({ kind: "process", exe: undefined, cmdline: [], startTime: undefined, ...identity })}: ${decision.why} — ${describeRule2(decision.rule)}`, {
    hint: "the policy lists the processes pvm may read; choose one of them"
  });
}
function policyLimits2(policies) {
  const steps = tightest2(policies, "run.maxSteps", (p) => p.run?.maxSteps);
  const scanBytes = tightest2(policies, "scan.maxBytes", (p) => p.scan?.maxBytes);
  const scanHits = tightest2(policies, "scan.maxHits", (p) => p.scan?.maxHits);
  const lower = (fallback, budget) => budget === undefined ? fallback : Math.min(fallback, budget.limit);
  return {
    ...DEFAULT_LIMITS,
    steps: lower(DEFAULT_LIMITS.steps, steps),
    scanBytes: lower(DEFAULT_LIMITS.scanBytes, scanBytes),
    scanHits: lower(DEFAULT_LIMITS.scanHits, scanHits),
    rules: {
      ...steps === undefined ? {} : { steps: describeRule2(steps.rule) },
      ...scanBytes === undefined ? {} : { scanBytes: describeRule2(scanBytes.rule) },
      ...scanHits === undefined ? {} : { scanHits: describeRule2(scanHits.rule) }
    }
  };
}
function policedSource2(source, policies, options) {
  return policies.length === 0 ? source : guardSource(source, { ...options, policies });
}

// src/runtime/modules.ts
import { basename } from "node:path";

// src/native/elf-headers.ts
function readElfHeaders(read) {
  const header = read(0, 64);
  if (header.length < 64 || header[0] !== 127 || header[1] !== 69 || header[2] !== 76 || header[3] !== 70 || header[4] !== 2 || header[5] !== 1)
    return;
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const phoff = Number(view.getBigUint64(32, true));
  const phnum = view.getUint16(56, true);
  const table = read(phoff, phnum * 56);
  if (table.length < phnum * 56)
    return;
  const phdrs = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const segments = [];
  for (let i = 0;i < phnum; i++) {
    const at = i * 56;
    segments.push({
      type: phdrs.getUint32(at, true),
      flags: phdrs.getUint32(at + 4, true),
      offset: phdrs.getBigUint64(at + 8, true),
      vaddr: phdrs.getBigUint64(at + 16, true),
      filesz: phdrs.getBigUint64(at + 32, true),
      memsz: phdrs.getBigUint64(at + 40, true)
    });
  }
  let buildId;
  for (const note of segments.filter((s) => s.type === PT_NOTE && s.filesz < 1n << 20n)) {
    buildId = buildIdInNotes(read(Number(note.offset), Number(note.filesz)));
    if (buildId !== undefined)
      break;
  }
  return { segments, buildId };
}
function permsAtOffset(headers, offset) {
  const load = headers.segments.find((s) => s.type === PT_LOAD && (s.offset & ~0xfffn) <= offset && offset < s.offset + s.filesz);
  if (load === undefined)
    return;
  return `${load.flags & 4 ? "r" : "-"}${load.flags & 2 ? "w" : "-"}${load.flags & 1 ? "x" : "-"}p`;
}

// src/native/elf.ts
var PT_LOAD = 1;
var PT_NOTE = 4;
var SHT_SYMTAB = 2;
var SHT_RELA = 4;
var SHT_DYNAMIC = 6;
var SHT_DYNSYM = 11;
var SHT_GNU_VERSYM = 1879048191;
var SHN_UNDEF = 0;
var NT_GNU_BUILD_ID = 3;
var VERSYM_HIDDEN = 32768;
var DT_SONAME = 14;
var EM_X86_64 = 62;
var EM_AARCH64 = 183;
var COPY_RELOCATION = new Map([[EM_X86_64, 5], [EM_AARCH64, 1024]]);
var MAX_TABLE_BYTES = 1 << 30;
var STT_OBJECT = 1;
var STT_TLS = 6;
var STT_GNU_IFUNC = 10;
var STB_LOCAL = 0;

class ElfFormatError extends Error {
}
function parseElf(file) {
  const header = file.read(0, 64);
  if (header.length < 64 || new DataView(header.buffer, header.byteOffset, 4).getUint32(0, false) !== 2135247942)
    throw new ElfFormatError("not an ELF file");
  if (header[4] !== 2 || header[5] !== 1)
    throw new ElfFormatError("not a 64-bit little-endian ELF file");
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const headers = readElfHeaders((offset, length) => file.read(offset, length));
  if (headers === undefined)
    throw new ElfFormatError("a program header lies past the end of the file (truncated?)");
  const bytesOf = (offset, size, what) => {
    if (size > BigInt(MAX_TABLE_BYTES))
      throw new ElfFormatError(`${what} claims ${size} bytes, more than any linker writes`);
    const bytes = file.read(Number(offset), Number(size));
    if (bytes.length < Number(size))
      throw new ElfFormatError(`${what} lies past the end of the file (truncated?)`);
    return bytes;
  };
  const viewOf = (bytes) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = view.getBigUint64(40, true);
  const shnum = shoff === 0n ? 0 : view.getUint16(60, true);
  const table = viewOf(bytesOf(shoff, BigInt(shnum * 64), "the section header table"));
  const sections = Array.from({ length: shnum }, (_, i) => {
    const at = i * 64;
    return {
      name: table.getUint32(at, true),
      type: table.getUint32(at + 4, true),
      offset: table.getBigUint64(at + 24, true),
      size: table.getBigUint64(at + 32, true),
      link: table.getUint32(at + 40, true),
      entsize: table.getBigUint64(at + 56, true)
    };
  });
  const contents = (section, what) => bytesOf(section.offset, section.size, what);
  const decoder = new TextDecoder;
  const stringAt = (strings, at) => {
    const end = strings.indexOf(0, at);
    return decoder.decode(strings.subarray(at, end < 0 ? strings.length : end));
  };
  const sectionNames = sections[view.getUint16(62, true)];
  const namedSection = (name) => {
    if (sectionNames === undefined)
      return;
    const names = contents(sectionNames, "the section name table");
    return sections.find((s) => stringAt(names, s.name) === name);
  };
  const symtab = sections.find((s) => s.type === SHT_SYMTAB && s.entsize === 24n);
  const dynsym = sections.find((s) => s.type === SHT_DYNSYM && s.entsize === 24n);
  const versym = sections.find((s) => s.type === SHT_GNU_VERSYM);
  const decodeTable = (section, name) => {
    const byName = new Map;
    if (section === undefined || sections[section.link] === undefined)
      return byName;
    const entries = viewOf(contents(section, name));
    const strings = contents(sections[section.link], `the string table of ${name}`);
    const versions = name === ".dynsym" && versym !== undefined ? viewOf(contents(versym, ".gnu.version")) : undefined;
    const hidden = new Set;
    for (let i = 1;i < entries.byteLength / 24; i++) {
      const at = i * 24;
      if (entries.getUint16(at + 6, true) === SHN_UNDEF)
        continue;
      const info = entries.getUint8(at + 4);
      const symbol = { name: stringAt(strings, entries.getUint32(at, true)), value: entries.getBigUint64(at + 8, true), size: entries.getBigUint64(at + 16, true), type: info & 15, binding: info >> 4, table: name };
      const known = byName.get(symbol.name);
      const isHidden = versions !== undefined && i * 2 + 2 <= versions.byteLength && (versions.getUint16(i * 2, true) & VERSYM_HIDDEN) !== 0;
      if (known === undefined || hidden.has(symbol.name) && !isHidden || known.binding === STB_LOCAL && symbol.binding !== STB_LOCAL) {
        byName.set(symbol.name, symbol);
        if (isHidden)
          hidden.add(symbol.name);
        else
          hidden.delete(symbol.name);
      }
    }
    return byName;
  };
  let symtabSymbols;
  let dynsymSymbols;
  const fromSymtab = (name) => (symtabSymbols ??= decodeTable(symtab, ".symtab")).get(name);
  const fromDynsym = (name) => (dynsymSymbols ??= decodeTable(dynsym, ".dynsym")).get(name);
  let copied;
  const copyRelocations = () => {
    if (copied === undefined) {
      copied = [];
      const copyType = COPY_RELOCATION.get(view.getUint16(18, true));
      const dynsymIndex = dynsym === undefined ? -1 : sections.indexOf(dynsym);
      if (copyType !== undefined && dynsym !== undefined) {
        const symbols = viewOf(contents(dynsym, ".dynsym"));
        const strings = contents(sections[dynsym.link], "the string table of .dynsym");
        for (const rela of sections.filter((s) => s.type === SHT_RELA && s.link === dynsymIndex && s.entsize === 24n)) {
          const entries = viewOf(contents(rela, "a relocation table"));
          for (let at = 0;at + 24 <= entries.byteLength; at += 24) {
            const info = entries.getBigUint64(at + 8, true);
            if (Number(info & 0xffffffffn) !== copyType)
              continue;
            const index = Number(info >> 32n);
            if ((index + 1) * 24 <= symbols.byteLength)
              copied.push(stringAt(strings, symbols.getUint32(index * 24, true)));
          }
        }
      }
    }
    return copied;
  };
  const soname = () => {
    const dynamic = sections.find((s) => s.type === SHT_DYNAMIC && s.entsize === 16n);
    if (dynamic === undefined || sections[dynamic.link] === undefined)
      return;
    const entries = viewOf(contents(dynamic, ".dynamic"));
    for (let at = 0;at + 16 <= entries.byteLength; at += 16) {
      const tag = entries.getBigInt64(at, true);
      if (tag === 0n)
        break;
      if (tag === BigInt(DT_SONAME))
        return stringAt(contents(sections[dynamic.link], ".dynstr"), Number(entries.getBigUint64(at + 8, true)));
    }
    return;
  };
  const debugLink = () => {
    const section = namedSection(".gnu_debuglink");
    if (section === undefined)
      return;
    const bytes = contents(section, ".gnu_debuglink");
    const end = bytes.indexOf(0);
    if (end <= 0)
      return;
    const crcAt = end + 4 & ~3;
    if (crcAt + 4 > bytes.length)
      return;
    return { name: decoder.decode(bytes.subarray(0, end)), crc: viewOf(bytes).getUint32(crcAt, true) };
  };
  return {
    type: view.getUint16(16, true),
    segments: headers.segments,
    buildId: headers.buildId,
    hasSymtab: symtab !== undefined,
    soname: soname(),
    debugLink: debugLink(),
    findSymbol: (name) => fromSymtab(name) ?? fromDynsym(name),
    findExported: (name) => {
      const symbol = fromDynsym(name);
      return symbol !== undefined && symbol.binding !== STB_LOCAL ? symbol : undefined;
    },
    copyRelocations,
    symbolNames: () => {
      symtabSymbols ??= decodeTable(symtab, ".symtab");
      dynsymSymbols ??= decodeTable(dynsym, ".dynsym");
      return [...new Set([...symtabSymbols.keys(), ...dynsymSymbols.keys()])];
    }
  };
}
function buildIdInNotes(notes) {
  const view = new DataView(notes.buffer, notes.byteOffset, notes.byteLength);
  const align = (n) => n + 3 & ~3;
  let at = 0;
  while (at + 12 <= notes.length) {
    const namesz = view.getUint32(at, true);
    const descsz = view.getUint32(at + 4, true);
    const type = view.getUint32(at + 8, true);
    const name = new TextDecoder().decode(notes.subarray(at + 12, at + 12 + Math.max(0, namesz - 1)));
    const desc = at + 12 + align(namesz);
    if (desc + descsz > notes.length)
      return;
    if (type === NT_GNU_BUILD_ID && name === "GNU") {
      return [...notes.subarray(desc, desc + descsz)].map((b) => b.toString(16).padStart(2, "0")).join("");
    }
    at = desc + align(descsz);
  }
  return;
}
function loadBias(elf, mappedAt, pageSize = 4096n) {
  const first = elf.segments.find((s) => s.type === PT_LOAD);
  if (first === undefined)
    throw new ElfFormatError("the file has no PT_LOAD segment");
  return mappedAt - (first.vaddr & ~(pageSize - 1n));
}

// src/target/debug-files.ts
import { closeSync, openSync, readSync as readSync2 } from "node:fs";
import { dirname, join } from "node:path";
var DEFAULT_DEBUG_DIRECTORIES = ["/usr/lib/debug"];
function debugFileCandidates(path, elf, directories) {
  const candidates = [];
  const id = elf.buildId;
  if (id !== undefined && id.length > 2) {
    for (const directory of directories)
      candidates.push(join(directory, ".build-id", id.slice(0, 2), `${id.slice(2)}.debug`));
  }
  const link = elf.debugLink;
  if (link !== undefined && !link.name.includes("/")) {
    const home = dirname(path);
    candidates.push(join(home, link.name), join(home, ".debug", link.name));
    for (const directory of directories)
      candidates.push(join(directory, home, link.name));
  }
  return candidates.filter((candidate) => candidate !== path);
}
function findDebugFile(path, elf, directories) {
  const tried = debugFileCandidates(path, elf, directories);
  for (const candidate of tried) {
    const fd = attempt(() => openSync(candidate, "r"));
    if (fd === undefined)
      continue;
    const debug = attempt(() => parseElf({ read: (offset, length) => readAt(fd, offset, length) }));
    const matches = debug !== undefined && (elf.buildId !== undefined ? debug.buildId === elf.buildId : elf.debugLink !== undefined && crc32OfFile(fd) === elf.debugLink.crc);
    if (matches)
      return { file: { path: candidate, elf: debug, close: () => closeSync(fd) } };
    closeSync(fd);
  }
  return { tried };
}
var CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0;k < 8; k++)
    c = c & 1 ? 3988292384 ^ c >>> 1 : c >>> 1;
  return c >>> 0;
});
function crc32OfFile(fd) {
  const buffer = new Uint8Array(1 << 20);
  let crc = 4294967295;
  for (let offset = 0;; ) {
    const n = readSync2(fd, buffer, 0, buffer.length, offset);
    if (n <= 0)
      break;
    for (let i = 0;i < n; i++)
      crc = CRC_TABLE[(crc ^ buffer[i]) & 255] ^ crc >>> 8;
    offset += n;
  }
  return (crc ^ 4294967295) >>> 0;
}

// src/runtime/elf-files.ts
class ElfFiles {
  #files = new Map;
  #debug = new Map;
  #closers = [];
  parse(file) {
    const shareable = file.shareable;
    if (shareable === undefined)
      return parseElf(file);
    let elf = this.#files.get(shareable.key);
    if (elf === undefined) {
      let own;
      try {
        own = shareable.open();
      } catch {
        return parseElf(file);
      }
      try {
        elf = parseElf(own.reader);
      } catch (error) {
        own.close();
        throw error;
      }
      this.#closers.push(own.close);
      this.#files.set(shareable.key, elf);
    }
    return elf;
  }
  debugOf(path, elf, directories) {
    let found = this.#debug.get(elf);
    if (found === undefined) {
      const lookup = findDebugFile(path, elf, directories);
      if ("file" in lookup)
        this.#closers.push(lookup.file.close);
      found = "file" in lookup ? { elf: lookup.file.elf, path: lookup.file.path } : { tried: lookup.tried };
      this.#debug.set(elf, found);
    }
    return found;
  }
  close() {
    for (const close of this.#closers.splice(0))
      close();
    this.#files.clear();
    this.#debug.clear();
  }
}

// src/suggest.ts
function closest(name, candidates) {
  let best;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
function editDistance(a, b) {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1;i <= a.length; i++) {
    const current = [i];
    for (let j = 1;j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

// src/runtime/modules.ts
class ModuleResolver {
  #target;
  #debugDirectories;
  #files = new Map;
  #loaded = new Map;
  #parses;
  #ownParses;
  constructor(target, options = {}) {
    this.#target = target;
    this.#debugDirectories = options.debugDirectories ?? DEFAULT_DEBUG_DIRECTORIES;
    this.#ownParses = options.elfFiles === undefined;
    this.#parses = options.elfFiles ?? new ElfFiles;
  }
  close() {
    if (this.#ownParses)
      this.#parses.close();
  }
  module(name) {
    const who = describeTarget(this.#target.identity);
    const regions = this.#target.regions();
    const files = [...new Set(regions.filter((r) => r.path.startsWith("/")).map((r) => r.path))];
    let matches = files.filter((path) => namesModule(path, name));
    if (matches.length === 0)
      matches = mappedFiles(regions).filter((path) => attempt(() => this.#elfOf(path).soname) === name);
    if (matches.length === 0) {
      const names = [...new Set(files.map((f) => basename(f)))];
      const suggestion = names.find((n) => n.startsWith(`${name}.`) || n.startsWith(`${name}-`)) ?? closest(name, names);
      throw new TargetError("no-module", `no module matches '${name}' in ${who}`, {
        hint: suggestion !== undefined ? `did you mean '${suggestion}'?` : `its modules include: ${names.slice(0, 8).join(", ")}`
      });
    }
    if (matches.length > 1) {
      throw new TargetError("ambiguous-module", `'${name}' matches ${matches.length} files in ${who}: ${matches.join(", ")}`, {
        hint: "give more of the path, so that exactly one file matches"
      });
    }
    const path = matches[0];
    return fileModule(path, regions);
  }
  region(name) {
    const regions = this.#target.regions();
    const mappings = regions.filter((r) => r.path === name);
    if (mappings.length === 0) {
      const names = [...new Set(regions.map((r) => r.path).filter((p) => p.startsWith("[")))];
      const suggestion = closest(name, names);
      throw new TargetError("no-region", `no region is named '${name}' in ${describeTarget(this.#target.identity)}`, {
        hint: suggestion !== undefined ? `did you mean '${suggestion}'?` : `its named regions are: ${names.join(", ")}; use module("name") for files`
      });
    }
    return spanOf(name, mappings);
  }
  symbolRange(moduleName, name) {
    const { address, size } = this.#resolve(moduleName, name);
    return { start: address, end: address + (size > 0n ? size : 1n) };
  }
  symbol(moduleName, name) {
    return this.#resolve(moduleName, name).address;
  }
  #resolve(moduleName, name) {
    if (moduleName === undefined)
      return this.#global(name);
    const loaded = this.#load(this.module(moduleName));
    const symbol = this.#find(loaded, name);
    if (symbol === undefined) {
      const known = [...loaded.elf.symbolNames(), ...this.#debugOf(loaded)?.symbolNames() ?? []].filter((n) => n !== "");
      const suggestion = closest(name, known);
      throw new TargetError("no-symbol", `${loaded.module.path} has no symbol '${name}'`, { hint: suggestion !== undefined ? `did you mean '${suggestion}'?` : this.#missingHint(loaded) });
    }
    return this.#copied(loaded, symbol) ?? this.#relocate(loaded, symbol);
  }
  #find(loaded, name) {
    return loaded.elf.findSymbol(name) ?? this.#debugOf(loaded)?.findSymbol(name);
  }
  #debugOf(loaded) {
    loaded.debug ??= this.#parses.debugOf(loaded.module.path, loaded.elf, this.#debugDirectories);
    return "elf" in loaded.debug ? loaded.debug.elf : undefined;
  }
  #missingHint(loaded) {
    if (loaded.elf.hasSymtab)
      return "check the spelling; `nm` lists the symbols of a file";
    const debug = loaded.debug;
    if (debug !== undefined && "path" in debug)
      return `check the spelling; neither the file nor its debug file ${debug.path} has it (\`nm\` lists a file's symbols)`;
    const tried = debug?.tried ?? [];
    return `the file is stripped: only its exported (.dynsym) symbols are known (\`nm -D\` lists them), and no debug file was found${tried.length > 0 ? ` (tried ${tried.join(", ")})` : ""}; install its debug package (for libc: libc6-dbg) or set PVM_DEBUG_FILE_DIRECTORY`;
  }
  #relocate(loaded, symbol) {
    const file = basename(loaded.module.path);
    if (symbol.type === STT_TLS) {
      throw new TargetError("tls-symbol", `'${symbol.name}' in ${file} is thread-local: its value, 0x${symbol.value.toString(16)}, is an offset into each thread's TLS block, not an address`, {
        hint: `each thread's block lies below its thread pointer, reg(threads()[0], "fs_base") (x86-64 TLS variant II); for the main program it starts at fs_base minus its PT_TLS size rounded up to its alignment`
      });
    }
    if (symbol.type === STT_GNU_IFUNC) {
      throw new TargetError("ifunc-symbol", `'${symbol.name}' in ${file} is an IFUNC: its address is the resolver that picks an implementation when the program loads, not the implementation`, {
        hint: "read the address the program resolved from its GOT, or scan for the code"
      });
    }
    return { address: symbol.value + loaded.bias, size: symbol.size };
  }
  #copied(loaded, symbol) {
    if (symbol.type !== STT_OBJECT)
      return;
    const regions = this.#target.regions();
    const executable = this.#executablePath(regions);
    if (executable === undefined || executable === loaded.module.path)
      return;
    const exe = attempt(() => this.#load(fileModule(executable, regions)));
    if (exe === undefined)
      return;
    for (const copiedName of exe.elf.copyRelocations()) {
      const original = loaded.elf.findExported(copiedName);
      if (original === undefined || symbol.value < original.value || symbol.value >= original.value + (original.size > 0n ? original.size : 1n))
        continue;
      const copy = exe.elf.findExported(copiedName);
      if (copy === undefined)
        continue;
      return { address: copy.value + exe.bias + (symbol.value - original.value), size: symbol.size };
    }
    return;
  }
  #global(name) {
    const who = describeTarget(this.#target.identity);
    const regions = this.#target.regions();
    const modules = this.#loadOrder(regions).flatMap((path) => attempt(() => this.#load(fileModule(path, regions))) ?? []);
    for (const loaded of modules) {
      const symbol = loaded.elf.findExported(name);
      if (symbol !== undefined)
        return this.#relocate(loaded, symbol);
    }
    const defining = modules.flatMap((loaded) => {
      const symbol = this.#find(loaded, name);
      return symbol === undefined ? [] : [{ loaded, symbol }];
    });
    if (defining.length === 1)
      return this.#relocate(defining[0].loaded, defining[0].symbol);
    if (defining.length > 1) {
      throw new TargetError("ambiguous-symbol", `'${name}' is a local symbol of ${defining.length} modules of ${who}: ${defining.map((d) => d.loaded.module.path).join(", ")}`, {
        hint: `name the module: symbol("${basename(defining[0].loaded.module.path)}", "${name}")`
      });
    }
    throw new TargetError("no-symbol", `no module of ${who} defines '${name}'`, {
      hint: "check the spelling; stripped modules know only their exported symbols unless their debug files are installed"
    });
  }
  #loadOrder(regions) {
    const files = mappedFiles(regions);
    const linkMap = this.#linkMap(regions, files) ?? [];
    const executable = this.#namedExecutable(regions) ?? linkMap[0];
    return [...new Set([...executable === undefined ? [] : [executable], ...linkMap, ...files])];
  }
  #executablePath(regions) {
    return this.#namedExecutable(regions) ?? this.#linkMap(regions, mappedFiles(regions))?.[0];
  }
  #namedExecutable(regions) {
    const exe = this.#target.identity.exe;
    return exe !== undefined && regions.some((r) => r.path === exe) ? exe : undefined;
  }
  #linkMap(regions, files) {
    const loaders = files.filter((path) => /^ld[-.]/.test(basename(path)));
    let rDebug;
    for (const path of loaders) {
      const loaded = attempt(() => this.#load(fileModule(path, regions)));
      const symbol = loaded?.elf.findExported("_r_debug");
      if (loaded !== undefined && symbol !== undefined)
        rDebug = symbol.value + loaded.bias;
      if (rDebug !== undefined)
        break;
    }
    if (rDebug === undefined)
      return;
    const word = (address, count) => {
      const [result] = this.#target.read([{ address, length: count * 8 }]);
      if (result === undefined || result.done < count * 8)
        return;
      const view = new DataView(result.bytes.buffer, result.bytes.byteOffset, count * 8);
      return Array.from({ length: count }, (_, i) => view.getBigUint64(i * 8, true));
    };
    const order = [];
    const seen = new Set;
    let entry = word(rDebug + 8n, 1)?.[0];
    while (entry !== undefined && entry !== 0n && !seen.has(entry) && seen.size < 4096) {
      seen.add(entry);
      const fields = word(entry, 4);
      if (fields === undefined)
        break;
      const dynamic = fields[2];
      const region = regions.find((r) => r.start <= dynamic && dynamic < r.end);
      if (region !== undefined && files.includes(region.path) && !order.includes(region.path))
        order.push(region.path);
      entry = fields[3];
    }
    return order.length > 0 ? order : undefined;
  }
  filesAt(addresses) {
    const regions = this.#target.regions();
    return addresses.map((address) => this.#fileAt(address, regions));
  }
  #fileAt(address, regions) {
    const region = regions.find((r) => r.start <= address && address < r.end);
    if (region === undefined || !region.path.startsWith("/"))
      return;
    const module = fileModule(region.path, regions);
    let buildId;
    try {
      buildId = this.#load(module).elf.buildId;
    } catch {
      buildId = undefined;
    }
    return { path: region.path, offset: address - module.start, buildId };
  }
  #elfOf(path) {
    let elf = this.#files.get(path);
    if (elf === undefined) {
      try {
        elf = this.#parses.parse(this.#target.moduleFile(path));
      } catch (error) {
        if (!(error instanceof ElfFormatError))
          throw error;
        throw new TargetError("bad-module", `${path} is not an ELF file pvm can read: ${error.message}`, { hint: "symbol() needs a 64-bit little-endian ELF file" });
      }
      this.#files.set(path, elf);
    }
    return elf;
  }
  #load(module) {
    const cached = this.#loaded.get(module.path);
    if (cached !== undefined)
      return cached;
    const who = describeTarget(this.#target.identity);
    if (module.mappings.some((m) => m.deleted)) {
      throw new TargetError("module-deleted", `the file of ${module.path} was deleted after ${who} loaded it`, { hint: "restart the process to load the current file, or resolve the address by scanning" });
    }
    const base = module.mappings.find((m) => m.offset === 0n);
    if (base === undefined)
      throw new TargetError("bad-module", `${module.path} has no mapping of its first page in ${who}`, { hint: "this is not a normally loaded ELF file" });
    const elf = this.#elfOf(module.path);
    const bias = loadBias(elf, base.start);
    this.#checkBuildId(module.path, elf, bias, who);
    const loaded = { module, elf, bias };
    this.#loaded.set(module.path, loaded);
    return loaded;
  }
  #checkBuildId(path, elf, bias, who) {
    if (elf.buildId === undefined)
      return;
    for (const note of elf.segments.filter((s) => s.type === PT_NOTE)) {
      const [result] = this.#target.read([{ address: note.vaddr + bias, length: Number(note.filesz) }]);
      if (result === undefined || result.fault !== undefined)
        continue;
      const running = buildIdInNotes(result.bytes);
      if (running === undefined)
        continue;
      if (running !== elf.buildId) {
        throw new TargetError("build-id-mismatch", `${path} on disk (build-id ${elf.buildId}) is not the file ${who} runs (build-id ${running})`, {
          hint: "the file was replaced after the process started; restart it, or resolve the address by scanning"
        });
      }
      return;
    }
  }
}
function mappedFiles(regions) {
  return [...new Set(regions.filter((r) => r.path.startsWith("/") && r.offset === 0n).map((r) => r.path))];
}
function fileModule(path, regions) {
  return spanOf(path, regions.filter((r) => r.path === path));
}
function spanOf(path, mappings) {
  return {
    path,
    start: mappings.reduce((min, r) => r.start < min ? r.start : min, mappings[0].start),
    end: mappings.reduce((max, r) => r.end > max ? r.end : max, mappings[0].end),
    mappings
  };
}

// src/cli/audit-file.ts
import { closeSync as closeSync2, openSync as openSync2, writeSync } from "node:fs";
function openAudit(path, policies, target) {
  let fd;
  try {
    fd = openSync2(path, "a", 384);
  } catch (error) {
    throw new UsageError("audit-unwritable", `cannot open the audit log '${path}' for appending: ${error.message}`, { hint: "choose a file in a directory you can write" });
  }
  const digests = policies.map((p) => ({ file: p.path, sha256: p.sha256 }));
  return {
    append(entry) {
      const { pid, name } = target();
      const line = {
        type: "audit",
        time: new Date().toISOString(),
        pid: pid ?? null,
        name,
        op: entry.op,
        allowed: entry.allowed,
        start: entry.start === undefined ? null : hexAddress(entry.start),
        end: entry.end === undefined ? null : hexAddress(entry.end),
        ranges: entry.ranges ?? null,
        bytes: entry.bytes ?? null,
        rule: entry.rule === undefined ? null : { file: entry.rule.file, path: entry.rule.path, value: entry.rule.value },
        detail: entry.detail ?? null,
        policies: digests
      };
      writeSync(fd, `${JSON.stringify(line)}
`);
    },
    close() {
      closeSync2(fd);
    }
  };
}

// src/cli/session.ts
async function pidOf(spec) {
  if (spec.kind === "pid")
    return spec.pid;
  const { findProcessByName } = await import("./find-process-7pr89vyv.js");
  return findProcessByName(spec.name, process.pid);
}
async function openLive(spec, policies, audit, quietStdout, deciding = () => {}) {
  let spawned;
  if (spec.kind === "spawn") {
    const { spawnTarget } = await import("./spawn-5437svkz.js");
    spawned = await spawnTarget(spec.command, spec.ready, quietStdout);
  }
  const afterwards = async () => {
    await spawned?.finish(spec.kind === "spawn" ? spec.then : "leave");
  };
  try {
    const pid = spawned?.pid ?? await pidOf(spec);
    deciding({ pid, name: "" });
    if (policies.length > 0) {
      const { liveTargetFacts } = await import("./target-facts-7znj1jd3.js");
      const facts = liveTargetFacts(pid);
      deciding({ pid, name: facts.comm });
      refuseTarget2(policies, facts, { pid, name: facts.comm }, audit?.append);
    }
    const { LiveProcess } = await import("./live-process-c7n0q7d2.js");
    return { live: await LiveProcess.open(pid), afterwards };
  } catch (error) {
    await spawned?.finish("kill");
    throw error;
  }
}
async function openSession(spec, policies, auditPath, quietStdout = false, elfFiles) {
  let raw;
  let afterwards = async () => {};
  let who = { pid: undefined, name: "" };
  const audit = auditPath === undefined ? undefined : openAudit(auditPath, policies, () => raw === undefined ? who : { pid: raw.identity.pid, name: raw.identity.name });
  try {
    if (spec.kind === "core") {
      const { CoreTarget } = await import("./core-target-64nbjmg0.js");
      const core = await CoreTarget.open(spec.path, { snapshot: spec.snapshot });
      raw = core;
      if (policies.length > 0) {
        const { coreTargetFacts } = await import("./target-facts-7znj1jd3.js");
        refuseTarget2(policies, coreTargetFacts(core), core.identity, audit?.append);
      }
    } else {
      const opened = await openLive(spec, policies, audit, quietStdout, (deciding) => who = deciding);
      raw = opened.live;
      afterwards = opened.afterwards;
    }
    const source = raw;
    const resolver = new ModuleResolver(source, { debugDirectories: debugDirectories(), elfFiles });
    const target = policedSource2(source, policies, { symbol: (module, name) => attempt(() => resolver.symbolRange(module, name)), audit: audit?.append });
    return {
      target,
      live: spec.kind === "core" ? undefined : source,
      policies,
      audit,
      close: () => {
        resolver.close();
        source.close();
        audit?.close();
      },
      afterwards: () => afterwards()
    };
  } catch (error) {
    raw?.close();
    audit?.close();
    throw error;
  }
}
function debugDirectories() {
  const value = process.env.PVM_DEBUG_FILE_DIRECTORY;
  return value === undefined || value === "" ? undefined : value.split(":").filter((directory) => directory !== "");
}

// src/cli/stdout.ts
import { writeSync as writeSync2 } from "node:fs";

// src/sleep.ts
var cell = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms) {
  Atomics.wait(cell, 0, 0, ms);
}

// src/cli/stdout.ts
var encoder = new TextEncoder;
function writeStdout(text) {
  const bytes = encoder.encode(text);
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync2(1, bytes, done, bytes.length - done);
    } catch (error) {
      const code = error.code;
      if (code === "EAGAIN") {
        sleepSync(1);
        continue;
      }
      if (code === "EPIPE")
        process.exit(process.exitCode ?? 0);
      throw error;
    }
  }
}

// src/target/select-processes.ts
import { closeSync as closeSync3, openSync as openSync3, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { basename as basename2 } from "node:path";

// src/native/maps.ts
var LINE = /^([0-9a-f]+)-([0-9a-f]+) ([r-][w-][x-][sp]) ([0-9a-f]+) ([0-9a-f]+:[0-9a-f]+) (\d+) *(.*)$/;
var DELETED = " (deleted)";
function undoFalseDeletions(entries, exists) {
  return entries.map((entry) => entry.deleted && exists(entry, `${entry.path}${DELETED}`) ? { ...entry, path: `${entry.path}${DELETED}`, deleted: false } : entry);
}
function parseMaps(text) {
  const entries = [];
  for (const line of text.split(`
`)) {
    if (line === "")
      continue;
    const m = LINE.exec(line);
    if (m === null)
      throw new Error(`unrecognised /proc/PID/maps line: ${JSON.stringify(line)}`);
    let path = m[7] ?? "";
    const deleted = path.endsWith(DELETED);
    if (deleted)
      path = path.slice(0, -DELETED.length);
    entries.push({
      start: BigInt(`0x${m[1]}`),
      end: BigInt(`0x${m[2]}`),
      perms: m[3] ?? "",
      offset: BigInt(`0x${m[4]}`),
      device: m[5] ?? "",
      inode: m[6] ?? "0",
      path: path.replaceAll("\\012", `
`),
      deleted
    });
  }
  return entries;
}

// src/native/status.ts
var CAP_SYS_PTRACE = 19n;
function hasCapability(caps, capability) {
  return (caps >> capability & 1n) === 1n;
}
function parseStatus(text) {
  const fields = new Map;
  for (const line of text.split(`
`)) {
    const colon = line.indexOf(":");
    if (colon > 0)
      fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const ids = (key) => {
    const values = (fields.get(key) ?? "").split(/\s+/).map(Number);
    return [values[0] ?? -1, values[1] ?? -1, values[2] ?? -1, values[3] ?? -1];
  };
  return {
    name: fields.get("Name") ?? "",
    state: (fields.get("State") ?? "?").charAt(0),
    pid: Number(fields.get("Pid") ?? -1),
    ppid: Number(fields.get("PPid") ?? -1),
    tracerPid: Number(fields.get("TracerPid") ?? 0),
    uid: ids("Uid"),
    gid: ids("Gid"),
    capEff: BigInt(`0x${fields.get("CapEff") ?? "0"}`),
    capPrm: BigInt(`0x${fields.get("CapPrm") ?? "0"}`)
  };
}

// src/target/select-processes.ts
var KEYS = ["exe", "name", "module", "build-id", "uid", "cgroup"];
function parseSelector(text) {
  const fail = (why, hint = "write e.g. --match exe=/usr/sbin/nginx,uid=33") => {
    throw new UsageError("usage", `--match ${text}: ${why}`, { hint });
  };
  const selector = { text };
  for (const part of text.split(",")) {
    const eq = part.indexOf("=");
    const key = part.slice(0, eq < 0 ? part.length : eq).trim();
    const value = eq < 0 ? "" : part.slice(eq + 1).trim();
    if (!KEYS.includes(key))
      fail(`unknown key '${key}'`, closest(key, KEYS) !== undefined ? `did you mean ${closest(key, KEYS)}=…?` : `the keys are ${KEYS.join(", ")}`);
    if (value === "")
      fail(`${key} needs a value`);
    const field = key === "build-id" ? "buildId" : key;
    if (field in selector)
      fail(`${key} is given twice`);
    if (key === "uid") {
      if (!/^[0-9]+$/.test(value))
        fail(`uid=${value} is not a number`);
      selector.uid = Number(value);
    } else if (key === "build-id") {
      if (!/^[0-9a-fA-F]+$/.test(value))
        fail(`build-id=${value} is not hex`);
      selector.buildId = value.toLowerCase();
    } else
      selector[field] = value;
  }
  return selector;
}
function selectProcesses(selector, self) {
  const buildIds = new Map;
  return userProcesses(self).filter((pid) => attempt(() => failingKeys(pid, selector, buildIds, false)?.length === 0) === true);
}
function nearestProcesses(selector, self, limit = 5) {
  const buildIds = new Map;
  const near = userProcesses(self).flatMap((pid) => {
    const failing = attempt(() => failingKeys(pid, selector, buildIds, true));
    const comm = attempt(() => readFileSync(`/proc/${pid}/comm`, "utf8").replace(/\n$/, ""));
    if (failing === undefined || comm === undefined)
      return [];
    const exe = attempt(() => basename2(readlinkSync(`/proc/${pid}/exe`))) ?? "";
    const distance = selector.name !== undefined ? editDistance(comm, selector.name) : selector.exe !== undefined ? editDistance(exe, basename2(selector.exe)) : 0;
    return [{ pid, comm, failing, distance }];
  });
  near.sort((a, b) => a.failing.length - b.failing.length || a.distance - b.distance || a.pid - b.pid);
  return near.slice(0, limit).map(({ pid, comm, failing }) => ({ pid, comm, failing }));
}
function userProcesses(self) {
  return readdirSync("/proc").filter((entry) => /^[0-9]+$/.test(entry)).map(Number).filter((pid) => pid !== self).sort((a, b) => a - b);
}
function failingKeys(pid, selector, buildIds, all) {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if ((Number(fields[6] ?? 0) & 2097152) !== 0 || fields[0] === "Z")
    return;
  const failing = [];
  const check = (key, value, holds) => {
    if (value === undefined || !all && failing.length > 0)
      return;
    if (attempt(holds) !== true)
      failing.push(`${key}=${value}`);
  };
  check("name", selector.name, () => readFileSync(`/proc/${pid}/comm`, "utf8").replace(/\n$/, "") === selector.name);
  check("exe", selector.exe, () => readlinkSync(`/proc/${pid}/exe`) === selector.exe);
  check("uid", selector.uid, () => parseStatus(readFileSync(`/proc/${pid}/status`, "utf8")).uid[0] === selector.uid);
  check("cgroup", selector.cgroup, () => {
    const want = selector.cgroup.replace(/\/+$/, "") || "/";
    const paths = readFileSync(`/proc/${pid}/cgroup`, "utf8").split(`
`).filter(Boolean).map((line) => line.slice(line.indexOf(":", line.indexOf(":") + 1) + 1));
    return paths.some((path) => path === want || path.startsWith(want === "/" ? "/" : `${want}/`));
  });
  if (selector.module === undefined && selector.buildId === undefined)
    return failing;
  if (!all && failing.length > 0)
    return failing;
  const maps = attempt(() => parseMaps(readFileSync(`/proc/${pid}/maps`, "latin1"))) ?? [];
  check("module", selector.module, () => {
    const name = selector.module;
    return maps.some((m) => m.path.startsWith("/") && namesModule(m.path, name));
  });
  check("build-id", selector.buildId, () => {
    const files = maps.filter((m) => m.path.startsWith("/") && m.offset === 0n);
    const idOf = (m) => {
      const key = `${m.device}:${m.inode}`;
      if (!buildIds.has(key)) {
        const fd = attempt(() => openSync3(`/proc/${pid}/map_files/${m.start.toString(16)}-${m.end.toString(16)}`, "r")) ?? attempt(() => openSync3(`/proc/${pid}/root${m.path}`, "r"));
        let id;
        if (fd !== undefined) {
          id = attempt(() => readElfHeaders((offset, length) => readAt(fd, offset, length))?.buildId);
          closeSync3(fd);
        }
        buildIds.set(key, id);
      }
      return buildIds.get(key);
    };
    return files.some((m) => idOf(m)?.startsWith(selector.buildId) === true);
  });
  return failing;
}

// src/target/spawn.ts
import { readFileSync as readFileSync2, readlinkSync as readlinkSync2 } from "node:fs";
function parseReadiness2(text) {
  if (text === "loaded")
    return { kind: "loaded" };
  if (text.startsWith("module:") && text.length > "module:".length)
    return { kind: "module", name: text.slice("module:".length) };
  const ms = /^ms:(\d{1,7})$/.exec(text);
  if (ms !== null)
    return { kind: "ms", ms: Number(ms[1]) };
  throw new UsageError("usage", `--ready ${text}: not a readiness`, { hint: "give loaded (the default), module:NAME (e.g. module:libssl.so.3) or ms:N (e.g. ms:500)" });
}
var POLL_MS = 5;
var SETTLE_MS = 50;
var TIMEOUT_MS = 1e4;
async function spawnTarget2(command, readiness, quietStdout) {
  const [file, ...args] = command;
  if (file === undefined)
    throw new UsageError("usage", "nothing to run after --", { hint: "pvm run RECIPE -- ./server --port 8080" });
  const { spawn } = await import("node:child_process");
  const child = spawn(file, args, { stdio: ["inherit", quietStdout ? process.stderr : "inherit", "inherit"] });
  const failed = new Promise((_, reject) => {
    child.once("error", (error) => {
      const why = error.code === "ENOENT" ? "no such program" : error.code === "EACCES" ? "permission denied (is it executable?)" : error.message;
      reject(new TargetError("spawn-failed", `cannot start ${file}: ${why}`, { hint: "check the command after --: it must be a program on PATH or a path to one" }));
    });
    child.once("exit", (code, signal) => reject(new TargetError("target-exited", `${file} exited (${signal ?? `status ${code}`}) before it was ready for the recipe`, { hint: "give --ready ms:N for a program that exits quickly, or check that it runs on its own" })));
  });
  failed.catch(() => {});
  const pid = await Promise.race([new Promise((resolve) => child.once("spawn", () => resolve(child.pid))), failed]);
  await Promise.race([whenReady(pid, readiness, () => child.exitCode !== null || child.signalCode !== null), failed]);
  return {
    pid,
    child,
    finish: async (afterwards) => {
      if (child.exitCode !== null || child.signalCode !== null)
        return;
      if (afterwards === "leave") {
        child.unref();
        return;
      }
      const exited = new Promise((resolve) => child.once("exit", () => resolve()));
      if (afterwards === "kill")
        child.kill("SIGKILL");
      await exited;
    }
  };
}
async function whenReady(pid, readiness, ended) {
  const started = Date.now();
  const ownExe = attempt(() => readlinkSync2("/proc/self/exe"));
  let files = "";
  let stableSince = Date.now();
  for (;; ) {
    if (ended())
      return;
    const elapsed = Date.now() - started;
    if (readiness.kind === "ms" && elapsed >= readiness.ms)
      return;
    const exe = attempt(() => readlinkSync2(`/proc/${pid}/exe`));
    if (exe !== undefined && exe !== ownExe && readiness.kind !== "ms") {
      const maps = attempt(() => parseMaps(readFileSync2(`/proc/${pid}/maps`, "latin1"))) ?? [];
      if (readiness.kind === "module" && maps.some((r) => namesModule(r.path, readiness.name)))
        return;
      if (readiness.kind === "loaded") {
        const now = [...new Set(maps.filter((r) => r.path.startsWith("/")).map((r) => r.path))].join(`
`);
        if (now !== files) {
          files = now;
          stableSince = Date.now();
        } else if (Date.now() - stableSince >= SETTLE_MS)
          return;
      }
    }
    if (elapsed > TIMEOUT_MS) {
      throw new TargetError("not-ready", `pid ${pid} was not ready after ${TIMEOUT_MS / 1000} s (${readiness.kind === "module" ? `no module ${readiness.name} was mapped` : "it kept mapping files"})`, {
        hint: "give --ready ms:N to run the recipe after a fixed delay"
      });
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

// src/excerpt.ts
function formatExcerpt({ line, col, text, width }) {
  const gutter = String(line);
  const indent = text.slice(0, col - 1).replace(/[^\t]/g, " ");
  return `${gutter} | ${text}
${" ".repeat(gutter.length)} | ${indent}^${"~".repeat(Math.max(0, width - 1))}`;
}

// src/dsl/source.ts
function lineIndex(source) {
  const starts = [0];
  for (let i = source.text.indexOf(`
`);i >= 0; i = source.text.indexOf(`
`, i + 1))
    starts.push(i + 1);
  const lineAt = (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = low + high + 1 >> 1;
      if (starts[middle] <= offset)
        low = middle;
      else
        high = middle - 1;
    }
    return low;
  };
  return {
    position(offset) {
      const line = lineAt(Math.min(offset, source.text.length));
      return { line: line + 1, col: offset - starts[line] + 1 };
    },
    lineOf(span) {
      const low = lineAt(Math.min(span.start, source.text.length));
      const lineStart = starts[low];
      let lineEnd = source.text.indexOf(`
`, lineStart);
      if (lineEnd < 0)
        lineEnd = source.text.length;
      const text = source.text.slice(lineStart, lineEnd).replace(/\r$/, "");
      return { line: low + 1, col: span.start - lineStart + 1, text, width: Math.max(1, Math.min(span.end, lineStart + text.length) - span.start) };
    }
  };
}

// src/dsl/diagnostic.ts
function renderDiagnostic(source, d, index = lineIndex(source)) {
  const { line, col } = index.position(d.span.start);
  const lines = [`${source.name}:${line}:${col}: error: ${d.message}`, formatExcerpt(index.lineOf(d.span))];
  if (d.hint !== undefined)
    lines.push(`hint: ${d.hint}`);
  return lines.join(`
`);
}

class InvalidRecipe extends RecipeError {
  diagnostics;
  source;
  constructor(source, diagnostics) {
    const index = lineIndex(source);
    super("invalid-recipe", diagnostics.map((d) => renderDiagnostic(source, d, index)).join(`

`));
    this.diagnostics = diagnostics;
    this.source = source;
  }
}

// src/sha256.ts
import { createRequire } from "node:module";
var bunHasher = globalThis.Bun?.CryptoHasher;
var createHash;
function sha256() {
  let hasher;
  if (bunHasher !== undefined)
    hasher = new bunHasher("sha256");
  else {
    createHash ??= createRequire(import.meta.url)("node:crypto").createHash;
    hasher = createHash("sha256");
  }
  const self = {
    update(data) {
      hasher.update(data);
      return self;
    },
    hex: () => hasher.digest("hex")
  };
  return self;
}
function sha256Hex(data) {
  return sha256().update(data).hex();
}

// src/bytes.ts
function toHex(bytes) {
  let text = "";
  for (const b of bytes)
    text += b < 16 ? `0${b.toString(16)}` : b.toString(16);
  return text;
}
function fromHex(hex) {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0;i < bytes.length; i++)
    bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
function hexLiteral(bytes) {
  const hex = typeof bytes === "string" ? bytes : toHex(bytes);
  return `hex"${hex.replace(/(..)(?!$)/g, "$1 ")}"`;
}
function bytesEqual(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
function bytesLiteral(bytes) {
  const printable = bytes.length > 0 && bytes.every((b) => b >= 32 && b < 127);
  return printable ? JSON.stringify(String.fromCharCode(...bytes)) : hexLiteral(bytes);
}

// src/runtime/show.ts
function humanValue(value) {
  switch (value.kind) {
    case "ptr":
      return hexAddress(value.value);
    case "int":
      return value.value.toString();
    case "float":
      return String(value.value);
    case "str":
      return value.value;
    case "bool":
      return String(value.value);
    case "region":
      return `${hexAddress(value.start)}-${hexAddress(value.end)}${value.path === "" ? "" : ` ${value.path}`}`;
    case "bytes":
      return toHex(value.value);
    case "list":
      return `[${value.items.map(humanValue).join(", ")}]`;
    case "pattern":
      return `hex"${value.text}"`;
  }
}

// src/cli/format.ts
var JSON_INTEGER_LIMIT = 1n << 53n;
function jsonValue2(value) {
  switch (value.kind) {
    case "ptr":
      return hexAddress(value.value);
    case "int":
      return value.value <= JSON_INTEGER_LIMIT && value.value >= -JSON_INTEGER_LIMIT ? Number(value.value) : value.value.toString();
    case "float":
      return Number.isFinite(value.value) ? value.value : String(value.value);
    case "str":
    case "bool":
      return value.value;
    case "region":
      return { start: hexAddress(value.start), end: hexAddress(value.end), size: jsonValue2({ kind: "int", value: regionSize(value) }), path: value.path };
    case "bytes":
      return toHex(value.value);
    case "list":
      return value.items.map(jsonValue2);
    case "pattern":
      return value.text;
  }
}
function formatEvent2(event, json) {
  switch (event.type) {
    case "print":
      return json ? JSON.stringify({ type: "print", values: event.values.map(jsonValue2), line: event.line }) : event.values.map(humanValue).join(" ");
    case "emit":
      return json ? JSON.stringify({ type: "emit", name: event.name, value: jsonValue2(event.value), line: event.line }) : `${event.name} = ${humanValue(event.value)}`;
    case "dump": {
      const sha256 = sha256Hex(event.bytes);
      if (json)
        return JSON.stringify({ type: "dump", address: hexAddress(event.address), size: event.bytes.length, bytes: toHex(event.bytes), sha256, line: event.line });
      return `${hexdump(event.address, event.bytes)}
sha256 ${sha256}`;
    }
    case "patch": {
      const { outcome } = event;
      if (json) {
        const sites = outcome.sites.map((s) => ({ address: hexAddress(s.address), before: toHex(s.before), after: toHex(s.after) }));
        return JSON.stringify({ type: "patch", name: event.name ?? null, status: outcome.status, sites, stoppedThreads: outcome.frozen?.threads ?? null, line: event.line });
      }
      const name = event.name === undefined ? `patch at line ${event.line}` : `patch "${event.name}"`;
      const sites = outcome.sites.map((s) => `  ${hexAddress(s.address)}: ${toHex(s.before)} -> ${toHex(s.after)}`);
      const frozen = outcome.frozen === undefined ? "" : `; ${count(outcome.frozen.threads, "thread")} stopped for the write`;
      return [`${name}: ${outcome.status} (${count(outcome.sites.length, "site")}${frozen})`, ...outcome.status === "already applied" ? [] : sites].join(`
`);
    }
    case "write": {
      if (json)
        return JSON.stringify({ type: "write", status: event.status, address: hexAddress(event.address), bytes: toHex(event.bytes), line: event.line });
      return `${event.status} ${count(event.bytes.length, "byte")} at ${hexAddress(event.address)}: ${hexLiteral(event.bytes)} (line ${event.line})`;
    }
    case "scan": {
      if (!json)
        return;
      const skipped = event.skipped.map((s) => ({ start: hexAddress(s.start), end: hexAddress(s.end), reason: s.reason }));
      return JSON.stringify({ type: "scan", hits: event.hits, bytes: event.bytesScanned, regions: event.regions, skipped, line: event.line });
    }
  }
}
function formatScanSummary2(event) {
  const lines = [`scan at line ${event.line}: ${formatBytes2(event.bytesScanned)} in ${count(event.regions, "region")}, ${count(event.hits, "hit")}`];
  const byReason = new Map;
  for (const s of event.skipped) {
    const reason = s.reason.replace(/^\[[^\]]*\]: /, "");
    byReason.set(reason, [...byReason.get(reason) ?? [], s]);
  }
  for (const [reason, ranges] of byReason) {
    const size = formatBytes2(ranges.reduce((sum, s) => sum + Number(s.end - s.start), 0));
    const only = ranges.length === 1 ? ranges[0] : undefined;
    lines.push(only !== undefined ? `  skipped ${hexAddress(only.start)}-${hexAddress(only.end)} (${size}): ${only.reason}` : `  skipped ${ranges.length} ranges (${size}): ${reason}`);
  }
  return lines.join(`
`);
}
function formatBytes2(bytes) {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}
function hexdump(address, bytes) {
  const lines = [];
  for (let at = 0;at < bytes.length; at += 16) {
    const row = bytes.subarray(at, at + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, "0")).join(" ");
    const text = Array.from(row, (b) => b >= 32 && b < 127 ? String.fromCharCode(b) : ".").join("");
    lines.push(`${hexAddress(address + BigInt(at))}  ${hex.padEnd(47)}  |${text}|`);
  }
  return lines.join(`
`);
}
function formatError2(error) {
  if (error instanceof InvalidRecipe) {
    const n = error.diagnostics.length;
    return `${error.message}
${count(n, "error")} in ${error.source.name}`;
  }
  const lines = [`${error.where ?? "pvm"}: error: ${error.message}`];
  if (error.excerpt !== undefined)
    lines.push(error.excerpt);
  if (error.hint !== undefined)
    lines.push(`hint: ${error.hint}`);
  return lines.join(`
`);
}
function formatErrorJson2(error) {
  if (error instanceof InvalidRecipe) {
    const index = lineIndex(error.source);
    return error.diagnostics.map((d) => {
      const { line, col } = index.position(d.span.start);
      const end = index.position(Math.max(d.span.end, d.span.start));
      return JSON.stringify({ type: "error", code: d.code, exit: error.exit, message: d.message, where: `${error.source.name}:${line}:${col}`, line, col, endLine: end.line, endCol: end.col, severity: "error", hint: d.hint ?? null });
    }).join(`
`);
  }
  const position = error.line === undefined ? {} : { line: error.line, col: error.col };
  return JSON.stringify({ type: "error", code: error.code, exit: error.exit, message: error.message, where: error.where ?? null, ...position, hint: error.hint ?? null });
}
function formatRevert2(outcome, json, pid) {
  const lines = outcome.sites.map(({ entry, status, found }) => {
    const site = {
      address: hexAddress(entry.address),
      status,
      expected: toHex(entry.new),
      found: found === undefined ? null : toHex(found),
      restores: toHex(entry.old),
      statement: entry.statement,
      patch: entry.patch ?? null,
      line: entry.line
    };
    if (json)
      return JSON.stringify({ type: "revert", ...pid === undefined ? {} : { pid }, ...site });
    const what = status === "changed since" ? `left alone: holds ${found === undefined ? "unreadable bytes" : hexLiteral(found)}, not ${hexLiteral(entry.new)} as pvm wrote` : `${hexLiteral(entry.new)} -> ${hexLiteral(entry.old)}`;
    const by = entry.patch !== undefined ? `patch "${entry.patch}"` : `${entry.statement} at line ${entry.line}`;
    return `${site.address}: ${status} (${by}): ${what}`;
  });
  if (outcome.others > 0) {
    const note = `${outcome.others} entr${outcome.others === 1 ? "y belongs" : "ies belong"} to other processes and ${outcome.others === 1 ? "was" : "were"} left alone`;
    lines.push(json ? JSON.stringify({ type: "revert-note", message: note }) : note);
  }
  return lines.join(`
`);
}

// src/cli/progress.ts
var SHOW_AFTER_MS = 500;
var REDRAW_MS = 100;
function progressLine(stream, now = Date.now, title) {
  let startedAt;
  let drawnAt = 0;
  let shown = false;
  return {
    update(p) {
      const time = now();
      startedAt ??= time;
      if (time - startedAt < SHOW_AFTER_MS || time - drawnAt < REDRAW_MS)
        return;
      drawnAt = time;
      shown = true;
      const percent = p.bytesTotal === 0 ? 100 : Math.floor(100 * p.bytesScanned / p.bytesTotal);
      const done = `${formatBytes2(p.bytesScanned)} of ${formatBytes2(p.bytesTotal)} (${percent}%)`;
      stream.write(`\r\x1B[K${title === undefined ? `scan at line ${p.line}: ${done}, ${count(p.hits, "hit")}` : `${title}: ${done}`}`);
    },
    end() {
      if (shown)
        stream.write("\r\x1B[K");
      shown = false;
      startedAt = undefined;
      drawnAt = 0;
    }
  };
}

// src/version.ts
var VERSION = "0.1.0";

export { LOOP_CAP, MAX_DUMP, MAX_NESTING, MAX_STRING_LENGTH, MAX_RECIPE_BYTES, DEFAULT_SCAN_HITS, DEFAULT_LIMITS, Exit, PvmError, UsageError, RecipeError, DeniedError, TargetError, AssertionFailed, assert, assertNever, describeTarget, attempt, isFileMapping, readFileAsMapped, isMappedFile, isMappedPath, readAt, fileKey, skipReason, residentOnly, isAnonymous, describeRule2, decideTarget2, RegionRules2, decideWriting2, decideCode2, decideFreeze2, tightest2, count, int, ptr, bool, numeric, regionSize, hexAddress, decode, readLength, rootsOf, blocksOf, childrenOf, readSites, checkPlanStatically2, formatStaticDecision2, refusePlan2, refuseTarget2, policyLimits2, policedSource2, readElfHeaders, permsAtOffset, PT_LOAD, PT_NOTE, buildIdInNotes, ElfFiles, closest, ModuleResolver, undoFalseDeletions, parseMaps, parseReadiness2, spawnTarget2, CAP_SYS_PTRACE, hasCapability, parseStatus, sleepSync, pidOf, openSession, debugDirectories, writeStdout, parseSelector, selectProcesses, nearestProcesses, formatExcerpt, lineIndex, InvalidRecipe, sha256, sha256Hex, toHex, fromHex, hexLiteral, bytesEqual, bytesLiteral, humanValue, jsonValue2, formatEvent2, formatScanSummary2, formatBytes2, formatError2, formatErrorJson2, formatRevert2, progressLine, VERSION };
