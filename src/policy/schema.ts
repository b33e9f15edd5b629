// The policy file (docs/policy.md): one zod definition validates it and
// generates its JSON Schema (`npm run schema` → schema/policy.schema.json),
// so the two never disagree. Every object is strict: an unknown key is an
// error, with the near key suggested (load.ts).
import { z } from 'zod';
import { parseKeyLine } from './ssh-keys.ts';

/**
 * Where a rule applies: `module:NAME` (a mapped file by basename or path
 * suffix, as module() matches), `symbol:MODULE:NAME` (the symbol's bytes,
 * by its ELF size), `anon` (memory with no file), a pseudo-region such as
 * `[heap]` or `[stack]`, or an address range `0xSTART-0xEND`.
 */
export const RegionSelector = z
  .string()
  .regex(/^(module:.+|symbol:[^:]+:.+|anon|\[[^\]]+\]|0x[0-9a-fA-F]+-0x[0-9a-fA-F]+)$/, 'a region: module:NAME, symbol:MODULE:NAME, anon, [heap], [stack], or 0xSTART-0xEND')
  .describe('module:NAME, symbol:MODULE:NAME, anon, [heap], [stack] (or another bracketed name), or 0xSTART-0xEND');

const count = z.number().int().nonnegative();

/** A process a recipe may touch: every key given must hold. */
export const TargetRule = z
  .strictObject({
    exe: z.string().startsWith('/').optional().describe('the executable, as /proc/PID/exe shows it'),
    buildId: z.string().regex(/^[0-9a-f]+$/, 'lowercase hex').optional().describe('the GNU build-id of the executable'),
    uid: count.optional().describe('the real uid of the process'),
    comm: z.string().max(15).optional().describe('the process name (/proc/PID/comm)'),
    cgroup: z.string().startsWith('/').optional().describe('a cgroup path as in /proc/PID/cgroup, e.g. /system.slice/nginx.service; the process must be in it or below it'),
  })
  .describe('all the given keys must hold');

/** A key that may sign recipes: an OpenSSH public key line, as in its .pub file; checked whole when the policy is read. */
export const SignerKey = z
  .string()
  .superRefine((line, context) => {
    try {
      parseKeyLine(line);
    } catch (error) {
      context.addIssue({ code: 'custom', message: `not an OpenSSH public key: ${(error as Error).message}` });
    }
  })
  // For editors, the shape of what parseKeyLine accepts; it checks the key inside too.
  .meta({ pattern: '^\\s*(ssh-ed25519|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|ssh-rsa)[ \\t]+[A-Za-z0-9+/]+={0,2}([ \\t].*)?$' })
  .describe('an OpenSSH public key, as the line of its .pub file: TYPE BASE64 [COMMENT] (ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa)');

export const PolicySchema = z
  .strictObject({
    targets: z.array(TargetRule).optional().describe('processes (and cores of them) a recipe may touch: any one entry must match; absent, any'),
    read: z
      .strictObject({
        allow: z.array(RegionSelector).optional().describe('the only regions that may be read; absent, all'),
        deny: z.array(RegionSelector).optional().describe('regions that may never be read (scans skip them)'),
        maxBytes: count.optional().describe('bytes read in one run, all reads and scans together'),
        registers: z.boolean().optional().describe("whether reg() may read threads' registers, which hold copies of memory; default true without read.allow and read.deny, false with either"),
      })
      .optional(),
    write: z
      .strictObject({
        allow: z.boolean().optional().describe('whether recipes may write or patch at all (default false); --allow-write is still needed'),
        regions: z.array(RegionSelector).optional().describe('the only regions that may be written; absent, any writable one'),
        code: z.boolean().optional().describe('whether code (non-writable pages, through /proc/PID/mem) may be patched; default false'),
        maxBytes: count.optional().describe('bytes written in one run'),
      })
      .optional(),
    scan: z
      .strictObject({
        maxHits: count.optional().describe('hits one scan may return'),
        maxBytes: count.optional().describe('bytes searched by all scans of a run'),
      })
      .optional(),
    run: z
      .strictObject({
        maxSteps: count.optional().describe('statements executed, counting every loop iteration'),
        maxSeconds: z.number().positive().optional().describe('wall-clock seconds a run may take'),
      })
      .optional(),
    freeze: z
      .strictObject({
        allow: z.boolean().optional().describe('whether threads may be stopped (patches of code, --freeze, registers); default true'),
        maxMillis: z.number().positive().optional().describe('how long threads may stay stopped at once'),
      })
      .optional(),
    recipes: z
      .strictObject({
        signers: z.array(SignerKey).optional().describe('the keys whose signatures (ssh-keygen -Y sign -n pvm -f KEY RECIPE, in RECIPE.sig) a recipe must carry to run; absent, any recipe runs; empty, none does'),
      })
      .optional(),
  })
  .describe('A pvm policy: what recipes may do (docs/policy.md)');

export type Policy = z.infer<typeof PolicySchema>;
export type TargetRuleValue = z.infer<typeof TargetRule>;

/** The JSON Schema of policy files, for editors. */
export function policyJsonSchema(): unknown {
  return { ...z.toJSONSchema(PolicySchema), $id: 'https://pvm.dev/schema/policy.schema.json', title: 'pvm policy' };
}
