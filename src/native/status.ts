// Parser for /proc/PID/status and /proc/self/status: the credentials and
// state that the ptrace access check depends on (docs/kernel.md §3).

export interface ProcessStatus {
  readonly name: string;
  /** `R`, `S`, `T`, `Z`, … */
  readonly state: string;
  readonly pid: number;
  /** The thread group: the process a thread (whose pid this is) belongs to. */
  readonly tgid: number;
  readonly ppid: number;
  readonly tracerPid: number;
  /** real, effective, saved, filesystem */
  readonly uid: readonly [number, number, number, number];
  readonly gid: readonly [number, number, number, number];
  readonly capEff: bigint;
  readonly capPrm: bigint;
  /** VmRSS, in bytes: memory the process holds now (0 for a kernel thread, which has none). */
  readonly residentBytes: number;
}

export const CAP_DAC_OVERRIDE = 1n;
export const CAP_SYS_PTRACE = 19n;

export function hasCapability(caps: bigint, capability: bigint): boolean {
  return ((caps >> capability) & 1n) === 1n;
}

export function parseStatus(text: string): ProcessStatus {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const ids = (key: string): [number, number, number, number] => {
    const values = (fields.get(key) ?? '').split(/\s+/).map(Number);
    return [values[0] ?? -1, values[1] ?? -1, values[2] ?? -1, values[3] ?? -1];
  };
  return {
    // Name is escaped by the kernel only for `\n` and `\\`; enough for messages.
    name: fields.get('Name') ?? '',
    state: (fields.get('State') ?? '?').charAt(0),
    pid: Number(fields.get('Pid') ?? -1),
    tgid: Number(fields.get('Tgid') ?? -1),
    ppid: Number(fields.get('PPid') ?? -1),
    tracerPid: Number(fields.get('TracerPid') ?? 0),
    uid: ids('Uid'),
    gid: ids('Gid'),
    capEff: BigInt(`0x${fields.get('CapEff') ?? '0'}`),
    capPrm: BigInt(`0x${fields.get('CapPrm') ?? '0'}`),
    // `VmRSS:	  12345 kB`
    residentBytes: Number.parseInt(fields.get('VmRSS') ?? '0', 10) * 1024 || 0,
  };
}
