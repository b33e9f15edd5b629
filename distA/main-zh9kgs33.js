import {
  DeniedError,
  TargetError,
  describeTarget,
  attempt,
  isFileMapping,
  readFileAsMapped,
  isMappedFile,
  isMappedPath,
  readAt,
  fileKey,
  undoFalseDeletions,
  parseMaps,
  CAP_SYS_PTRACE,
  hasCapability,
  parseStatus,
  sleepSync
} from "./main-96f73920.js";
import {
  X86_64_REGISTERS
} from "./main-zffz883y.js";
import {
  O_RDONLY,
  O_RDWR,
  O_CLOEXEC,
  loadLibc
} from "./main-pn9zpft1.js";
import {
  fastestSearch
} from "./main-1wmjvf9n.js";
import {
  splitByRanges,
  firstEndingAfter
} from "./main-ftnr638j.js";

// src/target/live-process.ts
import { closeSync as closeSync3, constants, fstatSync, ftruncateSync, openSync as openSync3, readdirSync as readdirSync2, readFileSync as readFileSync3, readlinkSync, statSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// src/native/errno.ts
var Errno = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EINVAL: 22,
  ENOSYS: 38
};
var DESCRIPTIONS = {
  [Errno.EPERM]: "operation not permitted",
  [Errno.ENOENT]: "no such file or directory",
  [Errno.ESRCH]: "no such process",
  [Errno.EINTR]: "interrupted system call",
  [Errno.EIO]: "input/output error",
  [Errno.EBADF]: "bad file descriptor",
  [Errno.EAGAIN]: "resource temporarily unavailable",
  [Errno.ENOMEM]: "out of memory",
  [Errno.EACCES]: "permission denied",
  [Errno.EFAULT]: "bad address",
  [Errno.EBUSY]: "device or resource busy",
  [Errno.EINVAL]: "invalid argument",
  [Errno.ENOSYS]: "function not implemented"
};
function errnoName(errno) {
  for (const [name, value] of Object.entries(Errno))
    if (value === errno)
      return name;
  return `errno ${errno}`;
}
function errnoDescription(errno) {
  return DESCRIPTIONS[errno] ?? "unknown error";
}

class NativeError extends Error {
  errno;
  errnoName;
  syscall;
  detail;
  constructor(syscall, errno, detail) {
    super(`${syscall}: ${errnoName(errno)} (${errnoDescription(errno)})${detail === undefined ? "" : `: ${detail}`}`);
    this.name = "NativeError";
    this.errno = errno;
    this.errnoName = errnoName(errno);
    this.syscall = syscall;
    this.detail = detail;
  }
}

// src/native/smaps.ts
var HEADER = /^([0-9a-f]+)-([0-9a-f]+) /;
function parseSmaps(text) {
  const headers = [];
  const vmFlags = new Map;
  let start;
  for (const line of text.split(`
`)) {
    const header = HEADER.exec(line);
    if (header !== null) {
      headers.push(line);
      start = BigInt(`0x${header[1]}`);
      continue;
    }
    if (start !== undefined && line.startsWith("VmFlags:"))
      vmFlags.set(start, line.slice("VmFlags:".length).trim().split(/\s+/));
  }
  return { entries: parseMaps(headers.join(`
`)), vmFlags };
}

// src/native/freeze.ts
import { readdirSync, readFileSync } from "node:fs";

// src/native/registers.ts
var PTRACE_GETREGS = 12;

class RegisterReader {
  #libc;
  #buffer;
  constructor(libc) {
    this.#libc = libc;
    this.#buffer = libc.alloc(X86_64_REGISTERS.length * 8);
  }
  read(tid) {
    const result = this.#libc.ptrace(PTRACE_GETREGS, tid, Number(this.#buffer.address));
    if (result < 0)
      throw new NativeError("ptrace(PTRACE_GETREGS)", -result);
    const view = new DataView(this.#buffer.bytes.buffer, this.#buffer.bytes.byteOffset, X86_64_REGISTERS.length * 8);
    return X86_64_REGISTERS.map((_, i) => view.getBigUint64(i * 8, true));
  }
  close() {
    this.#buffer.free();
  }
}

// src/native/freeze.ts
var PTRACE_DETACH = 17;
var PTRACE_SEIZE = 16902;
var PTRACE_INTERRUPT = 16903;
var WNOHANG = 1;
var WALL = 1073741824;
var SIGTRAP = 5;
var STOP_TIMEOUT_MS = 2000;
function freezeProcess(libc, pid) {
  const seized = new Map;
  const thaw = () => {
    for (const [tid, signal] of seized)
      libc.ptrace(PTRACE_DETACH, tid, signal);
    seized.clear();
  };
  try {
    for (let round = 0;round < 100; round++) {
      const fresh = listThreads(pid).filter((tid) => !seized.has(tid));
      if (fresh.length === 0)
        break;
      const stopping = [];
      for (const tid of fresh) {
        const result = libc.ptrace(PTRACE_SEIZE, tid, 0);
        if (result === -Errno.ESRCH)
          continue;
        if (result < 0)
          throw new NativeError("ptrace(PTRACE_SEIZE)", -result);
        seized.set(tid, 0);
        if (libc.ptrace(PTRACE_INTERRUPT, tid, 0) === 0)
          stopping.push(tid);
      }
      waitForStops(libc, pid, stopping, seized);
    }
    const reader = new RegisterReader(libc);
    try {
      const tids = [...seized.keys()].sort((a, b) => a === pid ? -1 : b === pid ? 1 : a - b);
      const threads = tids.map((tid) => ({ tid, ...stoppedAt(pid, tid), registers: attempt(() => reader.read(tid)) }));
      return { threads, thaw };
    } finally {
      reader.close();
    }
  } catch (error) {
    thaw();
    throw error;
  }
}
function waitForStops(libc, pid, tids, seized) {
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  const pending = new Set(tids);
  while (pending.size > 0) {
    for (const tid of pending) {
      const { pid: changed, status } = libc.waitpid(tid, WALL | WNOHANG);
      if (changed === 0)
        continue;
      pending.delete(tid);
      if (changed < 0) {
        seized.delete(tid);
        continue;
      }
      const stopped = (status & 255) === 127;
      if (!stopped) {
        seized.delete(tid);
        continue;
      }
      const signal = status >> 8 & 255;
      const event = status >>> 16;
      if (event === 0 && signal !== SIGTRAP)
        seized.set(tid, signal);
    }
    if (pending.size === 0)
      break;
    if (Date.now() > deadline) {
      const which = [...pending].map((tid) => `thread ${tid} ${threadState(pid, tid)}`).join(", ");
      throw new NativeError("waitpid", Errno.EBUSY, `${which} did not stop within ${STOP_TIMEOUT_MS} ms; every thread was resumed`);
    }
    sleepSync(0.02);
  }
}
function listThreads(pid) {
  return readdirSync(`/proc/${pid}/task`).map(Number).filter((tid) => Number.isSafeInteger(tid) && tid > 0);
}
function stoppedAt(pid, tid) {
  const fields = (attempt(() => readFileSync(`/proc/${pid}/task/${tid}/syscall`, "latin1")) ?? "").trim().split(" ");
  const pc = fields[fields.length - 1];
  const sp = fields[fields.length - 2] ?? "";
  const known = fields.length >= 3 && pc.startsWith("0x");
  return { pc: known ? BigInt(pc) : undefined, sp: known && sp.startsWith("0x") ? BigInt(sp) : undefined, inSyscall: fields.length > 3 && fields[0] !== "-1" };
}
function threadState(pid, tid) {
  const stat = attempt(() => readFileSync(`/proc/${pid}/task/${tid}/stat`, "latin1")) ?? "";
  const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  const names = { D: "uninterruptible sleep", S: "sleeping", R: "running", T: "stopped", t: "traced", Z: "zombie" };
  const wchan = attempt(() => readFileSync(`/proc/${pid}/task/${tid}/wchan`, "latin1").trim()) ?? "";
  return `${state === "" ? "in an unknown state" : `in state ${state} (${names[state] ?? "see proc(5)"})`}${wchan !== "" && wchan !== "0" ? ` in ${wchan}` : ""}`;
}

// src/native/proc-mem.ts
class ProcMem {
  pid;
  #libc;
  #fd;
  constructor(libc, pid, fd) {
    this.#libc = libc;
    this.pid = pid;
    this.#fd = fd;
  }
  static open(libc, pid, writable) {
    const fd = libc.open(`/proc/${pid}/mem`, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0)
      throw new NativeError("open /proc/PID/mem", -fd);
    return new ProcMem(libc, pid, fd);
  }
  read(address, length) {
    const bytes = new Uint8Array(length);
    const outcome = this.#loop(address, length, (at, n) => this.#libc.pread(this.#fd, bytes.subarray(at), n, address + BigInt(at)), "pread /proc/PID/mem");
    return { ...outcome, bytes };
  }
  write(address, bytes) {
    return this.#loop(address, bytes.length, (at, n) => this.#libc.pwrite(this.#fd, bytes.subarray(at), n, address + BigInt(at)), "pwrite /proc/PID/mem");
  }
  close() {
    this.#libc.close(this.#fd);
  }
  #loop(address, length, call, syscall) {
    let done = 0;
    while (done < length) {
      const result = call(done, length - done);
      if (result > 0) {
        done += result;
        continue;
      }
      if (result === -Errno.EINTR)
        continue;
      if (result === 0)
        throw new NativeError(syscall, Errno.ESRCH, "the process exited or exec-ed");
      if (result === -Errno.EIO || result === -Errno.EFAULT) {
        return { done, fault: { address: address + BigInt(done), errno: -result } };
      }
      throw new NativeError(syscall, -result);
    }
    return { done, fault: undefined };
  }
}

// src/native/transfer-batch.ts
var IOV_MAX = 1024;
var MAX_RW_COUNT = 2147479552;
function runBatched(transfers, limits, call, syscall) {
  const outcomes = transfers.map(() => ({ done: 0, fault: undefined }));
  let next = 0;
  while (next < transfers.length) {
    if ((transfers[next]?.length ?? 0) === 0) {
      next++;
      continue;
    }
    let count = 0;
    let bytes = 0;
    while (next + count < transfers.length && count < limits.maxIovecs) {
      const length = transfers[next + count]?.length ?? 0;
      if (count > 0 && bytes + length > limits.maxBytes)
        break;
      bytes += length;
      count++;
    }
    const result = call(next, count, bytes);
    if (result < 0) {
      const errno = -result;
      if (errno !== Errno.EFAULT)
        throw new NativeError(syscall, errno);
    }
    next = settle(transfers, outcomes, next, count, Math.max(0, result));
  }
  return outcomes;
}
function settle(transfers, outcomes, first, count, moved) {
  let remaining = moved;
  for (let i = first;i < first + count; i++) {
    const transfer = transfers[i];
    const outcome = outcomes[i];
    if (transfer === undefined || outcome === undefined)
      break;
    if (remaining >= transfer.length) {
      outcome.done = transfer.length;
      remaining -= transfer.length;
      continue;
    }
    outcome.done = remaining;
    outcome.fault = { address: transfer.address + BigInt(remaining), errno: Errno.EFAULT };
    return i + 1;
  }
  return first + count;
}
function splitTransfers(transfers, maxBytes) {
  const pieces = [];
  const owner = [];
  const offset = [];
  transfers.forEach((t, index) => {
    let at = 0;
    do {
      const length = Math.min(maxBytes, t.length - at);
      pieces.push({ address: t.address + BigInt(at), length });
      owner.push(index);
      offset.push(at);
      at += length;
    } while (at < t.length);
  });
  return { pieces, owner, offset };
}
function joinOutcomes(count, owner, pieces) {
  const joined = Array.from({ length: count }, () => ({ done: 0, fault: undefined }));
  pieces.forEach((piece, i) => {
    const target = joined[owner[i] ?? -1];
    if (target === undefined || target.fault !== undefined)
      return;
    target.done += piece.done;
    target.fault = piece.fault;
  });
  return joined;
}
function validateTransfers(transfers) {
  for (const t of transfers) {
    if (!Number.isSafeInteger(t.length) || t.length < 0)
      throw new RangeError(`invalid transfer length ${t.length}`);
    if (t.address < 0n || t.address + BigInt(t.length) > 1n << 64n) {
      throw new RangeError(`transfer 0x${t.address.toString(16)}+${t.length} lies outside the 64-bit address space`);
    }
  }
}

// src/native/vm.ts
var DEFAULT_CALL_BYTES = 16 << 20;

class VmChannel {
  pid;
  #libc;
  #callBytes;
  #remote;
  #remoteView;
  #local = new Uint8Array(16);
  #localView = new DataView(this.#local.buffer);
  #scratch;
  calls = 0;
  constructor(libc, pid, callBytes = DEFAULT_CALL_BYTES) {
    this.#libc = libc;
    this.pid = pid;
    this.#callBytes = Math.min(callBytes, MAX_RW_COUNT);
    this.#remote = new Uint8Array(IOV_MAX * 16);
    this.#remoteView = new DataView(this.#remote.buffer);
  }
  read(transfers) {
    validateTransfers(transfers);
    const { pieces, owner } = this.#split(transfers);
    const start = new Float64Array(pieces.length + 1);
    for (let i = 0;i < pieces.length; i++)
      start[i + 1] = start[i] + pieces[i].length;
    const data = new Uint8Array(start[pieces.length]);
    const outcomes = runBatched(pieces, this.#limits(), (first, count, bytes) => {
      const scratch = this.#scratchFor(bytes);
      const moved = this.#call("read", pieces, first, count, bytes, scratch);
      if (moved > 0)
        data.set(scratch.bytes.subarray(0, moved), start[first]);
      return moved;
    }, "process_vm_readv");
    const joined = owner === undefined ? outcomes : joinOutcomes(transfers.length, owner, outcomes);
    let at = 0;
    return joined.map((outcome, i) => {
      const length = transfers[i].length;
      const bytes = data.subarray(at, at + length);
      at += length;
      return { done: outcome.done, fault: outcome.fault, bytes };
    });
  }
  readInPlace(transfers) {
    validateTransfers(transfers);
    const start = new Float64Array(transfers.length + 1);
    for (let i = 0;i < transfers.length; i++)
      start[i + 1] = start[i] + transfers[i].length;
    const total = start[transfers.length];
    if (total > this.#callBytes)
      throw new RangeError(`readInPlace: ${total} bytes do not fit one call of ${this.#callBytes}`);
    const scratch = this.#scratchFor(total);
    const outcomes = transfers.map(() => ({ done: 0, fault: undefined }));
    for (let first = 0;first < transfers.length; ) {
      if (transfers[first].hole === true) {
        first++;
        continue;
      }
      let end = first;
      while (end < transfers.length && transfers[end].hole !== true)
        end++;
      const run = transfers.slice(first, end);
      const base = first;
      runBatched(run, this.#limits(), (at, count, bytes) => this.#call("read", run, at, count, bytes, scratch, start[base + at]), "process_vm_readv").forEach((outcome, k) => outcomes[base + k] = outcome);
      first = end;
    }
    const address = Number(scratch.address);
    return outcomes.map((outcome, i) => ({
      done: outcome.done,
      fault: outcome.fault,
      bytes: scratch.bytes.subarray(start[i], start[i] + transfers[i].length),
      native: address + start[i]
    }));
  }
  readRanges(starts, lengths) {
    const count = starts.length;
    const offsets = new Float64Array(count + 1);
    for (let i = 0;i < count; i++) {
      if (!(lengths[i] <= this.#callBytes) || !(starts[i] >= 0 && starts[i] + lengths[i] <= Number.MAX_SAFE_INTEGER))
        throw new RangeError(`invalid range ${starts[i]}+${lengths[i]}`);
      offsets[i + 1] = offsets[i] + lengths[i];
    }
    const bytes = new Uint8Array(offsets[count]);
    const done = new Float64Array(count);
    let next = 0;
    while (next < count) {
      if (lengths[next] === 0) {
        next++;
        continue;
      }
      let n = 0;
      let total = 0;
      while (next + n < count && n < IOV_MAX && (n === 0 || total + lengths[next + n] <= this.#callBytes))
        total += lengths[next + n++];
      const scratch = this.#scratchFor(total);
      for (let i = 0;i < n; i++) {
        const start = starts[next + i];
        this.#remoteView.setUint32(i * 16, start % 4294967296, true);
        this.#remoteView.setUint32(i * 16 + 4, Math.floor(start / 4294967296), true);
        this.#remoteView.setUint32(i * 16 + 8, lengths[next + i], true);
        this.#remoteView.setUint32(i * 16 + 12, 0, true);
      }
      this.#localView.setBigUint64(0, scratch.address, true);
      this.#localView.setBigUint64(8, BigInt(total), true);
      this.calls++;
      const result = this.#libc.processVmReadv(this.pid, this.#local, 1, this.#remote, n);
      if (result < 0 && -result !== Errno.EFAULT)
        throw new NativeError("process_vm_readv", -result);
      const moved = Math.max(0, result);
      if (moved > 0)
        bytes.set(scratch.bytes.subarray(0, moved), offsets[next]);
      let left = moved;
      let i = 0;
      for (;i < n && left >= lengths[next + i]; i++) {
        done[next + i] = lengths[next + i];
        left -= lengths[next + i];
      }
      if (i < n) {
        done[next + i] = left;
        i++;
      }
      next += i;
    }
    return { bytes, offsets: offsets.subarray(0, count), done };
  }
  nativeAddressOf(bytes) {
    const scratch = this.#scratch;
    return scratch !== undefined && bytes.buffer === scratch.bytes.buffer ? Number(scratch.address) + bytes.byteOffset - scratch.bytes.byteOffset : undefined;
  }
  write(writes) {
    const transfers = writes.map((w) => ({ address: w.address, length: w.bytes.length }));
    validateTransfers(transfers);
    const { pieces, owner, offset } = this.#split(transfers);
    const outcomes = runBatched(pieces, this.#limits(), (first, count, bytes) => {
      const scratch = this.#scratchFor(bytes);
      let at = 0;
      for (let i = first;i < first + count; i++) {
        const from = offset?.[i] ?? 0;
        const length = pieces[i].length;
        scratch.bytes.set(writes[owner?.[i] ?? i].bytes.subarray(from, from + length), at);
        at += length;
      }
      return this.#call("write", pieces, first, count, bytes, scratch);
    }, "process_vm_writev");
    return owner === undefined ? outcomes : joinOutcomes(transfers.length, owner, outcomes);
  }
  probe() {
    const scratch = this.#scratchFor(1);
    this.#localView.setBigUint64(0, scratch.address, true);
    this.#localView.setBigUint64(8, 1n, true);
    this.#remoteView.setBigUint64(0, 0n, true);
    this.#remoteView.setBigUint64(8, 1n, true);
    this.calls++;
    const result = this.#libc.processVmReadv(this.pid, this.#local, 1, this.#remote, 1);
    if (result < 0 && -result !== Errno.EFAULT)
      throw new NativeError("process_vm_readv", -result);
  }
  close() {
    this.#scratch?.free();
    this.#scratch = undefined;
  }
  #split(transfers) {
    if (transfers.every((t) => t.length <= this.#callBytes))
      return { pieces: transfers, owner: undefined, offset: undefined };
    return splitTransfers(transfers, this.#callBytes);
  }
  #limits() {
    return { maxIovecs: IOV_MAX, maxBytes: this.#callBytes };
  }
  #scratchFor(bytes) {
    if (this.#scratch === undefined || this.#scratch.bytes.length < bytes) {
      this.#scratch?.free();
      this.#scratch = this.#libc.alloc(Math.min(this.#callBytes, 2 ** Math.ceil(Math.log2(Math.max(bytes, 4096)))));
    }
    return this.#scratch;
  }
  #call(kind, pieces, first, count, bytes, scratch, at = 0) {
    for (let i = 0;i < count; i++) {
      const piece = pieces[first + i];
      this.#remoteView.setBigUint64(i * 16, piece.address, true);
      this.#remoteView.setBigUint64(i * 16 + 8, BigInt(piece.length), true);
    }
    this.#localView.setBigUint64(0, scratch.address + BigInt(at), true);
    this.#localView.setBigUint64(8, BigInt(bytes), true);
    this.calls++;
    return kind === "read" ? this.#libc.processVmReadv(this.pid, this.#local, 1, this.#remote, count) : this.#libc.processVmWritev(this.pid, this.#local, 1, this.#remote, count);
  }
}

// src/target/access.ts
var ROOT_HINT = "run pvm as root or with CAP_SYS_PTRACE (e.g. `sudo`), or as the same user as the target";
function explainRefusal(facts) {
  const { caller, target } = facts;
  const who = `pid ${target.pid} (${target.name})`;
  const ptraceCap = hasCapability(caller.capEff, CAP_SYS_PTRACE);
  const [ruid] = caller.uid;
  const [rgid] = caller.gid;
  if (facts.yamaScope === 3) {
    return { message: `Yama ptrace_scope is 3: no process may read another's memory`, hint: "only a reboot lowers kernel.yama.ptrace_scope from 3" };
  }
  if (!ptraceCap) {
    if (!target.uid.slice(0, 3).every((u) => u === ruid)) {
      const targetUid = target.uid[1];
      return { message: `${who} runs as uid ${targetUid}; you are uid ${ruid} without CAP_SYS_PTRACE`, hint: ROOT_HINT };
    }
    if (!target.gid.slice(0, 3).every((g) => g === rgid)) {
      return { message: `${who} runs as gid ${target.gid[1]}; you are gid ${rgid} without CAP_SYS_PTRACE`, hint: ROOT_HINT };
    }
    if (!facts.targetDumpable) {
      return {
        message: `${who} is not dumpable (it changed its user or group ids, or called prctl(PR_SET_DUMPABLE, 0)); only a caller with CAP_SYS_PTRACE may read it`,
        hint: "run pvm as root, or have the target call prctl(PR_SET_DUMPABLE, 1)"
      };
    }
    if ((target.capPrm & ~caller.capPrm) !== 0n) {
      return { message: `${who} holds capabilities that you lack (CapPrm ${target.capPrm.toString(16)})`, hint: ROOT_HINT };
    }
    if (facts.yamaScope === 2) {
      return { message: `Yama ptrace_scope is 2: only a caller with CAP_SYS_PTRACE may read another process`, hint: ROOT_HINT };
    }
    if (facts.yamaScope === 1 && !facts.targetIsDescendant) {
      return {
        message: `Yama ptrace_scope is 1: only an ancestor of ${who}, or a process it named with prctl(PR_SET_PTRACER), may read its memory`,
        hint: "start the program from pvm (`pvm run RECIPE -- COMMAND`), run pvm with CAP_SYS_PTRACE (e.g. `sudo`), have the target call prctl(PR_SET_PTRACER, …) naming pvm or an ancestor of it, or set kernel.yama.ptrace_scope=0"
      };
    }
  }
  return {
    message: `the kernel refused access to ${who} although uids, gids and capabilities allow it; a security module (SELinux, AppArmor) may deny it`,
    hint: "check the audit log (`journalctl -k`, `ausearch -m avc`) for a denial"
  };
}

// src/target/live-scan.ts
import { closeSync as closeSync2, openSync as openSync2, readFileSync as readFileSync2 } from "node:fs";

// src/native/pagemap.ts
import { closeSync, openSync, readSync } from "node:fs";
var ENTRIES_PER_READ = 1 << 16;
var HOLDS_DATA = 3221225472;
function appendResidentRuns(words, count, first, pageSize, runs) {
  const page = BigInt(pageSize);
  let runStart = -1;
  const close = (end) => {
    const start = first + BigInt(runStart) * page;
    const last = runs[runs.length - 1];
    if (last !== undefined && last.end === start)
      runs[runs.length - 1] = { start: last.start, end: first + BigInt(end) * page };
    else
      runs.push({ start, end: first + BigInt(end) * page });
    runStart = -1;
  };
  for (let i = 0;i < count; i++) {
    const holds = (words[i * 2 + 1] & HOLDS_DATA) !== 0;
    if (holds && runStart < 0)
      runStart = i;
    else if (!holds && runStart >= 0)
      close(i);
  }
  if (runStart >= 0)
    close(count);
}

class Pagemap {
  #fd;
  #pageSize;
  #buffer = new Uint32Array(ENTRIES_PER_READ * 2);
  constructor(pid, pageSize) {
    this.#fd = openSync(`/proc/${pid}/pagemap`, "r");
    this.#pageSize = pageSize;
  }
  residentRuns(start, end) {
    const page = BigInt(this.#pageSize);
    const runs = [];
    const bytes = new Uint8Array(this.#buffer.buffer);
    const last = (end + page - 1n) / page * page;
    for (let first = start / page * page;first < last; ) {
      const pages = Math.min(ENTRIES_PER_READ, Number((last - first) / page));
      const got = readSync(this.#fd, bytes, 0, pages * 8, Number(first / page * 8n));
      const entries = Math.floor(got / 8);
      if (entries === 0)
        break;
      appendResidentRuns(this.#buffer, entries, first, this.#pageSize, runs);
      first += BigInt(entries) * page;
    }
    return runs;
  }
  close() {
    closeSync(this.#fd);
  }
}

// src/target/live-scan.ts
function openLiveScan(pid, vm, libc, readMaps) {
  const smaps = attempt(() => parseSmaps(readFileSync2(`/proc/${pid}/smaps`, "latin1")));
  const regions = smaps?.entries ?? readMaps();
  const pagemap = attempt(() => new Pagemap(pid, libc.pageSize));
  const search = fastestSearch(libc, (bytes) => vm.nativeAddressOf(bytes));
  const residentRuns = (start, end) => pagemap?.residentRuns(start, end) ?? [{ start, end }];
  const files = regions.filter(isFileMapping);
  const resident = new Map;
  const opened = new Map;
  const fileOf = (entry) => {
    const key = `${entry.device}:${entry.inode}`;
    if (opened.has(key))
      return opened.get(key);
    const path = entry.deleted ? `/proc/${pid}/map_files/${entry.start.toString(16)}-${entry.end.toString(16)}` : `/proc/${pid}/root${entry.path}`;
    const fd = attempt(() => openSync2(path, "r"));
    const same = fd !== undefined && attempt(() => isMappedFile(fd, entry)) === true;
    if (fd !== undefined && !same)
      closeSync2(fd);
    opened.set(key, same ? fd : undefined);
    return same ? fd : undefined;
  };
  const segments = (request) => {
    const out = [];
    const end = request.address + BigInt(request.length);
    const memory = (from, to) => {
      const last = out[out.length - 1];
      if (last !== undefined && last.file === undefined && last.address + BigInt(last.length) === from)
        out[out.length - 1] = { ...last, length: last.length + Number(to - from) };
      else
        out.push({ address: from, length: Number(to - from), file: undefined });
    };
    let at = request.address;
    for (let i = firstEndingAfter(files, at);i < files.length; i++) {
      const entry = files[i];
      if (entry.start >= end)
        break;
      const from = entry.start > at ? entry.start : at;
      const to = entry.end < end ? entry.end : end;
      if (from > at)
        memory(at, from);
      let runs = resident.get(entry);
      if (runs === undefined)
        resident.set(entry, runs = residentRuns(entry.start, entry.end));
      const fd = fileOf(entry);
      const untouched = (a, b) => {
        if (fd === undefined)
          memory(a, b);
        else
          out.push({ address: a, length: Number(b - a), file: { fd, offset: entry.offset + (a - entry.start) } });
      };
      splitByRanges(runs, from, to, memory, untouched);
      at = to;
    }
    if (at < end)
      memory(at, end);
    return out;
  };
  const readChunks = (requests) => {
    const pieces = requests.map(segments);
    const flat = pieces.flat();
    const outcomes = vm.readInPlace(flat.map((s) => ({ address: s.address, length: s.length, hole: s.file !== undefined })));
    flat.forEach((segment, i) => {
      if (segment.file === undefined)
        return;
      const got = readFileAsMapped(segment.file.fd, outcomes[i].bytes, segment.file.offset);
      outcomes[i] = { ...outcomes[i], done: got, fault: got < segment.length ? { address: segment.address + BigInt(got), errno: Errno.EFAULT } : undefined };
    });
    let next = 0;
    return requests.map((request, r) => {
      const own = outcomes.slice(next, next + pieces[r].length);
      next += pieces[r].length;
      const first = own[0].bytes;
      const bytes = new Uint8Array(first.buffer, first.byteOffset, request.length);
      let done = 0;
      for (const outcome of own) {
        done += outcome.done;
        if (outcome.fault !== undefined)
          return { bytes, done, fault: outcome.fault };
      }
      return { bytes, done, fault: undefined };
    });
  };
  return {
    regions,
    vmFlags: smaps?.vmFlags ?? new Map,
    residentRuns,
    readChunks,
    search,
    close: () => {
      pagemap?.close();
      search.close();
      for (const fd of opened.values())
        if (fd !== undefined)
          closeSync2(fd);
    }
  };
}

// src/target/live-process.ts
class LiveProcess2 {
  identity;
  #vm;
  #libc;
  #procMem;
  #threads;
  #userfaultRanges;
  #moduleFiles = new Map;
  constructor(identity, vm, libc) {
    this.identity = identity;
    this.#vm = vm;
    this.#libc = libc;
  }
  static async open(pid) {
    const status = readStatus(pid);
    const stat = attempt(() => statFields(readFileSync3(`/proc/${pid}/stat`, "latin1")));
    const identity = {
      kind: "process",
      pid,
      name: status.name,
      exe: attempt(() => readlinkSync(`/proc/${pid}/exe`)),
      cmdline: readCmdline(pid),
      startTime: stat?.[19]
    };
    const flags = Number(stat?.[6] ?? 0);
    if ((flags & 2097152) !== 0) {
      throw new TargetError("kernel-thread", `${describeTarget(identity)} is a kernel thread: it has no user memory to read`, { hint: "choose a user process (`ps -e` shows kernel threads in [brackets])" });
    }
    if (status.state === "Z") {
      throw new TargetError("target-exited", `${describeTarget(identity)} has exited (it is a zombie waiting for its parent) and has no memory to read`, {
        hint: "choose a running process"
      });
    }
    let libc;
    try {
      libc = await loadLibc();
    } catch (error) {
      throw new TargetError("native-unavailable", `cannot load the native layer (koffi) to read processes: ${error.message}`, {
        hint: "run `npm ci` in the pvm directory; on Deno, allow FFI (`deno task pvm` does)"
      });
    }
    const vm = new VmChannel(libc, pid);
    try {
      vm.probe();
    } catch (error) {
      vm.close();
      throw translate(error, identity);
    }
    return new LiveProcess2(identity, vm, libc);
  }
  regions() {
    return this.#maps();
  }
  get writable() {
    return this;
  }
  lockWrites() {
    const { pid, startTime } = this.identity;
    const path = join(process.env.XDG_RUNTIME_DIR || tmpdir(), `pvm-${pid}-${startTime ?? "unknown"}.lock`);
    const open = () => {
      try {
        return openSync3(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 384);
      } catch (error) {
        throw new DeniedError("lock-unavailable", `cannot take the write lock of ${describeTarget(this.identity)} (${path}): ${error.message}; nothing was written`, {
          hint: "check the runtime directory ($XDG_RUNTIME_DIR or /tmp)"
        });
      }
    };
    let fd = open();
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;; ) {
      if (this.#libc.flock(fd, LOCK_EX | LOCK_NB) === 0) {
        if (isFileAt(fd, path))
          break;
        closeSync3(fd);
        fd = open();
        continue;
      }
      if (Date.now() > deadline) {
        const holder = attempt(() => readFileSync3(path, "utf8").trim()) ?? "";
        closeSync3(fd);
        throw new TargetError("target-busy", `another pvm${holder === "" ? "" : ` (pid ${holder})`} is writing to ${describeTarget(this.identity)}; nothing was written`, {
          hint: "retry when it is done: two patchers of one process are taken one at a time"
        });
      }
      sleepSync(5);
    }
    attempt(() => {
      ftruncateSync(fd, 0);
      writeSync(fd, `${process.pid}
`, 0);
    });
    const held = fd;
    return () => {
      attempt(() => unlinkSync(path));
      this.#libc.flock(held, LOCK_UN);
      closeSync3(held);
    };
  }
  threads() {
    if (this.#threads === undefined) {
      const frozen = this.freeze();
      frozen.thaw();
      this.#threads = frozen.threads.map(({ tid, registers }) => ({ tid, registers }));
    }
    return this.#threads;
  }
  #maps() {
    try {
      const root = `/proc/${this.identity.pid}/root`;
      return undoFalseDeletions(parseMaps(readFileSync3(`/proc/${this.identity.pid}/maps`, "latin1")), (entry, path) => isMappedPath(`${root}${path}`, entry));
    } catch (error) {
      throw translate(error, this.identity);
    }
  }
  read(requests) {
    return throughStops(requests, requests.map((r) => this.#stopOf(r.address, r.length)), (r, keep) => ({ address: r.address, length: keep }), (sent) => {
      try {
        return this.#vm.read(sent).map((o) => ({ bytes: o.bytes, done: o.done, fault: o.fault }));
      } catch (error) {
        throw translate(error, this.identity);
      }
    }, (r, answer, stop) => {
      const bytes = new Uint8Array(r.length);
      if (answer !== undefined)
        bytes.set(answer.bytes.subarray(0, answer.done));
      return { bytes, done: answer?.done ?? 0, fault: answer?.fault ?? { address: stop.at, reason: stop.reason } };
    });
  }
  readRanges(starts, lengths) {
    for (const { start, end } of this.#blocking()) {
      const [low, high] = [Number(start), Number(end)];
      for (let i = 0;i < starts.length; i++)
        if (starts[i] < high && low < starts[i] + lengths[i])
          return;
    }
    if (lengths.some((length) => length > DEFAULT_CALL_BYTES))
      return;
    try {
      return this.#vm.readRanges(starts, lengths);
    } catch (error) {
      throw translate(error, this.identity);
    }
  }
  #stopOf(address, length) {
    const end = address + BigInt(length);
    if (address < 0n || address >= USER_LIMIT)
      return { at: address, reason: undefined };
    const blocked = this.#blocking().find((range) => range.start < end && address < range.end);
    if (blocked !== undefined) {
      return { at: blocked.start > address ? blocked.start : address, reason: "the page is registered with userfaultfd (VmFlags um): reading or writing it would block until the target serves the fault, perhaps never" };
    }
    if (end > USER_LIMIT)
      return { at: USER_LIMIT, reason: undefined };
    return;
  }
  #blocking() {
    this.#userfaultRanges ??= (() => {
      const smaps = attempt(() => parseSmaps(readFileSync3(`/proc/${this.identity.pid}/smaps`, "latin1")));
      if (smaps === undefined)
        return [];
      return smaps.entries.filter((entry) => USERFAULT_FLAGS.some((flag) => smaps.vmFlags.get(entry.start)?.includes(flag)));
    })();
    return this.#userfaultRanges;
  }
  write(requests) {
    return this.#guardedWrite(requests, (sent) => this.#vm.write(sent));
  }
  writeForce(requests) {
    return this.#guardedWrite(requests, (sent) => {
      this.#procMem ??= ProcMem.open(this.#libc, this.identity.pid, true);
      const mem = this.#procMem;
      return sent.map(({ address, bytes }) => mem.write(address, bytes));
    });
  }
  #guardedWrite(requests, io) {
    return throughStops(requests, requests.map((w) => this.#stopOf(w.address, w.bytes.length)), (w, keep) => ({ address: w.address, bytes: w.bytes.subarray(0, keep) }), (sent) => {
      try {
        return io(sent);
      } catch (error) {
        throw translate(error, this.identity);
      }
    }, (_, answer, stop) => ({ done: answer?.done ?? 0, fault: answer?.fault ?? { address: stop.at, reason: stop.reason } }));
  }
  freeze() {
    try {
      return freezeProcess(this.#libc, this.identity.pid);
    } catch (error) {
      if (error instanceof NativeError && error.errno === Errno.EPERM) {
        const tracer = attempt(() => readStatus(this.identity.pid).tracerPid) ?? 0;
        const args = (attempt(() => readFileSync3(`/proc/${tracer}/cmdline`, "latin1")) ?? "").split("\x00");
        const tracerIsPvm = tracer !== 0 && (args[0]?.split("/").pop() === "pvm" || args.some((arg) => /\/cli\/main\.(js|ts)$/.test(arg)));
        throw new DeniedError("freeze-denied", `cannot stop the threads of ${describeTarget(this.identity)}: ${tracer !== 0 ? `it is already traced by pid ${tracer} (${tracerIsPvm ? "another pvm, patching it now" : "a debugger?"})` : "ptrace refused (Yama ptrace_scope, or a security module)"}`, {
          hint: tracer !== 0 ? "detach the debugger first, or patch without freezing (data pages only)" : "run pvm as root or with CAP_SYS_PTRACE, or lower /proc/sys/kernel/yama/ptrace_scope",
          cause: error
        });
      }
      if (error instanceof NativeError && error.errno === Errno.EBUSY) {
        throw new TargetError("freeze-timeout", `cannot stop every thread of ${describeTarget(this.identity)}: ${error.detail ?? error.message}`, {
          hint: "a thread blocked in the kernel (state D) cannot be stopped; retry when it is not",
          cause: error
        });
      }
      throw translate(error, this.identity);
    }
  }
  moduleFile(path) {
    let fd = this.#moduleFiles.get(path);
    if (fd === undefined) {
      fd = this.#openModuleFile(path);
      this.#moduleFiles.set(path, fd);
    }
    const opened = fd;
    return {
      read: (offset, length) => readAt(opened, offset, length),
      shareable: {
        key: fileKey(opened),
        open: () => {
          const own = openSync3(`/proc/self/fd/${opened}`, "r");
          return { reader: { read: (offset, length) => readAt(own, offset, length) }, close: () => closeSync3(own) };
        }
      }
    };
  }
  #openModuleFile(path) {
    const mapped = this.#maps().find((entry) => entry.path === path && entry.offset === 0n);
    let fd;
    try {
      fd = openSync3(`/proc/${this.identity.pid}/root${path}`, "r");
    } catch (error) {
      throw new TargetError("module-unreadable", `cannot read ${path}, a file mapped by ${describeTarget(this.identity)}: ${error.message}`, {
        hint: "pvm reads the ELF file of a module to find its symbols; check that the file still exists",
        cause: error
      });
    }
    if (mapped === undefined || isMappedFile(fd, mapped))
      return fd;
    closeSync3(fd);
    const mapping = attempt(() => openSync3(`/proc/${this.identity.pid}/map_files/${mapped.start.toString(16)}-${mapped.end.toString(16)}`, "r"));
    if (mapping !== undefined)
      return mapping;
    throw new TargetError("module-replaced", `${path} is not the file ${describeTarget(this.identity)} mapped (another device or inode: replaced since, or covered by a mount)`, {
      hint: "restart the process to load the current file, or run pvm as root, which reads the mapped file itself"
    });
  }
  openScan() {
    const access = openLiveScan(this.identity.pid, this.#vm, this.#libc, () => this.#maps());
    return {
      ...access,
      readChunks: (requests) => {
        try {
          return access.readChunks(requests);
        } catch (error) {
          throw translate(error, this.identity);
        }
      }
    };
  }
  processInfo() {
    const pid = this.identity.pid;
    const status = readStatus(pid);
    const fields = attempt(() => statFields(readFileSync3(`/proc/${pid}/stat`, "latin1"))) ?? [];
    return {
      pid,
      ppid: status.ppid,
      pgrp: Number(fields[2] ?? 0),
      sid: Number(fields[3] ?? 0),
      uid: status.uid[0],
      gid: status.gid[0],
      state: status.state,
      name: status.name,
      args: this.identity.cmdline.join(" ")
    };
  }
  threadIds() {
    const pid = this.identity.pid;
    const tids = (attempt(() => readdirSync2(`/proc/${pid}/task`)) ?? []).map(Number).filter((tid) => Number.isSafeInteger(tid) && tid > 0);
    return tids.sort((a, b) => a === pid ? -1 : b === pid ? 1 : a - b);
  }
  auxv() {
    return attempt(() => readFileSync3(`/proc/${this.identity.pid}/auxv`));
  }
  get calls() {
    return this.#vm.calls;
  }
  close() {
    for (const fd of this.#moduleFiles.values())
      closeSync3(fd);
    this.#moduleFiles.clear();
    this.#vm.close();
    this.#procMem?.close();
    this.#procMem = undefined;
  }
}
var LOCK_EX = 2;
var LOCK_NB = 4;
var LOCK_UN = 8;
var LOCK_WAIT_MS = 5000;
var USER_LIMIT = 1n << 63n;
function throughStops(requests, stops, cut, io, stopped) {
  if (stops.every((stop) => stop === undefined))
    return io(requests);
  const sent = requests.flatMap((request, i) => {
    const stop = stops[i];
    if (stop === undefined)
      return [request];
    return stop.at > request.address ? [cut(request, Number(stop.at - request.address))] : [];
  });
  const answers = io(sent);
  let next = 0;
  return requests.map((request, i) => {
    const stop = stops[i];
    if (stop === undefined)
      return answers[next++];
    return stopped(request, stop.at > request.address ? answers[next++] : undefined, stop);
  });
}
var USERFAULT_FLAGS = ["um", "ui", "uw"];
function readStatus(pid) {
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    throw new TargetError("no-such-process", `${pid} is not a process id`, { hint: "pass a positive pid, e.g. --pid 4242" });
  }
  try {
    return parseStatus(readFileSync3(`/proc/${pid}/status`, "utf8"));
  } catch {
    throw new TargetError("no-such-process", `no process with pid ${pid}`, { hint: "check the pid with `ps -e`; the process may have exited" });
  }
}
function statFields(stat) {
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}
function startTimeOf2(stat) {
  return statFields(stat)[19];
}
function readCmdline(pid) {
  const raw = attempt(() => readFileSync3(`/proc/${pid}/cmdline`, "utf8")) ?? "";
  return raw.split("\x00").filter((part, i, all) => part !== "" || i < all.length - 1);
}
function translate(error, identity) {
  const who = describeTarget(identity);
  const errno = error instanceof NativeError ? error.errno : error.code === "ENOENT" ? Errno.ESRCH : undefined;
  if (errno === Errno.ESRCH) {
    return new TargetError("target-exited", `${who} has exited`, { hint: "the process ended while pvm was reading it; start it again and rerun", cause: error });
  }
  if (errno === Errno.EPERM || errno === Errno.EACCES) {
    const refusal = explainRefusal(gatherAccessFacts(identity.pid ?? 0));
    return new DeniedError("access-denied", refusal.message, { hint: refusal.hint, cause: error });
  }
  return error;
}
function gatherAccessFacts(pid) {
  const caller = parseStatus(readFileSync3("/proc/self/status", "utf8"));
  const target = readStatus(pid);
  const memOwner = attempt(() => statSync(`/proc/${pid}/mem`).uid);
  const yama = attempt(() => Number(readFileSync3("/proc/sys/kernel/yama/ptrace_scope", "utf8").trim()));
  return {
    caller,
    target,
    targetDumpable: memOwner === undefined || memOwner === target.uid[1],
    yamaScope: yama,
    targetIsDescendant: isDescendant(pid, caller.pid)
  };
}
function isDescendant(pid, ancestor) {
  let current = pid;
  for (let depth = 0;depth < 512 && current > 1; depth++) {
    const parent = attempt(() => parseStatus(readFileSync3(`/proc/${current}/status`, "utf8")).ppid);
    if (parent === undefined)
      return false;
    if (parent === ancestor)
      return true;
    current = parent;
  }
  return false;
}
function isFileAt(fd, path) {
  const open = fstatSync(fd);
  const now = statSync(path, { throwIfNoEntry: false });
  return now !== undefined && now.ino === open.ino && now.dev === open.dev;
}

export { LiveProcess2, startTimeOf2 };
