import {
  MAX_DUMP,
  DEFAULT_LIMITS,
  RecipeError,
  DeniedError,
  TargetError,
  AssertionFailed,
  assert,
  assertNever,
  describeTarget,
  attempt,
  skipReason,
  residentOnly,
  isAnonymous,
  count,
  int,
  ptr,
  bool,
  numeric,
  hexAddress,
  decode,
  readLength,
  readSites,
  ModuleResolver,
  hexLiteral,
  bytesEqual,
  humanValue
} from "./main-96f73920.js";
import {
  MAX_PATTERN_SPAN,
  patternLength,
  resultKind
} from "./main-5ghqgfn3.js";
import {
  encode,
  locate,
  placeError,
  evaluate,
  compileExpr,
  compare,
  arithmetic
} from "./main-bfat7e64.js";
import {
  writable,
  firstUnwritable,
  writeSites
} from "./main-macb8xf4.js";
import {
  readAheadSteps
} from "./main-w0nhtcw6.js";
import {
  explainFault
} from "./main-7cnv84d3.js";
import {
  bufferSearch
} from "./main-1wmjvf9n.js";
import {
  splitByRanges
} from "./main-ftnr638j.js";

// src/runtime/budget.ts
function ruleOf(limits, budget) {
  const rule = limits.rules?.[budget];
  return rule === undefined ? "" : ` — ${rule}`;
}

class Budget {
  limits;
  #steps = 0;
  #readBytes = 0;
  #scanBytes = 0;
  #locate;
  constructor(limits = DEFAULT_LIMITS, locate) {
    this.limits = limits;
    this.#locate = locate;
  }
  step(loc) {
    if (++this.#steps > this.limits.steps) {
      throw new DeniedError("step-budget", `the recipe ran more than ${this.limits.steps} statements${ruleOf(this.limits, "steps")}`, { ...this.#locate(loc), hint: "bound its loops more tightly (`limit N`)" });
    }
  }
  read(bytes, loc) {
    this.#readBytes += bytes;
    if (this.#readBytes > this.limits.readBytes) {
      throw new DeniedError("read-budget", `the recipe read more than ${this.limits.readBytes} bytes`, { ...this.#locate(loc), hint: "read less, or read only what the result needs" });
    }
  }
  scanned(bytes, at) {
    this.#scanBytes += bytes;
    if (this.#scanBytes > this.limits.scanBytes) {
      throw new DeniedError("scan-budget", `the recipe's scans searched more than ${this.limits.scanBytes} bytes${ruleOf(this.limits, "scanBytes")}`, {
        ...at(),
        hint: 'scan a narrower range: module("name"), region("[heap]"), anon, or perms'
      });
    }
  }
  iterations(count, limit, at) {
    if (limit !== undefined)
      return count < limit ? count : limit;
    if (count > this.limits.loopIterations) {
      throw new RecipeError("unbounded-loop", `this loop would run ${count} times, more than the default cap of ${this.limits.loopIterations}`, {
        ...at(),
        hint: "add `limit N` to run at most N iterations"
      });
    }
    return count;
  }
}

// src/runtime/coalesce.ts
function readCoalesced(target, requests) {
  const spans = merge(requests);
  const results = new Array(requests.length);
  const retry = [];
  const read = target.read(spans.map((s) => ({ address: s.start, length: Number(s.end - s.start) })));
  spans.forEach((span, i) => {
    const got = read[i];
    const readEnd = span.start + BigInt(got.done);
    for (const index of span.members) {
      const request = requests[index];
      const offset = Number(request.address - span.start);
      const end = request.address + BigInt(request.length);
      if (got.fault === undefined || end <= readEnd) {
        results[index] = { bytes: got.bytes.subarray(offset, offset + request.length), done: request.length, fault: undefined };
      } else if (request.address < readEnd) {
        results[index] = { bytes: got.bytes.subarray(offset, offset + request.length), done: Number(readEnd - request.address), fault: got.fault };
      } else {
        retry.push(index);
      }
    }
  });
  if (retry.length > 0) {
    const again = target.read(retry.map((i) => requests[i]));
    retry.forEach((index, i) => {
      results[index] = again[i];
    });
  }
  return results;
}
function merge(requests) {
  let sorted = true;
  for (let i = 1;i < requests.length && sorted; i++)
    if (requests[i].address < requests[i - 1].address)
      sorted = false;
  const order = sorted ? undefined : packedOrder(requests) ?? comparedOrder(requests);
  const spans = [];
  for (let i = 0;i < requests.length; i++) {
    const index = order === undefined ? i : order[i];
    const { address, length } = requests[index];
    const end = address + BigInt(length);
    const last = spans[spans.length - 1];
    if (last !== undefined && address <= last.end) {
      if (end > last.end)
        last.end = end;
      last.members.push(index);
    } else {
      spans.push({ start: address, end, members: [index] });
    }
  }
  return spans;
}
var INDEX_BITS = 17n;
var ADDRESS_LIMIT = 1n << 64n - INDEX_BITS;
function packedOrder(requests) {
  if (requests.length > 1 << Number(INDEX_BITS))
    return;
  const keys = new BigUint64Array(requests.length);
  for (let i = 0;i < requests.length; i++) {
    const address = requests[i].address;
    if (address >= ADDRESS_LIMIT)
      return;
    keys[i] = address << INDEX_BITS | BigInt(i);
  }
  keys.sort();
  const order = new Uint32Array(requests.length);
  const mask = (1n << INDEX_BITS) - 1n;
  for (let i = 0;i < keys.length; i++)
    order[i] = Number(keys[i] & mask);
  return order;
}
function comparedOrder(requests) {
  const keys = new Float64Array(requests.length);
  for (let i = 0;i < requests.length; i++)
    keys[i] = Number(requests[i].address);
  return requests.map((_, i) => i).sort((a, b) => {
    if (keys[a] !== keys[b])
      return keys[a] - keys[b];
    const x = requests[a].address;
    const y = requests[b].address;
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

// src/runtime/prefetch.ts
class NotKnown extends Error {
}
var NOT_KNOWN = new NotKnown;
function prefetched(site, index, address, length) {
  if (site === undefined || site.addresses[index] !== address || site.lengths[index] !== length)
    return;
  return site.results[index];
}
function prefetchWindow(window) {
  const cache = new Map;
  const lets = window.body.filter((s) => s.op === "let" && window.prefetch.lets.includes(s.name)).map((s) => ({ name: s.name, value: compileExpr(s.value) }));
  const levels = [...new Set(window.prefetch.sites.map((s) => s.level))];
  let index = 0;
  const context = window.context((type, address, _loc, site) => {
    const result = prefetched(cache.get(site), index, address, readLength(type));
    if (result === undefined)
      throw NOT_KNOWN;
    try {
      return window.decode(type, result);
    } catch {
      throw NOT_KNOWN;
    }
  });
  for (const level of levels) {
    const sites = window.prefetch.sites.filter((s) => s.level === level).map((s) => window.sites.get(s.site));
    const addressesOf = sites.map((site) => compileExpr(site.address));
    const lengths = sites.map((site) => readLength(site.type));
    const entries = sites.map((site) => {
      const entry = { addresses: new Array(window.count), lengths: new Array(window.count), results: new Array(window.count) };
      cache.set(site.site, entry);
      return entry;
    });
    const requests = [];
    const owners = [];
    for (index = 0;index < window.count; index++) {
      const env = window.iterationScope(index);
      for (const let_ of lets) {
        try {
          env.declare(let_.name, let_.value(env, context));
        } catch {}
      }
      for (let s = 0;s < sites.length; s++) {
        let address;
        try {
          address = numeric(addressesOf[s](env, context))?.value;
        } catch {
          continue;
        }
        if (address === undefined || address < 0n || address >= 1n << 64n)
          continue;
        const length = lengths[s];
        requests.push({ address, length });
        owners.push(s * window.count + index);
        entries[s].addresses[index] = address;
        entries[s].lengths[index] = length;
      }
    }
    const results = readCoalesced(window.target, requests);
    for (let i = 0;i < owners.length; i++) {
      const owner = owners[i];
      entries[Math.floor(owner / window.count)].results[owner % window.count] = results[i];
    }
  }
  return cache;
}

// src/runtime/scope.ts
class Scope {
  #names = [];
  #values = [];
  #declared;
  #parent;
  constructor(parent, initial) {
    this.#parent = parent;
    if (initial !== undefined) {
      for (const [name, value] of initial) {
        this.#names.push(name);
        this.#values.push(value);
      }
    }
  }
  get(name) {
    const i = this.#names.lastIndexOf(name);
    return i >= 0 ? this.#values[i] : this.#parent?.get(name);
  }
  declare(name, value) {
    const i = this.#names.lastIndexOf(name);
    if (i >= 0)
      this.#values[i] = value;
    else {
      this.#names.push(name);
      this.#values.push(value);
    }
    if (this.#parent === undefined)
      (this.#declared ??= new Set).add(name);
  }
  assign(name, value) {
    const i = this.#names.lastIndexOf(name);
    if (i >= 0)
      this.#values[i] = value;
    else if (this.#parent !== undefined)
      this.#parent.assign(name, value);
    else
      assert(false, `assignment to undeclared ${name}`);
  }
  own() {
    return new Map(this.#names.map((name, i) => [name, this.#values[i]]));
  }
  declared() {
    return new Set(this.#declared);
  }
  clear() {
    while (this.#names.length > 0) {
      this.#names.pop();
      this.#values.pop();
    }
  }
  child() {
    return new Scope(this);
  }
}

// src/runtime/anchor-search.ts
var MIN_AVERAGE_SKIP = 256;
var TRIAL_CANDIDATES = 16;
var TOO_COMMON = 255;

class AnchorSearch {
  #anchor;
  #search;
  #word;
  #rare;
  #prefiltering = true;
  #candidates = 0;
  #skipped = 0;
  constructor(anchor, anchorOffset, align, search) {
    this.#anchor = anchor;
    this.#search = search;
    this.#word = align % 4 === 0 ? alignedWord(anchor, anchorOffset) : undefined;
    const rare = rarestByte(anchor);
    this.#rare = anchor.length > 1 && rare !== undefined && byteRank(anchor[rare]) < TOO_COMMON ? { byte: anchor[rare], index: rare } : undefined;
  }
  reset() {
    this.#prefiltering = true;
    this.#candidates = 0;
    this.#skipped = 0;
  }
  next(bytes, from, phase) {
    const anchor = this.#anchor;
    const word = this.#word;
    if (word !== undefined) {
      let p = from + word.offset;
      p += (4 - (phase + p) % 4) % 4;
      for (;; ) {
        const found = this.#search.findWord32(bytes, word.value, p);
        if (found < 0)
          return -1;
        const at = found - word.offset;
        if (at + anchor.length <= bytes.length && equalAt(anchor, bytes, at))
          return at;
        p = found + 4;
      }
    }
    if (anchor.length === 1)
      return this.#search.findByte(bytes, anchor[0], from);
    const rare = this.#rare;
    while (rare !== undefined && this.#prefiltering) {
      const found = this.#search.findByte(bytes, rare.byte, from + rare.index);
      if (found < 0)
        return -1;
      this.#candidates++;
      this.#skipped += found - (from + rare.index);
      if (this.#candidates >= TRIAL_CANDIDATES && this.#skipped < this.#candidates * MIN_AVERAGE_SKIP)
        this.#prefiltering = false;
      const at = found - rare.index;
      if (at + anchor.length <= bytes.length && equalAt(anchor, bytes, at))
        return at;
      from = at + 1;
    }
    return this.#search.find(bytes, anchor, from);
  }
}
function equalAt(needle, bytes, at) {
  for (let i = 0;i < needle.length; i++)
    if (bytes[at + i] !== needle[i])
      return false;
  return true;
}
function alignedWord(anchor, anchorOffset) {
  let best;
  for (let offset = (4 - anchorOffset % 4) % 4;offset + 4 <= anchor.length; offset += 4) {
    const rank = Math.min(byteRank(anchor[offset]), byteRank(anchor[offset + 1]), byteRank(anchor[offset + 2]), byteRank(anchor[offset + 3]));
    const value = (anchor[offset] | anchor[offset + 1] << 8 | anchor[offset + 2] << 16 | anchor[offset + 3] << 24) >>> 0;
    if (best === undefined || rank < best.rank)
      best = { value, offset, rank };
  }
  return best === undefined ? undefined : { value: best.value, offset: best.offset };
}
function rarestByte(needle) {
  let best;
  for (let i = 0;i < needle.length; i++)
    if (best === undefined || byteRank(needle[i]) < byteRank(needle[best]))
      best = i;
  return best;
}
function byteRank(byte) {
  return RANKS[byte];
}
var RANKS = (() => {
  const ranks = new Uint8Array(256).fill(100);
  for (let b = 128;b < 255; b++)
    ranks[b] = 90;
  for (let b = 16;b < 32; b++)
    ranks[b] = 150;
  for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZ!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
    ranks[c.charCodeAt(0)] = 120;
  for (const c of "bcdfghjklmpquvwxyz0123456789")
    ranks[c.charCodeAt(0)] = 150;
  for (const c of "etaoinsr")
    ranks[c.charCodeAt(0)] = 180;
  for (const b of [72, 137, 139, 232, 36, 131, 68, 76, 195, 65])
    ranks[b] = 200;
  for (let b = 1;b < 16; b++)
    ranks[b] = 230 - b;
  for (const b of [204, 144, 32])
    ranks[b] = 235;
  for (const b of [127, 85, 86])
    ranks[b] = 240;
  ranks[255] = 250;
  ranks[0] = 255;
  return ranks;
})();

// src/runtime/match.ts
class Matcher {
  minLength;
  maxLength;
  #first;
  #anchor;
  #anchorOffset;
  #anchorSearch;
  #startBytes;
  constructor(pattern, search = bufferSearch, align = 1) {
    const { min, max } = patternLength(pattern.tokens);
    this.minLength = min;
    this.maxLength = max;
    this.#first = link(pattern.tokens, null);
    const anchor = bestFixedRun(pattern.tokens);
    this.#anchor = anchor === undefined ? undefined : Uint8Array.from(anchor.bytes);
    this.#anchorOffset = anchor?.offset ?? 0;
    this.#anchorSearch = this.#anchor === undefined ? undefined : new AnchorSearch(this.#anchor, this.#anchorOffset, align, search);
    this.#startBytes = startBytes(this.#first);
  }
  get anchor() {
    return this.#anchor === undefined ? undefined : { bytes: this.#anchor, offset: this.#anchorOffset };
  }
  find(bytes, from, to, onMatch, phase = 0) {
    const end = bytes.length;
    const lastStart = Math.min(to, end - this.minLength + 1);
    if (this.#anchor === undefined) {
      const starts = this.#startBytes;
      for (let start = from;start < lastStart; start++) {
        if (starts[bytes[start]] === 1 && matchAt(this.#first, bytes, start, end) && !onMatch(start))
          return;
      }
      return;
    }
    const search = this.#anchorSearch;
    search.reset();
    const offset = this.#anchorOffset;
    let at = from + offset;
    while (at - offset < lastStart) {
      const found = search.next(bytes, at, phase);
      if (found < 0)
        return;
      const start = found - offset;
      if (start >= lastStart)
        return;
      if (matchAt(this.#first, bytes, start, end) && !onMatch(start))
        return;
      at = found + 1;
    }
  }
}
function startBytes(node) {
  const set = new Uint8Array(256);
  const add = (n) => {
    if (n === null) {
      set.fill(1);
    } else if (n.t === "byte") {
      for (let b = 0;b < 256; b++)
        if ((b & n.mask) === n.value !== n.not)
          set[b] = 1;
    } else if (n.t === "jump") {
      if (n.max > 0)
        set.fill(1);
      else
        add(n.next);
    } else
      n.options.forEach(add);
  };
  add(node);
  return set;
}
function matchAt(node, bytes, pos, end) {
  while (node !== null) {
    if (node.t === "byte") {
      if (pos >= end)
        return false;
      if ((bytes[pos] & node.mask) === node.value === node.not)
        return false;
      pos++;
      node = node.next;
    } else if (node.t === "jump") {
      for (let n = node.min;n <= node.max && pos + n <= end; n++) {
        if (matchAt(node.next, bytes, pos + n, end))
          return true;
      }
      return false;
    } else {
      for (const option of node.options)
        if (matchAt(option, bytes, pos, end))
          return true;
      return false;
    }
  }
  return true;
}
function link(tokens, next) {
  let node = next;
  for (let i = tokens.length - 1;i >= 0; i--) {
    const token = tokens[i];
    if (token.t === "byte")
      node = { ...token, value: token.value & token.mask, next: node };
    else if (token.t === "jump")
      node = { ...token, next: node };
    else {
      const rest = node;
      node = { t: "alt", options: token.options.map((option) => link(option, rest)) };
    }
  }
  return node;
}
function bestFixedRun(tokens) {
  let best;
  let run = [];
  let runStart = 0;
  let offset = 0;
  const close = () => {
    const quality = anchorQuality(run);
    if (run.length > 0 && (best === undefined || quality > best.quality || quality === best.quality && run.length > best.bytes.length))
      best = { bytes: run, offset: runStart, quality };
    run = [];
  };
  for (const token of tokens) {
    if (token.t === "byte" && token.mask === 255 && !token.not) {
      if (run.length === 0)
        runStart = offset;
      run.push(token.value);
      offset++;
      continue;
    }
    close();
    const { min, max } = patternLength([token]);
    if (min !== max)
      break;
    offset += min;
  }
  close();
  return best;
}
var COMMON_BYTES = new Set([0, 255, 204, 144, 32]);
function anchorQuality(run) {
  const seen = new Set;
  let quality = 0;
  for (const byte of run) {
    quality += COMMON_BYTES.has(byte) ? 1 : seen.has(byte) ? 2 : 4;
    seen.add(byte);
  }
  return quality;
}

// src/runtime/patch.ts
function applyPatch(sites, { target, space, locate, at, freeze, dryRun, beforeWrite }) {
  checkShape(sites, locate);
  const verified = readSites2(target, sites, space, locate);
  const before = verified.map((bytes, i) => bytes.slice(0, sites[i].replacement.length));
  const report = sites.map((s, i) => ({ address: s.address, before: before[i], after: s.replacement }));
  const applied = (site, i) => bytesEqual(before[i], site.replacement) && anchorMatches(site.expect, verified[i], site.replacement.length);
  if (sites.every(applied))
    return { status: "already applied", frozen: undefined, sites: report };
  const mismatches = sites.flatMap((site, i) => matches(site.expect, verified[i]) ? [] : [{ site, found: verified[i] }]);
  if (mismatches.length > 0) {
    const lines = mismatches.map(({ site, found }) => `  at ${hexAddress(site.address)} (line ${site.loc.line}): expected ${describe(site.expect)}, found ${hexLiteral(found)}`);
    throw new AssertionFailed("patch-mismatch", `patch not applied: ${mismatches.length} of ${count(sites.length, "site")} did not hold the expected bytes; nothing was written
${lines.join(`
`)}`, {
      ...at,
      hint: "the target is not the build or state this patch was written for; check its version, or update the expected bytes"
    });
  }
  if (dryRun)
    return { status: "would apply", frozen: undefined, sites: report };
  const frozen = writeSites(sites.map((s, i) => ({ address: s.address, before: before[i], after: s.replacement, at: locate(s.loc) })), { target, space, freeze, beforeWrite: beforeWrite && (() => beforeWrite(report)) });
  return { status: "applied", frozen, sites: report };
}
function checkShape(sites, locate) {
  for (const site of sites) {
    if (expectedLength(site) < site.replacement.length) {
      throw new RecipeError("patch-length", `the site at ${hexAddress(site.address)} expects ${expectedLength(site)} bytes but writes ${site.replacement.length}`, {
        ...locate(site.loc),
        hint: "expect at least the bytes the patch replaces (pad with ??), so a revert restores all of them; a longer expect anchors the patch"
      });
    }
  }
  const sorted = [...sites].sort((a, b) => a.address < b.address ? -1 : 1);
  for (let i = 1;i < sorted.length; i++) {
    const previous = sorted[i - 1];
    if (previous.address + BigInt(Math.max(expectedLength(previous), previous.replacement.length)) > sorted[i].address) {
      throw new RecipeError("patch-overlap", `patch sites at ${hexAddress(previous.address)} and ${hexAddress(sorted[i].address)} overlap`, {
        ...locate(sorted[i].loc),
        hint: "merge them into one site"
      });
    }
  }
}
function expectedLength(site) {
  return site.expect.kind === "bytes" ? site.expect.bytes.length : new Matcher(site.expect.pattern).maxLength;
}
function readSites2(target, sites, space, locate) {
  const results = target.read(sites.map((s) => ({ address: s.address, length: expectedLength(s) })));
  return results.map((result, i) => {
    if (result.fault !== undefined) {
      const site = sites[i];
      throw new TargetError("unmapped", `patch not applied: cannot read the site at ${hexAddress(site.address)}: ${result.fault.reason === undefined ? explainFault(result.fault.address, target.regions(), space, "r") : `${hexAddress(result.fault.address)} in ${space}: ${result.fault.reason}`}; nothing was written`, {
        ...locate(site.loc),
        hint: "check the address of this site"
      });
    }
    return result.bytes.slice(0, expectedLength(sites[i]));
  });
}
function anchorMatches(expect, verified, replaced) {
  if (expect.kind === "bytes")
    return bytesEqual(expect.bytes.subarray(replaced), verified.subarray(replaced));
  const head = expect.pattern.tokens.slice(0, replaced);
  const tail = expect.pattern.tokens.slice(replaced);
  if (head.length < replaced || head.some((token) => token.t !== "byte") || tail.length === 0)
    return true;
  return matches({ kind: "pattern", pattern: { tokens: tail }, text: "" }, verified.subarray(replaced));
}
function matches(expect, found) {
  if (expect.kind === "bytes")
    return bytesEqual(expect.bytes, found);
  let hit = false;
  new Matcher(expect.pattern).find(found, 0, 1, () => (hit = true, false));
  return hit;
}
function describe(expect) {
  return expect.kind === "bytes" ? hexLiteral(expect.bytes) : `hex"${expect.text}"`;
}

// src/runtime/scan.ts
var CHUNK_BYTES = 1 << 20;
var CHUNKS_PER_CALL = 1024;
var BYTES_PER_CALL = CHUNK_BYTES + MAX_PATTERN_SPAN;
function permsMatch(filter, perms) {
  for (let i = 0;i < filter.length; i++) {
    const want = filter[i];
    if (want === "?")
      continue;
    const has = perms[i];
    if (want === "-" ? has !== "-" : has !== want)
      return false;
  }
  return true;
}
function scanTarget(target, request, onProgress) {
  const access = target.openScan();
  try {
    return scanWith(access, request, onProgress);
  } finally {
    access.close();
  }
}
function scanWith(access, request, onProgress) {
  const matcher = new Matcher(request.pattern, access.search, request.align);
  const { streams, skipped, regions: searched } = planStreams(access, request);
  const overlap = matcher.maxLength - 1;
  const hits = [];
  const align = BigInt(request.align);
  const bytesTotal = streams.reduce((sum, s) => sum + Number(s.end - s.start), 0);
  let bytesScanned = 0;
  const chunks = function* () {
    for (const stream of streams) {
      for (let at = stream.start;at < stream.end; at += BigInt(CHUNK_BYTES)) {
        const searchEnd = at + BigInt(CHUNK_BYTES) < stream.end ? at + BigInt(CHUNK_BYTES) : stream.end;
        const readEnd = searchEnd + BigInt(overlap) < stream.end ? searchEnd + BigInt(overlap) : stream.end;
        const boundaries = stream.boundaries.filter((b) => b > at && b < searchEnd);
        yield { start: at, length: Number(readEnd - at), search: Number(searchEnd - at), boundaries };
      }
    }
  };
  const search = (chunk, result, offset) => {
    let full = false;
    const done = result.done;
    bytesScanned += Math.max(0, Math.min(done, chunk.search - offset));
    const first = chunk.start + BigInt(offset);
    matcher.find(result.bytes.subarray(0, done), 0, Math.min(chunk.search - offset, done), (at) => {
      const address = first + BigInt(at);
      if (align === 1n || address % align === 0n)
        hits.push(address);
      full = hits.length >= request.limit;
      return !full;
    }, Number(first % 4n));
    return !full;
  };
  const rescue = (chunk, fault) => {
    const searchEnd = chunk.start + BigInt(chunk.search);
    while (fault < searchEnd) {
      const next = chunk.boundaries.find((b) => b > fault);
      skipped.push({ start: fault, end: next ?? searchEnd, reason: "unreadable now (unmapped or changed during the scan)" });
      if (next === undefined)
        return true;
      const offset = Number(next - chunk.start);
      const [result] = access.readChunks([{ address: next, length: chunk.length - offset }]);
      if (!search(chunk, result, offset))
        return false;
      if (result.fault === undefined)
        return true;
      fault = result.fault.address;
    }
    return true;
  };
  let batch = [];
  let batchBytes = 0;
  const flush = () => {
    const results = access.readChunks(batch.map((c) => ({ address: c.start, length: c.length })));
    const faulted = [];
    let going = true;
    for (let i = 0;i < batch.length && going; i++) {
      const result = results[i];
      going = search(batch[i], result, 0);
      if (result.fault !== undefined)
        faulted.push([batch[i], result.fault.address]);
    }
    for (const [chunk, fault] of faulted)
      if (going)
        going = rescue(chunk, fault);
    batch = [];
    batchBytes = 0;
    onProgress?.({ bytesScanned, bytesTotal, hits: hits.length });
    return going;
  };
  if (request.limit > 0) {
    let going = true;
    for (const chunk of chunks()) {
      if (batch.length === CHUNKS_PER_CALL || batch.length > 0 && batchBytes + chunk.length > BYTES_PER_CALL) {
        going = flush();
        if (!going)
          break;
      }
      batch.push(chunk);
      batchBytes += chunk.length;
    }
    if (going && batch.length > 0)
      flush();
  }
  return { hits, skipped: mergeSkipped(skipped), bytesScanned, regions: searched };
}
function planStreams(access, request) {
  const streams = [];
  const skipped = [];
  const area = request.area;
  let searched = 0;
  const add = (start, end) => {
    const last = streams[streams.length - 1];
    if (last !== undefined && last.end === start) {
      last.end = end;
      last.boundaries.push(start);
    } else
      streams.push({ start, end, boundaries: [] });
  };
  for (const region of access.regions) {
    let start = region.start;
    let end = region.end;
    if (area.kind === "region") {
      const part = (area.parts ?? [area]).find((p) => region.start < p.end && p.start < region.end);
      if (part === undefined)
        continue;
      if (start < part.start)
        start = part.start;
      if (end > part.end)
        end = part.end;
    }
    if (area.kind === "anon" && !isAnonymous(region))
      continue;
    if (request.perms !== undefined && !permsMatch(request.perms, region.perms))
      continue;
    const name = region.path === "" ? "" : `${region.path}: `;
    const reason = skipReason(region, access.vmFlags.get(region.start)) ?? access.skip?.(region);
    if (reason !== undefined) {
      skipped.push({ start, end, reason: `${name}${reason}` });
      continue;
    }
    searched++;
    if (!residentOnly(region)) {
      add(start, end);
      continue;
    }
    splitByRanges(access.residentRuns(start, end), start, end, add, (a, b) => skipped.push({ start: a, end: b, reason: `${name}${NO_DATA}` }));
  }
  return { streams, skipped, regions: searched };
}
var NO_DATA = "pages that hold no data (never touched): not read, so the target does not grow";
function mergeSkipped(skipped) {
  const sorted = [...skipped].sort((a, b) => a.start < b.start ? -1 : a.start > b.start ? 1 : 0);
  const merged = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last.end === range.start && last.reason === range.reason)
      merged[merged.length - 1] = { ...last, end: range.end };
    else
      merged.push(range);
  }
  return merged;
}

// src/runtime/write-buffer.ts
var MAX_PENDING = 1024;
var PAGE = 4096n;

class WriteBuffer {
  #target;
  #space;
  #locate;
  #journal;
  #landed;
  #pending = [];
  written = 0;
  constructor(target, space, locate, journal, landed) {
    this.#target = target;
    this.#space = space;
    this.#locate = locate;
    this.#journal = journal;
    this.#landed = landed;
  }
  get pending() {
    return this.#pending.length;
  }
  add(address, bytes, loc) {
    if (bytes.length === 0)
      return;
    if (this.#pending.length >= MAX_PENDING)
      this.flush();
    this.#pending.push({ address, bytes, loc });
  }
  flush() {
    const pending = this.#pending;
    if (pending.length === 0)
      return;
    this.#pending = [];
    let regions;
    let stop = pending.length;
    if (pending.length > 1 || crossesPage(pending[0])) {
      regions = this.#target.regions();
      const bad = pending.findIndex((w) => !writable(regions, w.address, w.bytes.length));
      if (bad >= 0)
        stop = bad;
    }
    if (this.#journal !== undefined && stop > 0)
      this.#journalBatch(pending.slice(0, stop));
    const results = stop > 0 ? this.#target.write(pending.slice(0, stop)) : [];
    const faulted = results.findIndex((r) => r.fault !== undefined);
    if (faulted >= 0) {
      const result = results[faulted];
      this.#landed?.(faulted);
      throw this.#error(pending[faulted], result.fault.address, result.done, regions, result.fault.reason);
    }
    for (const w of pending.slice(0, stop))
      this.written += w.bytes.length;
    this.#landed?.(stop);
    if (stop < pending.length) {
      const w = pending[stop];
      throw this.#error(w, firstUnwritable(regions, w.address, w.bytes.length), 0, regions);
    }
  }
  #journalBatch(batch) {
    const before = this.#target.read(batch.map((w) => ({ address: w.address, length: w.bytes.length })));
    this.#journal(batch.flatMap((w, i) => before[i].fault === undefined ? [{ address: w.address, before: before[i].bytes.slice(0, w.bytes.length), after: w.bytes, loc: w.loc }] : []));
  }
  #error(write, at, done, regions, reason) {
    const why = reason === undefined ? explainFault(at, regions ?? this.#target.regions(), this.#space, "w") : `${hexAddress(at)} in ${this.#space}: ${reason}`;
    const partly = done > 0 ? ` (${done} of its ${write.bytes.length} bytes were written)` : "";
    return new TargetError("unwritable", `cannot write ${count(write.bytes.length, "byte")} at ${hexAddress(write.address)}${partly}: ${why}`, {
      ...this.#locate(write.loc),
      hint: "write only to writable data; code and read-only pages are changed with `patch`, which verifies them first"
    });
  }
}
function crossesPage(w) {
  return w.address / PAGE !== (w.address + BigInt(w.bytes.length) - 1n) / PAGE;
}

// src/runtime/exact-int.ts
var MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
function exactInt(value) {
  return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value;
}
function toBigInt(value) {
  return typeof value === "bigint" ? value : BigInt(value);
}
var INT32_MIN = -(2 ** 31);
var INT32_LIMIT = 2 ** 31;

// src/runtime/loop-kernel.ts
class Ineligible extends Error {
}
function compileLoop(step, variableKind, env, run) {
  try {
    return new Generator(step, variableKind, env, run).kernel();
  } catch (error) {
    if (error instanceof Ineligible)
      return;
    throw error;
  }
}
var NOT_KNOWN2 = Symbol("not known ahead");
var UNKNOWN = Symbol("unknown");

class Generator {
  #step;
  #env;
  #run;
  #blocks = [];
  #top = new Map;
  #outer = new Map;
  #constants = [];
  #names = 0;
  #prefetching = false;
  constructor(step, variableKind, env, run) {
    this.#step = step;
    this.#env = env;
    this.#run = run;
    this.#blocks.push(new Map([[step.variable, { js: "item", kind: variableKind }]]));
  }
  kernel() {
    const body = this.#block(this.#step.body, this.#top);
    const prefetch = this.#prefetchCode(this.#step.prefetch);
    const outer = [...this.#outer].map(([name, binding]) => ({ name, ...binding }));
    const load = outer.map((o) => `let ${o.js} = outer[${o.index}];`).join(`
`);
    const store = outer.filter((o) => o.assigned).map((o) => `outer[${o.index}] = ${o.js};`).join(`
`);
    const constants = this.#constants.map((_, i) => `const K${i} = K[${i}];`).join(`
`);
    const runSource = `"use strict";
${HELPERS}
${constants}
return function runWindow(items, size, outer) {
${load}
try {
  for (let index = 0; index < size; index++) {
    const item = items[index];
${body}
  }
  return false;
} finally {
${store}
}
};`;
    const { budget, context, read: liveRead } = this.#run;
    let ahead = [];
    const live = (site, type, address, loc) => exactInt(numeric(liveRead(type, toBigInt(address), loc, site)).value);
    const helpers = {
      step: (loc) => budget.step(loc),
      slow: (operator, a, b, loc) => exactInt(arithmetic(operator, toBigInt(a), toBigInt(b), loc, context)),
      exact: exactInt,
      big: toBigInt,
      read: (site, type, address, loc, index) => {
        const window = ahead[site];
        if (window !== undefined && window.addresses[index] === address) {
          budget.read(type.size, loc);
          const value = window.values[index];
          return value === value ? value : window.big.get(index);
        }
        return live(site, type, address, loc);
      }
    };
    const runWindow = new Function("K", "H", runSource)(this.#constants, helpers);
    return {
      outer: new Map(outer.map(({ name, kind }) => [name, kind])),
      run: (count, item, env, window) => {
        const values = outer.map(({ name, kind }) => raw(env.get(name), kind));
        try {
          for (let first = 0;first < count; first += window) {
            const size = Math.min(window, count - first);
            let items = new Float64Array(size);
            for (let i = 0;i < size; i++) {
              const v = item(first + i);
              if (typeof v !== "number" && items instanceof Float64Array)
                items = Array.from(items);
              items[i] = v;
            }
            ahead = size > 1 && prefetch !== undefined ? prefetch(items, size, values) : [];
            if (runWindow(items, size, values))
              return;
          }
        } finally {
          ahead = [];
          for (const { name, kind, index, assigned } of outer)
            if (assigned)
              env.assign(name, value(values[index], kind));
        }
      }
    };
  }
  #block(steps, scope = new Map) {
    this.#blocks.push(scope);
    const code = steps.filter((s) => s.op !== "read-ahead").map((s) => `H.step(${this.#constant(s.loc)});
${this.#statement(s)}`).join(`
`);
    this.#blocks.pop();
    return code;
  }
  #statement(step) {
    switch (step.op) {
      case "let": {
        const value = this.#expression(step.value);
        const js = `v${this.#names++}`;
        this.#blocks.at(-1).set(step.name, { js, kind: value.kind });
        return `let ${js} = ${value.code};`;
      }
      case "assign": {
        const binding = this.#lookup(step.name, true);
        const value = this.#expression(step.value);
        if (value.kind !== binding.kind)
          throw new Ineligible;
        return `${binding.js} = ${value.code};`;
      }
      case "if":
        return `if (${this.#condition(step.condition)}) {
${this.#block(step.then)}
} else {
${this.#block(step.otherwise)}
}`;
      case "break":
        return "return true;";
      default:
        throw new Ineligible;
    }
  }
  #lookup(name, assigning) {
    for (let i = this.#blocks.length - 1;i >= 0; i--) {
      const binding = this.#blocks[i].get(name);
      if (binding !== undefined)
        return binding;
    }
    let outer = this.#outer.get(name);
    if (outer === undefined) {
      const current = this.#env.get(name);
      const kind = current === undefined ? undefined : kindOf(current);
      if (kind === undefined)
        throw new Ineligible;
      outer = { js: `o${this.#outer.size}`, kind, index: this.#outer.size, assigned: false };
      this.#outer.set(name, outer);
    }
    if (assigning)
      outer.assigned = true;
    return outer;
  }
  #constant(value) {
    this.#constants.push(value);
    return `K${this.#constants.length - 1}`;
  }
  #condition(e) {
    const compiled = this.#expression(e);
    if (compiled.kind !== "bool")
      throw new Ineligible;
    return compiled.code;
  }
  #integer(e) {
    const compiled = this.#expression(e);
    if (compiled.kind === "bool")
      throw new Ineligible;
    return compiled;
  }
  #expression(e) {
    switch (e.op) {
      case "int": {
        const value = exactInt(BigInt(e.value));
        return { kind: "int", code: typeof value === "number" ? `(${value})` : `(${value}n)` };
      }
      case "bool":
        return { kind: "bool", code: e.value ? "true" : "false" };
      case "var": {
        const { js, kind } = this.#lookup(e.name, false);
        return { kind, code: this.#prefetching ? `known(${js})` : js };
      }
      case "unary": {
        const operand = this.#integer(e.operand).code;
        return { kind: "int", code: e.operator === "-" ? `H.exact(-H.big(${operand}))` : `H.exact(~H.big(${operand}))` };
      }
      case "binary": {
        const left = this.#integer(e.left);
        const right = this.#integer(e.right);
        const helper = OPERATOR_HELPERS[e.operator];
        return { kind: resultKind(e.operator, left.kind, right.kind), code: `${helper}(${left.code}, ${right.code}, ${this.#constant(e.loc)})` };
      }
      case "compare": {
        const l = this.#integer(e.left).code;
        const r = this.#integer(e.right).code;
        const operator = e.operator === "==" ? "===" : e.operator === "!=" ? "!==" : e.operator;
        return { kind: "bool", code: `(${l} ${operator} ${r})` };
      }
      case "logical":
        return { kind: "bool", code: `(${this.#condition(e.left)} ${e.operator} ${this.#condition(e.right)})` };
      case "not":
        return { kind: "bool", code: `(!${this.#condition(e.operand)})` };
      case "read": {
        const type = e.type;
        if (type.kind !== "int" && type.kind !== "ptr")
          throw new Ineligible;
        const address = this.#integer(e.address).code;
        const reader = this.#prefetching ? "ahead" : "H.read";
        return { kind: type.kind, code: `${reader}(${e.site}, ${this.#constant(type)}, ${address}, ${this.#constant(e.loc)}, index)` };
      }
      default:
        throw new Ineligible;
    }
  }
  #prefetchCode(plan) {
    const { target, sites } = this.#run;
    this.#prefetching = true;
    const top = this.#top;
    const body = this.#step.body;
    const lets = body.filter((s) => s.op === "let" && plan.lets.includes(s.name) && top.has(s.name));
    const levels = [...new Set(plan.sites.map((s) => s.level))].sort((a, b) => a - b).map((level) => plan.sites.filter((s) => s.level === level).map(({ site }) => ({ site, node: sites.get(site) })).filter(({ node }) => node.type.kind === "int" || node.type.kind === "ptr"));
    if (levels.every((level) => level.length === 0)) {
      this.#prefetching = false;
      return;
    }
    this.#blocks.push(top);
    const letCode = lets.map((l) => {
      const js = top.get(l.name).js;
      return `let ${js}; try { ${js} = ${this.#expression(l.value).code}; } catch { ${js} = UNKNOWN; }`;
    }).join(`
`);
    const levelFunctions = levels.map((level) => {
      const siteCode = level.map(({ node }, s) => `try { const a = ${this.#integer(node.address).code}; if (typeof a === 'number' && a >= 0) { wanted[${s}][index] = a; } } catch {}`).join(`
`);
      const source = `"use strict";
${HELPERS}
const known = (v) => { if (v === UNKNOWN) throw NOT_KNOWN; return v; };
${this.#constants.map((_, i) => `const K${i} = K[${i}];`).join(`
`)}
return function prefetchLevel(items, size, outer, wanted, ahead) {
${[...this.#outer.values()].map((o) => `const ${o.js} = outer[${o.index}];`).join(`
`)}
for (let index = 0; index < size; index++) {
  const item = items[index];
${letCode}
${siteCode}
}
};`;
      return { level, run: new Function("K", "H", "UNKNOWN", "NOT_KNOWN", source) };
    });
    this.#blocks.pop();
    this.#prefetching = false;
    const helpers = { exact: exactInt, big: toBigInt, slow: notKnown };
    const compiled = levelFunctions.map(({ level, run }) => ({
      sites: level.map(({ site, node }) => ({ site, type: node.type })),
      run: run(this.#constants, helpers, UNKNOWN, NOT_KNOWN2)
    }));
    const siteCount = Math.max(0, ...plan.sites.map((s) => s.site)) + 1;
    return (items, size, outer) => {
      const windows = new Array(siteCount);
      const ahead = (site, _type, address, _loc, index) => {
        const window = windows[site];
        if (window === undefined || window.addresses[index] !== address)
          throw NOT_KNOWN2;
        const value = window.values[index];
        return value === value ? value : window.big.get(index);
      };
      for (const { sites: levelSites, run } of compiled) {
        const wanted = levelSites.map(() => new Float64Array(size).fill(NaN));
        run(items, size, outer, wanted, ahead);
        const all = new Float64Array(size * levelSites.length);
        let count = 0;
        for (const addresses of wanted)
          for (let i = 0;i < size; i++)
            if (addresses[i] === addresses[i])
              all[count++] = addresses[i];
        const spans = readSpans(target, all.subarray(0, count), Math.max(...levelSites.map((s) => s.type.size)));
        levelSites.forEach(({ site, type }, s) => {
          const addresses = wanted[s];
          const window = { addresses, values: new Float64Array(size), big: undefined };
          for (let i = 0;i < size; i++) {
            if (addresses[i] !== addresses[i])
              continue;
            const at = spans.find(addresses[i], type.size);
            if (at < 0) {
              addresses[i] = NaN;
              continue;
            }
            const value = decodeExact(type, spans.bytes, at);
            if (typeof value === "number")
              window.values[i] = value;
            else {
              window.values[i] = NaN;
              (window.big ??= new Map).set(i, value);
            }
          }
          windows[site] = window;
        });
      }
      return windows;
    };
  }
}
function notKnown() {
  throw NOT_KNOWN2;
}
var OPERATOR_HELPERS = {
  "+": "add",
  "-": "sub",
  "*": "mul",
  "/": "div",
  "%": "mod",
  "<<": "shl",
  ">>": "shr",
  "&": "and",
  "|": "or",
  "^": "xor"
};
var HELPERS = `
const MAX = 9007199254740991;
const safe = (r) => r <= MAX && r >= -MAX;
function add(a, b, L) { if (typeof a === 'number' && typeof b === 'number') { const r = a + b; if (safe(r)) return r; } return H.slow('+', a, b, L); }
function sub(a, b, L) { if (typeof a === 'number' && typeof b === 'number') { const r = a - b; if (safe(r)) return r; } return H.slow('-', a, b, L); }
function mul(a, b, L) { if (typeof a === 'number' && typeof b === 'number') { const r = a * b; if (safe(r)) return r + 0; } return H.slow('*', a, b, L); }
function div(a, b, L) {
  if (typeof a === 'number' && typeof b === 'number' && b !== 0) {
    const r = Math.trunc(a / b), rest = a - r * b;
    if (rest === 0 || (Math.sign(rest) === Math.sign(a) && Math.abs(rest) < Math.abs(b))) return r + 0;
  }
  return H.slow('/', a, b, L);
}
function mod(a, b, L) { if (typeof a === 'number' && typeof b === 'number' && b !== 0) return (a % b) + 0; return H.slow('%', a, b, L); }
function shl(a, b, L) { if (typeof a === 'number' && typeof b === 'number' && b >= 0 && b <= 52) { const r = a * 2 ** b; if (safe(r)) return r + 0; } return H.slow('<<', a, b, L); }
function shr(a, b, L) { if (typeof a === 'number' && typeof b === 'number' && b >= 0 && b <= 52) return Math.floor(a / 2 ** b) + 0; return H.slow('>>', a, b, L); }
const int32 = (v) => typeof v === 'number' && v >= -2147483648 && v < 2147483648;
function and(a, b, L) { return int32(a) && int32(b) ? a & b : H.slow('&', a, b, L); }
function or(a, b, L) { return int32(a) && int32(b) ? a | b : H.slow('|', a, b, L); }
function xor(a, b, L) { return int32(a) && int32(b) ? a ^ b : H.slow('^', a, b, L); }
`;
function readSpans(target, addresses, length) {
  const sorted = addresses.slice().sort();
  const starts = new Float64Array(sorted.length);
  const lengths = new Float64Array(sorted.length);
  let count = 0;
  for (let i = 0;i < sorted.length; i++) {
    const start = sorted[i];
    if (count > 0 && start <= starts[count - 1] + lengths[count - 1]) {
      lengths[count - 1] = Math.max(lengths[count - 1], start + length - starts[count - 1]);
    } else {
      starts[count] = start;
      lengths[count++] = length;
    }
  }
  const ranges = { starts: starts.subarray(0, count), lengths: lengths.subarray(0, count) };
  const read = target.readRanges?.(ranges.starts, ranges.lengths) ?? joined(target, ranges.starts, ranges.lengths);
  return {
    bytes: read.bytes,
    find(address, size) {
      let low = 0;
      let high = count - 1;
      while (low < high) {
        const middle = low + high + 1 >>> 1;
        if (starts[middle] <= address)
          low = middle;
        else
          high = middle - 1;
      }
      const offset = address - starts[low];
      return offset >= 0 && offset + size <= read.done[low] ? read.offsets[low] + offset : -1;
    }
  };
}
function joined(target, starts, lengths) {
  const results = target.read([...starts].map((start, i) => ({ address: BigInt(start), length: lengths[i] })));
  const offsets = new Float64Array(starts.length);
  const done = new Float64Array(starts.length);
  let total = 0;
  results.forEach((result, i) => {
    offsets[i] = total;
    done[i] = result.done;
    total += lengths[i];
  });
  const bytes = new Uint8Array(total);
  results.forEach((result, i) => bytes.set(result.bytes.subarray(0, result.done), offsets[i]));
  return { bytes, offsets, done };
}
function kindOf(value) {
  return value.kind === "int" || value.kind === "ptr" || value.kind === "bool" ? value.kind : undefined;
}
function raw(value, kind) {
  if (kind === "bool")
    return value.value;
  return exactInt(numeric(value).value);
}
function value(v, kind) {
  if (kind === "bool")
    return bool(v);
  const n = toBigInt(v);
  return kind === "ptr" ? ptr(n) : int(n);
}
function decodeExact(type, bytes, offset) {
  if (type.kind === "ptr" || type.size === 8 && !type.bigEndian) {
    const low = (bytes[offset] | bytes[offset + 1] << 8 | bytes[offset + 2] << 16 | bytes[offset + 3] << 24) >>> 0;
    const high = (bytes[offset + 4] | bytes[offset + 5] << 8 | bytes[offset + 6] << 16 | bytes[offset + 7] << 24) >>> 0;
    const signed = type.kind === "int" && type.signed;
    if (!signed && high < 2097152)
      return high * 4294967296 + low;
    if (signed && (high < 2097152 || high >= 4292870144))
      return (high | 0) * 4294967296 + low;
  }
  return exactInt(numeric(decode(type, bytes.subarray(offset, offset + type.size))).value);
}

// src/runtime/execute.ts
var ADDRESS_LIMIT2 = 1n << 64n;
var utf8 = new TextDecoder("utf-8");
var utf16 = new TextDecoder("utf-16le");
function execute2({ plan, target, params, output: emit, limits, allowWrite = false, dryRun = false, compileLoops = true, freeze = false, journal, onRead, progress, debugDirectories, elfFiles, finished }) {
  if (plan.writes && !allowWrite && !dryRun)
    throw writeRefusal2(plan);
  const { kind, pid: targetPid, name } = target.identity;
  const addressSpace = targetPid === undefined ? name : kind === "core" ? `the core of pid ${targetPid}` : `pid ${targetPid}`;
  const at = (loc) => () => locate(plan.recipe.name, loc);
  const budget = new Budget(limits, (loc) => locate(plan.recipe.name, loc));
  const modules = new ModuleResolver(target, { debugDirectories, elfFiles });
  const journalEntries = journal && ((sites, statement, patch) => {
    const { pid, startTime, exe } = target.identity;
    journal(sites.map((site) => ({ pid: pid ?? 0, startTime, exe, recipe: plan.recipe, statement, patch, line: site.line, address: site.address, module: site.file, old: site.before, new: site.after })));
  });
  const writable = plan.writes ? requireWritable(plan, target) : undefined;
  const held = [];
  const output = (event) => {
    if (writes !== undefined && (held.length > 0 || writes.pending > 0))
      held.push(event);
    else
      emit(event);
  };
  const release = (landed) => {
    for (const event of held) {
      if (event.type === "write" && event.status === "wrote" && landed-- <= 0)
        break;
      emit(event);
    }
    held.length = 0;
  };
  const writes = writable && new WriteBuffer(writable, addressSpace, (loc) => locate(plan.recipe.name, loc), journalEntries && ((batch) => {
    const files = modules.filesAt(batch.map((w) => w.address));
    journalEntries(batch.map((w, i) => ({ ...w, line: w.loc.line, file: files[i] })), "write");
  }), release);
  const activeSite = [];
  const activate = (cache, frame) => {
    for (const [site, prefetch] of cache)
      activeSite[site] = { prefetch, frame };
  };
  const deactivate = (sites) => {
    for (const site of sites)
      activeSite[site] = undefined;
  };
  const read = (type, address, loc, site) => {
    if (address < 0n || address >= ADDRESS_LIMIT2) {
      throw new TargetError("bad-address", `cannot read ${type.name} at ${hexAddress(address)}: not an address (outside 0 to 2^64-1)`, {
        ...at(loc)(),
        hint: "check the address arithmetic"
      });
    }
    const length = readLength(type);
    budget.read(length, loc);
    writes?.flush();
    const ahead = site >= 0 ? activeSite[site] : undefined;
    const result = (ahead === undefined ? undefined : prefetched(ahead.prefetch, ahead.frame.index, address, length)) ?? target.read([{ address, length }])[0];
    onRead?.(address, result.bytes.subarray(0, result.done));
    if (result.fault?.denied !== undefined)
      throw placeError(result.fault.denied, at(loc)());
    const value = valueOf(type, result);
    if (value !== undefined)
      return value;
    const faultAt = result.fault?.address ?? address;
    const why = result.fault?.reason === undefined ? explainFault(faultAt, target.regions(), addressSpace, "r") : `${hexAddress(faultAt)}: ${result.fault.reason}`;
    throw new TargetError("unmapped", `cannot read ${type.name} at ${hexAddress(address)}: ${why}`, {
      ...at(loc)(),
      hint: mapsHint(target)
    });
  };
  const scan = (request, loc) => {
    writes?.flush();
    const outcome = scanTarget(target, request, progress && ((p) => progress({ ...p, line: loc.line })));
    budget.scanned(outcome.bytesScanned, at(loc));
    output({ type: "scan", hits: outcome.hits.length, bytesScanned: outcome.bytesScanned, regions: outcome.regions, skipped: outcome.skipped, line: loc.line });
    return outcome.hits;
  };
  const readEach = (addresses, length, loc) => {
    budget.read(addresses.length * length, loc);
    writes?.flush();
    const results = target.read(addresses.map((address) => ({ address, length })));
    return results.map((result, i) => {
      if (result.fault?.denied !== undefined)
        throw placeError(result.fault.denied, at(loc)());
      if (result.done < length)
        return;
      onRead?.(addresses[i], result.bytes.subarray(0, length));
      return result.bytes.subarray(0, length);
    });
  };
  const contextWith = (reader) => ({
    read: reader,
    readEach,
    scan,
    modules,
    threads: () => target.threads(),
    hitCap: { limit: budget.limits.scanHits, rule: budget.limits.rules?.scanHits },
    locate: (loc) => locate(plan.recipe.name, loc)
  });
  const live = contextWith(read);
  const sites = readSites(plan.steps);
  const placed = (loc, f) => {
    try {
      return f();
    } catch (error) {
      throw placeError(error, at(loc)());
    }
  };
  const run = (steps, env) => {
    const value = (e) => evaluate(e, env, live);
    let readAhead;
    for (let index = 0;index < steps.length; index++) {
      const step = steps[index];
      if (step.op === "read-ahead") {
        writes?.flush();
        const cache = placed(step.loc, () => prefetchWindow({ prefetch: step.prefetch, body: readAheadSteps(steps, index), sites, iterationScope: () => env.child(), count: 1, target, context: contextWith, decode: decodeOrThrow }));
        activate(cache, { index: 0 });
        (readAhead ??= []).push(...cache.keys());
        continue;
      }
      budget.step(step.loc);
      switch (step.op) {
        case "let":
          env.declare(step.name, value(step.value));
          break;
        case "assign":
          env.assign(step.name, value(step.value));
          break;
        case "print":
          output({ type: "print", values: step.values.map(value), line: step.loc.line });
          break;
        case "emit":
          output({ type: "emit", name: step.name, value: value(step.value), line: step.loc.line });
          break;
        case "if": {
          const condition = value(step.condition);
          if (run(condition.kind === "bool" && condition.value ? step.then : step.otherwise, env.child()) === "break")
            return stopBlock("break");
          break;
        }
        case "break":
          return stopBlock("break");
        case "while": {
          const limit = step.limit === undefined ? undefined : numeric(value(step.limit)).value;
          if (limit !== undefined && limit < 0n) {
            throw new RecipeError("bad-limit", `limit ${limit} is negative`, { ...at(step.loc)(), hint: "give a limit of 0 or more" });
          }
          for (let iteration = 0n;; iteration++) {
            if (limit !== undefined && iteration >= limit)
              break;
            const condition = value(step.condition);
            if (condition.kind !== "bool" || !condition.value)
              break;
            if (limit === undefined && iteration >= budget.limits.loopIterations) {
              throw new RecipeError("unbounded-loop", `this while loop ran ${budget.limits.loopIterations} times and its condition still holds`, {
                ...at(step.loc)(),
                hint: "add `limit N` to run at most N iterations, or check that the body changes what the condition reads"
              });
            }
            if (run(step.body, env.child()) === "break")
              break;
          }
          break;
        }
        case "for": {
          const limit = step.limit === undefined ? undefined : numeric(value(step.limit)).value;
          if (limit !== undefined && limit < 0n) {
            throw new RecipeError("bad-limit", `limit ${limit} is negative`, { ...at(step.loc)(), hint: "give a limit of 0 or more" });
          }
          const source = loopSource(step.over, value);
          const iterations = budget.iterations(source.count, limit, at(step.loc));
          const kernel = compileLoops && onRead === undefined ? kernelFor(step, source.kind, env) : undefined;
          if (kernel !== undefined) {
            writes?.flush();
            kernel.run(Number(iterations), source.exactItem, env, Number(WINDOW));
            break;
          }
          for (let first = 0n;first < iterations; first += WINDOW) {
            const size = Number(iterations - first < WINDOW ? iterations - first : WINDOW);
            const body = env.child();
            const iterationScope = (index) => {
              body.clear();
              body.declare(step.variable, source.item(first + BigInt(index)));
              return body;
            };
            const cache = step.prefetch.sites.length > 0 && size > 1 ? placed(step.loc, () => prefetchWindow({ prefetch: step.prefetch, body: step.body, sites, iterationScope, count: size, target, context: contextWith, decode: decodeOrThrow })) : new Map;
            const frame = { index: 0 };
            activate(cache, frame);
            let broke = false;
            for (let index = 0;index < size && !broke; index++) {
              frame.index = index;
              broke = run(step.body, iterationScope(index)) === "break";
            }
            deactivate(cache.keys());
            if (broke)
              break;
          }
          break;
        }
        case "assert":
          checkAssertion(step, env, live, at(step.loc));
          break;
        case "write": {
          const address = checkAddress(numeric(value(step.address)).value, at(step.loc));
          const data = encode(step.datum.encoding, value(step.datum.value), at(step.datum.loc));
          if (data.kind !== "bytes")
            break;
          if (dryRun) {
            checkWritable(target, addressSpace, address, data.bytes.length, at(step.loc));
            output({ type: "write", status: "would write", address, bytes: data.bytes, line: step.loc.line });
          } else {
            writes.add(address, data.bytes, step.loc);
            output({ type: "write", status: "wrote", address, bytes: data.bytes, line: step.loc.line });
          }
          break;
        }
        case "dump": {
          const address = checkAddress(numeric(value(step.address)).value, at(step.loc));
          const length = numeric(value(step.length)).value;
          if (length < 1n || length > BigInt(MAX_DUMP)) {
            throw new RecipeError("dump-size", `a dump covers 1 to ${MAX_DUMP} bytes, not ${length}`, { ...at(step.loc)(), hint: "dump a smaller range, or several" });
          }
          const bytes = read({ kind: "bytes", name: "bytes", size: Number(length) }, address, step.loc, -1);
          output({ type: "dump", address, bytes: bytes.value, line: step.loc.line });
          break;
        }
        case "patch": {
          writes?.flush();
          const resolved = step.sites.map((site) => {
            const expect = encode(site.expect.encoding, value(site.expect.value), at(site.expect.loc));
            const replacement = encode(site.replacement.encoding, value(site.replacement.value), at(site.replacement.loc));
            return { address: checkAddress(numeric(value(site.address)).value, at(site.loc)), expect, replacement: replacement.bytes, loc: site.loc };
          });
          const files = journalEntries && modules.filesAt(resolved.map((site) => site.address));
          const record = journalEntries && ((sites) => journalEntries(sites.map((site, i) => ({ ...site, line: step.loc.line, file: files[i] })), "patch", step.name));
          const outcome = applyPatch(resolved, { target: writable, space: addressSpace, locate: (loc) => locate(plan.recipe.name, loc), at: at(step.loc)(), freeze: freeze || step.freeze, dryRun, beforeWrite: record });
          output({ type: "patch", name: step.name, outcome, line: step.loc.line });
          break;
        }
        default:
          assertNever(step);
      }
    }
    return stopBlock(undefined);
    function stopBlock(signal) {
      if (readAhead !== undefined)
        deactivate(readAhead);
      return signal;
    }
  };
  const kernels = new Map;
  const kernelFor = (step, kind, env) => {
    let kernel = kernels.get(step);
    if (kernel === undefined) {
      kernel = compileLoop(step, kind, env, { target, budget, context: live, read, sites }) ?? null;
      kernels.set(step, kernel);
    }
    if (kernel === null)
      return;
    for (const [name, outerKind] of kernel.outer)
      if (env.get(name)?.kind !== outerKind)
        return;
    return kernel;
  };
  const root = new Scope(undefined, params);
  try {
    run(plan.steps, root);
    writes?.flush();
  } catch (error) {
    if (writes !== undefined && writes.pending > 0)
      attempt(() => writes.flush());
    throw error;
  } finally {
    modules.close();
    finished?.(root.own(), root.declared());
  }
}
function loopSource(over, value) {
  if (over.kind === "list") {
    const list = value(over.list);
    const items = list.kind === "list" ? list.items : [];
    return { count: BigInt(items.length), kind: "ptr", item: (i) => items[Number(i)], exactItem: (i) => exactInt(numeric(items[i]).value) };
  }
  const from = numeric(value(over.from));
  const to = numeric(value(over.to));
  const start = exactInt(from.value);
  return {
    count: to.value > from.value ? to.value - from.value : 0n,
    kind: from.kind,
    item: (i) => from.kind === "ptr" ? ptr(from.value + i) : int(from.value + i),
    exactItem: (i) => typeof start === "number" && Number.isSafeInteger(start + i) ? start + i : exactInt(from.value + BigInt(i))
  };
}
function checkWritable(target, space, address, length, at) {
  const regions = target.regions();
  const stop = firstUnwritable(regions, address, length);
  if (stop === address + BigInt(length))
    return;
  throw new TargetError("unwritable", `cannot write ${count(length, "byte")} at ${hexAddress(address)}: ${explainFault(stop, regions, space, "w")}`, {
    ...at(),
    hint: "write only to writable data; code and read-only pages are changed with `patch`, which verifies them first"
  });
}
function mapsHint(target) {
  const { kind, pid } = target.identity;
  if (kind === "core")
    return "check the address arithmetic; `pvm maps --core FILE` lists the regions the core holds";
  return pid === undefined ? "check the address arithmetic" : `check the address arithmetic; \`pvm maps --pid ${pid}\` lists the mapped regions`;
}
function checkAddress(address, at) {
  if (address < 0n || address >= ADDRESS_LIMIT2) {
    throw new TargetError("bad-address", `${hexAddress(address)} is not an address (outside 0 to 2^64-1)`, { ...at(), hint: "check the address arithmetic" });
  }
  return address;
}
function requireWritable(plan, target) {
  if (target.writable !== undefined)
    return target.writable;
  throw readOnlyRefusal2(plan, describeTarget(target.identity));
}
function readOnlyRefusal2(plan, target) {
  return new DeniedError("read-only-target", `${plan.recipe.name} writes memory, and ${target} is a core file: it can only be read`, {
    hint: "run recipes that write or patch against the live process (--pid); `pvm plan` shows which statements write"
  });
}
function writeRefusal2(plan) {
  return new DeniedError("write-not-allowed", `${plan.recipe.name} writes to the target's memory, and writing was not allowed`, {
    hint: "run it with --allow-write once you have checked it (`pvm plan` shows every write; --dry-run shows what it would write, without writing)"
  });
}
var WINDOW = 16384n;
function valueOf(type, result) {
  if (type.kind === "cstring") {
    const nul = result.bytes.subarray(0, result.done).indexOf(0);
    if (nul >= 0 || result.fault === undefined)
      return { kind: "str", value: utf8.decode(result.bytes.subarray(0, nul >= 0 ? nul : result.done)) };
    return;
  }
  if (result.fault !== undefined)
    return;
  switch (type.kind) {
    case "bytes":
      return { kind: "bytes", value: result.bytes.slice(0, type.size) };
    case "utf16":
      return { kind: "str", value: utf16.decode(result.bytes.subarray(0, type.units * 2)) };
    default:
      return decode(type, result.bytes);
  }
}
function decodeOrThrow(type, result) {
  const value = valueOf(type, result);
  if (value === undefined)
    throw new Error("faulted");
  return value;
}
function checkAssertion(step, env, context, at) {
  let detail = "";
  let holds;
  if (step.condition.op === "compare") {
    const left = evaluate(step.condition.left, env, context);
    const right = evaluate(step.condition.right, env, context);
    holds = compare(step.condition.operator, left, right);
    detail = `${showValue(left)} ${step.condition.operator} ${showValue(right)} is false`;
  } else {
    const condition = evaluate(step.condition, env, context);
    holds = condition.kind === "bool" && condition.value;
  }
  if (holds)
    return;
  const message = step.message === undefined ? undefined : evaluate(step.message, env, context);
  const text = message?.kind === "str" ? message.value : undefined;
  throw new AssertionFailed("assert", `assertion failed${text === undefined ? "" : `: ${text}`}${detail === "" ? "" : ` (${detail})`}`, {
    ...at(),
    hint: "the target is not in the state this recipe expects"
  });
}
function showValue(value) {
  switch (value.kind) {
    case "str":
      return JSON.stringify(value.value);
    default:
      return humanValue(value);
  }
}

export { execute2, readOnlyRefusal2, writeRefusal2 };
