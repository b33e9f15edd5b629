// Opening a target under the policies, in the order they demand: the target's
// facts are judged before its memory is touched, then every access goes
// through the guard (src/policy/guard.ts), which reports to the audit log.
import type { TypeSource } from '../types/type-source.ts';
import { policedSource, refuseTarget } from '../policy/apply.ts';
import type { LoadedPolicy } from '../policy/load.ts';
import { ModuleResolver } from '../runtime/symbols/modules.ts';
import type { ElfFiles } from '../runtime/symbols/elf-files.ts';
import type { CoreTarget } from '../target/core-target.ts';
import type { MapWatch } from '../target/map-watch.ts';
import type { SmapsText } from '../target/smaps-ahead.ts';
import type { LiveProcess } from '../target/live-process.ts';
import type { ProcessFacts } from '../target/process-facts.ts';
import type { Spawned } from '../target/spawn.ts';
import type { AddressRange, MemorySource, Region, ScanWorkers } from '../target/target.ts';
import { PvmError } from '../errors.ts';
import type { LiveTargetSpec, TargetSpec } from './request.ts';
import { type AuditFile, openAudit } from './audit-file.ts';

export interface Session {
  /** What the run reads and writes: the target behind the guard when a policy applies. */
  readonly target: MemorySource;
  /** What /proc says of the live process besides its memory (a snapshot's notes), not access to it; undefined for a core. */
  readonly facts: ProcessFacts | undefined;
  /** Why some of a file's region cannot be read, when a core does not hold all of it and its file cannot be used (pvm maps); always undefined for a process. */
  readonly fileProblem: (region: Region) => string | undefined;
  readonly policies: readonly LoadedPolicy[];
  readonly audit: AuditFile | undefined;
  /** Types from the debug info of the target's modules, for a recipe that names them (read through the guard). */
  types(): Promise<TypeSource>;
  /** The debug info of one of its modules (undefined: the executable's), as types() reads it: what pvm types and the REPL's .type show. */
  debugTypes(module: string | undefined): Promise<ReturnType<ModuleResolver['debugTypes']>>;
  close(): void;
  /** For a program pvm started: wait for it, leave it, or kill it, as --then says. */
  afterwards(): Promise<void>;
}

/** The pid of a process that exists already (a name must match exactly one process). */
export async function pidOf(spec: Exclude<LiveTargetSpec, { kind: 'spawn' }>): Promise<number> {
  if (spec.kind === 'pid') return spec.pid;
  const { findProcessByName } = await import('../target/find-process.ts');
  return findProcessByName(spec.name, process.pid);
}

/** A live process opened, judged by the policies first, and what to do with a program pvm started once the run is over. */
interface OpenedLive {
  readonly live: LiveProcess;
  readonly afterwards: () => Promise<void>;
}

/** How a session is opened. */
export interface SessionOptions {
  /** A program pvm starts writes nothing to stdout (--json owns it). */
  readonly quietStdout?: boolean;
  /** ELF parses shared between the processes of a run over many. */
  readonly elfFiles?: ElfFiles | undefined;
  /** The run reads smaps (to read in batches, or to scan: walk.ts readsSmaps): it is read ahead as a live target opens. */
  readonly readsSmaps?: boolean;
  /** smaps of a --pid target, being read since the run began (readSmapsAhead). */
  readonly smaps?: Promise<SmapsText | undefined> | undefined;
}

/** Opens a live process, or starts one, judged by the policies first; `deciding` is told which process is judged (for the audit). */
export async function openLive(spec: LiveTargetSpec, policies: readonly LoadedPolicy[], audit: AuditFile | undefined, options: SessionOptions, deciding: (who: { pid: number; name: string }) => void = () => {}): Promise<OpenedLive> {
  let spawned: Spawned | undefined;
  if (spec.kind === 'spawn') {
    if (policies.length > 0 && spec.command[0] !== undefined) {
      // Judged before it starts: it would run with pvm's privileges whatever the policy says of it (and again once started).
      const { spawnTargetFacts } = await import('../target/target-facts.ts');
      const facts = spawnTargetFacts(spec.command[0], process.env.PATH);
      refuseTarget(policies, facts, { pid: undefined, name: `${spec.command[0]}, not started` }, audit?.append);
    }
    const { spawnTarget } = await import('../target/spawn.ts');
    spawned = await spawnTarget(spec.command, spec.ready, options.quietStdout === true);
  }
  const afterwards = async () => {
    await spawned?.finish(spec.kind === 'spawn' ? spec.then : 'leave');
  };
  try {
    const pid = spawned?.pid ?? (await pidOf(spec as Exclude<LiveTargetSpec, { kind: 'spawn' }>));
    deciding({ pid, name: '' });
    if (policies.length > 0) {
      const { liveTargetFacts } = await import('../target/target-facts.ts');
      const facts = liveTargetFacts(pid);
      deciding({ pid, name: facts.comm });
      refuseTarget(policies, facts, { pid, name: facts.comm }, audit?.append);
    }
    const { LiveProcess } = await import('../target/live-process.ts');
    const smaps = options.smaps ?? (options.readsSmaps === true ? (await import('../target/smaps-ahead.ts')).readSmapsAhead(pid) : undefined);
    return { live: await LiveProcess.open(pid, { smaps, scanWorkers }), afterwards };
  } catch (error) {
    await spawned?.finish('kill'); // a program pvm started for a run that cannot happen
    throw error;
  }
}

/** Opens any target under the policies, with the audit log if one is asked for. */
export async function openSession(spec: TargetSpec, policies: readonly LoadedPolicy[], auditPath: string | undefined, options: SessionOptions = {}): Promise<Session> {
  let raw: MemorySource | undefined;
  let afterwards = async (): Promise<void> => {};
  let who: { pid: number | undefined; name: string } = { pid: undefined, name: '' };
  const audit = auditPath === undefined ? undefined : openAudit(auditPath, policies, () => (raw === undefined ? who : { pid: raw.identity.pid, name: raw.identity.name }));
  try {
    if (spec.kind === 'core') {
      const { CoreTarget } = await import('../target/core-target.ts');
      const core: CoreTarget = await CoreTarget.open(spec.path, { snapshot: spec.snapshot });
      raw = core;
      if (policies.length > 0) {
        const { coreTargetFacts } = await import('../target/target-facts.ts');
        refuseTarget(policies, coreTargetFacts(core), core.identity, audit?.append);
      }
    } else {
      const opened = await openLive(spec, policies, audit, options, (deciding) => (who = deciding));
      raw = opened.live;
      afterwards = opened.afterwards;
    }
    const source = raw;
    // The policy's symbol: rules are resolved through the guard itself (without its region rules, which they make).
    let resolver: ModuleResolver | undefined;
    const symbol = (module: string, name: string, reading: MemorySource, map: MapWatch) => symbolOfRule(resolver ??= new ModuleResolver(reading, { debugDirectories: debugDirectories(), elfFiles: options.elfFiles, map }), module, name);
    const target = policedSource(source, policies, { symbol, audit: audit?.append });
    const core = spec.kind === 'core' ? (source as CoreTarget) : undefined;
    let typesResolver: ModuleResolver | undefined;
    const modules = () => typesResolver ??= new ModuleResolver(target, { debugDirectories: debugDirectories(), elfFiles: options.elfFiles, cacheDirectory: typeCacheDirectory() });
    return {
      target,
      // The DWARF reader is loaded only here, by a run that reads types: other runs' start-up never loads it.
      types: async () => {
        const [{ resolverTypes }, reader] = await Promise.all([import('../types/target-types.ts'), debugInfoReader()]);
        return resolverTypes(modules(), reader);
      },
      debugTypes: async (module) => modules().debugTypes(module, await debugInfoReader()),
      facts: spec.kind === 'core' ? undefined : (source as LiveProcess).facts,
      fileProblem: (region) => core?.fileProblem(region),
      policies,
      audit,
      close: () => {
        resolver?.close();
        typesResolver?.close();
        source.close();
        audit?.close();
      },
      afterwards: () => afterwards(),
    };
  } catch (error) {
    raw?.close();
    audit?.close();
    throw error;
  }
}

/**
 * The bytes a policy's `symbol:MODULE:NAME` covers: none when the module is
 * not mapped (as `module:NAME`), else the symbol's, or an error saying why it
 * cannot be resolved, which refuses the run (the guard: policies fail closed).
 */
function symbolOfRule(resolver: ModuleResolver, module: string, name: string): AddressRange | undefined {
  try {
    return resolver.symbolRange(module, name);
  } catch (error) {
    if (error instanceof PvmError && error.code === 'no-module') return undefined;
    throw error;
  }
}

/**
 * How large scans of a live process use a worker thread, from the
 * environment, read once: PVM_SCAN_WORKERS=0 keeps every scan on one thread,
 * =wait has this thread wait for the worker to be ready (tests check the
 * merge so); PVM_SCAN_DEBUG=1 says on stderr how the work was shared.
 */
export const scanWorkers: ScanWorkers = {
  use: process.env.PVM_SCAN_WORKERS !== '0',
  wait: process.env.PVM_SCAN_WORKERS === 'wait',
  report: process.env.PVM_SCAN_DEBUG === '1' ? (line) => process.stderr.write(`${line}\n`) : undefined,
};

/** PVM_DEBUG_FILE_DIRECTORY: where symbol() looks for separate debug files, colon-separated as gdb's debug-file-directory. */
export function debugDirectories(): readonly string[] | undefined {
  const value = process.env.PVM_DEBUG_FILE_DIRECTORY;
  return value === undefined || value === '' ? undefined : value.split(':').filter((directory) => directory !== '');
}

/** PVM_WASM_LOOPS: `0` keeps every compiled loop in JS, `always` sends every loop WebAssembly takes there, however short (the tests); else the default. */
export function wasmLoopsFrom(): number | undefined {
  const value = process.env.PVM_WASM_LOOPS;
  return value === '0' ? Infinity : value === 'always' ? 1 : undefined;
}

async function debugInfoReader(): Promise<import('../types/debug-info-files.ts').DebugInfoReader> {
  return (await import('../types/debug-info-files.ts')).DEBUG_INFO_READER;
}

/** Where indexes of debug info are cached: $XDG_CACHE_HOME/pvm, else ~/.cache/pvm; none when neither is set to an absolute path (XDG: a relative one is ignored). */
export function typeCacheDirectory(): string | undefined {
  const xdg = process.env.XDG_CACHE_HOME;
  const home = process.env.HOME;
  const base = xdg !== undefined && xdg.startsWith('/') ? xdg : home !== undefined && home.startsWith('/') ? `${home.replace(/\/+$/, '')}/.cache` : undefined;
  return base === undefined ? undefined : `${base.replace(/\/+$/, '')}/pvm`;
}
