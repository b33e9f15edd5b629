// src/registers.ts
var X86_64_REGISTERS = [
  "r15",
  "r14",
  "r13",
  "r12",
  "rbp",
  "rbx",
  "r11",
  "r10",
  "r9",
  "r8",
  "rax",
  "rcx",
  "rdx",
  "rsi",
  "rdi",
  "orig_rax",
  "rip",
  "cs",
  "eflags",
  "rsp",
  "ss",
  "fs_base",
  "gs_base",
  "ds",
  "es",
  "fs",
  "gs"
];
var ADDRESS_REGISTERS = new Set(["rip", "rsp", "rbp", "fs_base", "gs_base"]);

export { X86_64_REGISTERS, ADDRESS_REGISTERS };
