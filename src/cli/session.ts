// Opening a target under the policies, in the order they demand: the target's
// facts are judged before its memory is touched, then every access goes
// through the guard (src/policy/guard.ts), which reports to the audit log.
import { attempt } from '../attempt.ts';
import { refuseTarget, policedSource } from '../policy/apply.ts';
import type { LoadedPolicy } from '../policy/load.ts';
import { ModuleResolver } from '../runtime/modules.ts';
import type { CoreTarget } from '../target/core-target.ts';
import type { LiveProcess } from '../target/live-process.ts';
import type { MemorySource } from '../target/target.ts';
import type { LiveTargetSpec, TargetSpec } from './args.ts';
import { openAudit, type AuditFile } from './audit-file.ts';

export interface Session {
  /** What the run reads and writes: the target behind the guard when a policy applies. */
  readonly target: MemorySource;
  /** The live process itself, unguarded, for what /proc says of it (a snapshot's notes); undefined for a core. */
  readonly live: LiveProcess | undefined;
  readonly policies: readonly LoadedPolicy[];
  readonly audit: AuditFile | undefined;
  close(): void;
}

/** The pid a live target spec names (a name must match exactly one process). */
export async function pidOf(spec: LiveTargetSpec): Promise<number> {
  if (spec.kind === 'pid') return spec.pid;
  const { findProcessByName } = await import('../target/find-process.ts');
  return findProcessByName(spec.name, process.pid);
}

/** Opens a live process, judged by the policies first; `deciding` is told which process is judged (for the audit). */
export async function openLive(spec: LiveTargetSpec, policies: readonly LoadedPolicy[], audit: AuditFile | undefined, deciding: (who: { pid: number; name: string }) => void = () => {}): Promise<LiveProcess> {
  const pid = await pidOf(spec);
  deciding({ pid, name: '' });
  if (policies.length > 0) {
    const { liveTargetFacts } = await import('../target/target-facts.ts');
    const facts = liveTargetFacts(pid);
    deciding({ pid, name: facts.comm });
    refuseTarget(policies, facts, { pid, name: facts.comm }, audit?.append);
  }
  const { LiveProcess } = await import('../target/live-process.ts');
  return LiveProcess.open(pid);
}

/** Opens any target under the policies, with the audit log if one is asked for. */
export async function openSession(spec: TargetSpec, policies: readonly LoadedPolicy[], auditPath: string | undefined): Promise<Session> {
  let raw: MemorySource | undefined;
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
    } else raw = await openLive(spec, policies, audit, (deciding) => (who = deciding));
    const source = raw;
    const resolver = new ModuleResolver(source);
    const target = policedSource(source, policies, { symbol: (module, name) => attempt(() => resolver.symbolRange(module, name)), audit: audit?.append });
    return {
      target,
      live: spec.kind === 'core' ? undefined : (source as LiveProcess),
      policies,
      audit,
      close: () => {
        source.close();
        audit?.close();
      },
    };
  } catch (error) {
    raw?.close();
    audit?.close();
    throw error;
  }
}
