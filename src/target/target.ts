// What the runtime executes against. A live process, a core file and a
// snapshot all look like this, and the runtime cannot tell them apart.

export interface Region {
  readonly start: bigint;
  readonly end: bigint;
  /** `r-xp` */
  readonly perms: string;
  readonly offset: bigint;
  /** File path or pseudo-name (`[heap]`); '' for anonymous memory. */
  readonly path: string;
  readonly deleted: boolean;
}

export interface TargetIdentity {
  readonly kind: 'process' | 'memory';
  readonly pid: number | undefined;
  /** The process name (comm), or a label. */
  readonly name: string;
  readonly exe: string | undefined;
  readonly cmdline: readonly string[];
}

export interface ReadRequest {
  readonly address: bigint;
  readonly length: number;
}

export interface WriteRequest {
  readonly address: bigint;
  readonly bytes: Uint8Array;
}

/** Bytes up to the first fault; `fault` says where reading stopped early. */
export interface ReadResult {
  readonly bytes: Uint8Array;
  readonly done: number;
  readonly fault: { readonly address: bigint } | undefined;
}

export interface WriteResult {
  readonly done: number;
  readonly fault: { readonly address: bigint } | undefined;
}

export interface Target {
  readonly identity: TargetIdentity;
  /** The memory map, re-read on each call for a live process (it changes). */
  regions(): readonly Region[];
  /** Reads all requests, batched; a fault affects only its own request. */
  read(requests: readonly ReadRequest[]): ReadResult[];
  write(requests: readonly WriteRequest[]): WriteResult[];
  /** The bytes of a mapped file (an ELF module), as the target sees it. */
  moduleImage(path: string): Uint8Array;
  close(): void;
}

/** `pid 4242 (nginx)`, the way errors name a target. */
export function describeTarget(identity: TargetIdentity): string {
  return identity.pid === undefined ? identity.name : `pid ${identity.pid} (${identity.name})`;
}
