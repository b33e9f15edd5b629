// Why the kernel refused access, in words: the ptrace access check of
// docs/kernel.md §3 evaluated from what /proc shows. Pure; the live target gathers
// the facts, and calls this only after the kernel said EPERM.
import { CAP_SYS_PTRACE, hasCapability, type ProcessStatus } from '../native/status.ts';

export interface AccessFacts {
  readonly caller: ProcessStatus;
  readonly target: ProcessStatus;
  /** False when /proc/PID/mem is owned by root although the target is not (docs/kernel.md §3). */
  readonly targetDumpable: boolean;
  /** /proc/sys/kernel/yama/ptrace_scope, or undefined without Yama. */
  readonly yamaScope: number | undefined;
  /** The target descends from the caller (Yama 1 allows that). */
  readonly targetIsDescendant: boolean;
}

export interface Refusal {
  readonly message: string;
  readonly hint: string;
}

const ROOT_HINT = 'run pvm as root or with CAP_SYS_PTRACE (e.g. `sudo`), or as the same user as the target';

/** The first reason, in the kernel's own order, that explains a refusal. */
export function explainRefusal(facts: AccessFacts): Refusal {
  const { caller, target } = facts;
  const who = `pid ${target.pid} (${target.name})`;
  const ptraceCap = hasCapability(caller.capEff, CAP_SYS_PTRACE);
  const [ruid] = caller.uid;
  const [rgid] = caller.gid;

  if (facts.yamaScope === 3) {
    return { message: `Yama ptrace_scope is 3: no process may read another's memory`, hint: 'only a reboot lowers kernel.yama.ptrace_scope from 3' };
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
        hint: 'run pvm as root, or have the target call prctl(PR_SET_DUMPABLE, 1)',
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
        hint: 'start the program from pvm (`pvm run RECIPE -- COMMAND`), run pvm with CAP_SYS_PTRACE (e.g. `sudo`), have the target call prctl(PR_SET_PTRACER, …) naming pvm or an ancestor of it, or set kernel.yama.ptrace_scope=0',
      };
    }
  }
  return {
    message: `the kernel refused access to ${who} although uids, gids and capabilities allow it; a security module (SELinux, AppArmor) may deny it`,
    hint: 'check the audit log (`journalctl -k`, `ausearch -m avc`) for a denial',
  };
}
