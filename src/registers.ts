// The registers a recipe may name in reg(thread, "name"): x86-64's
// user_regs_struct, in its order, as PTRACE_GETREGS and a core's NT_PRSTATUS
// hold them. Shared by the checker (names), the native layer (layout) and the
// runtime (which are addresses).
// deno-fmt-ignore
export const X86_64_REGISTERS: readonly string[] = [
  'r15', 'r14', 'r13', 'r12', 'rbp', 'rbx', 'r11', 'r10', 'r9', 'r8', 'rax', 'rcx', 'rdx', 'rsi', 'rdi',
  'orig_rax', 'rip', 'cs', 'eflags', 'rsp', 'ss', 'fs_base', 'gs_base', 'ds', 'es', 'fs', 'gs',
];

/** Registers that hold addresses: shown as 0x… like pointers. */
export const ADDRESS_REGISTERS: ReadonlySet<string> = new Set(['rip', 'rsp', 'rbp', 'fs_base', 'gs_base']);
