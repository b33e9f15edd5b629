// The on-disk facts of an x86-64 Linux core that both the reader
// (core-format.ts) and the writer (core-layout.ts) must agree on. Offsets and
// sizes were checked with offsetof/sizeof against glibc's <sys/procfs.h>.

export const NT_PRSTATUS = 1;
export const NT_PRFPREG = 2;
export const NT_PRPSINFO = 3;
export const NT_AUXV = 6;
export const NT_SIGINFO = 0x53494749;
export const NT_FILE = 0x46494c45;
/** pvm's own note: name "PVM", this type, descriptor = UTF-8 JSON (opaque to this module). */
export const NT_PVM_SNAPSHOT = 0x50564d01;

/** e_phnum's escape value: the real count is in section header 0's sh_info (elf(5), "extended numbering"). */
export const PN_XNUM = 0xffff;

/** user_regs_struct order on x86-64 (27 registers), as in NT_PRSTATUS's pr_reg and PTRACE_GETREGS: one list for the checker, the native layer and cores. */
export { X86_64_REGISTERS } from '../registers.ts';

/** sizeof(struct elf_prstatus) on x86-64. */
export const PRSTATUS_SIZE = 336;
/** Field offsets in struct elf_prstatus; pr_info.si_signo is at 0, the four timevals at 48..111. */
export const PRSTATUS = { signo: 0, cursig: 12, pid: 32, ppid: 36, pgrp: 40, sid: 44, reg: 112, fpvalid: 328 } as const;

/** sizeof(struct elf_prpsinfo) on x86-64. */
export const PRPSINFO_SIZE = 136;
/** Field offsets in struct elf_prpsinfo; pr_fname is char[16], pr_psargs char[80]. */
export const PRPSINFO = {
  state: 0,
  sname: 1,
  zomb: 2,
  nice: 3,
  flag: 8,
  uid: 16,
  gid: 20,
  pid: 24,
  ppid: 28,
  pgrp: 32,
  sid: 36,
  fname: 40,
  psargs: 56,
} as const;
export const PR_FNAME_SIZE = 16;
export const PR_PSARGS_SIZE = 80;

const NOTE_NAMES: Record<number, string> = {
  [NT_PRSTATUS]: 'NT_PRSTATUS',
  [NT_PRFPREG]: 'NT_PRFPREG',
  [NT_PRPSINFO]: 'NT_PRPSINFO',
  [NT_AUXV]: 'NT_AUXV',
  [NT_SIGINFO]: 'NT_SIGINFO',
  [NT_FILE]: 'NT_FILE',
  [NT_PVM_SNAPSHOT]: 'NT_PVM_SNAPSHOT',
  0x202: 'NT_X86_XSTATE',
};

/** A note type's name for messages ("NT_FILE"), or its number in hex. */
export function noteTypeName(type: number): string {
  return NOTE_NAMES[type] ?? `type 0x${type.toString(16)}`;
}
