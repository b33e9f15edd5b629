// A report read back by pvm verify and pvm view: the JSON `pvm run --report`
// wrote (docs/forensics.md), checked field by field before anything uses
// it, since a report is anyone's file (sent by someone, edited, cut short):
// a field of the wrong type is a refusal that names it, never a crash.
import { z } from 'zod';
import { count } from '../count.ts';
import { readBoundedFile } from '../regular-file.ts';
import { REPORT_FORMAT, REPORT_VERSION } from '../api/report.ts';

/**
 * The largest report read back. A report is read as one string, and a
 * JavaScript string holds at most ~512 MiB (V8); a report of a run that
 * reached the output budget can be larger, and is refused as too large.
 */
export const MAX_REPORT_BYTES = 500 << 20;

/** An address as --json writes it. */
const Address = z.string().regex(/^0x[0-9a-f]+$/);

/** An arg as --json wrote its value: a number, a text, or a list param's addresses (never `@FILE`: verify passes it on as --arg). */
const Arg = z.union([z.number(), z.string(), z.boolean(), z.array(z.union([z.number(), Address]))]);

const Results = z.object({
  recipe: z.object({ name: z.string(), sha256: z.string(), signer: z.string().optional(), signature: z.string().optional(), text: z.string().optional() }),
  args: z.record(z.string(), Arg),
  target: z.object({
    kind: z.string(),
    pid: z.number().nullable(),
    name: z.string(),
    exe: z.string().nullable(),
    cmdline: z.array(z.string()),
    startTime: z.string().nullable(),
    modules: z.array(z.object({ path: z.string(), buildId: z.string().nullable() })),
    mapsSha256: z.string(),
    core: z.object({ file: z.string(), sha256: z.string() }).optional(),
  }),
  policies: z.array(z.unknown()).optional(),
  events: z.array(z.record(z.string(), z.unknown())),
  reads: z.array(z.object({ address: Address, length: z.number(), sha256: z.string() })),
  exit: z.number(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

export type ReportResults = z.infer<typeof Results>;

/** A section of a report of many processes (report-many.ts): a process's results, or (`results` null) its exit status and error. */
const Section = z.object({
  pid: z.number(),
  results: Results.nullable(),
  exit: z.number().optional(),
  error: z.object({ code: z.string(), message: z.string() }).nullable().optional(),
});

export type ReportSection = z.infer<typeof Section>;

/** A report's results and its `run` part, or `refuse(why)` thrown: not a file pvm can read, not JSON, not a pvm report of this version, a report of many processes, or a field of the wrong type. */
export function readReportFile(path: string, refuse: (why: string, fix?: string) => Error): { readonly results: ReportResults; readonly run: Readonly<Record<string, unknown>> | undefined } {
  const report = readAnyReportFile(path, refuse);
  if (report.sections !== undefined) throw refuse(`it is a report of ${count(report.sections.length, 'process')} (pvm run --match or several --pid), and this reads a report of one`);
  return report;
}

/** A report of one process (`results`) or of many (`sections`, in pid order), checked as readReportFile checks one. */
export function readAnyReportFile(
  path: string,
  refuse: (why: string, fix?: string) => Error,
): { readonly results: ReportResults; readonly sections?: undefined; readonly run: Readonly<Record<string, unknown>> | undefined } | {
  readonly results?: undefined;
  readonly sections: readonly ReportSection[];
  readonly run: Readonly<Record<string, unknown>> | undefined;
} {
  const text = readBoundedFile(path, MAX_REPORT_BYTES, ({ why, fix }) => refuse(why, fix));
  let document: { format?: unknown; version?: unknown; run?: unknown; results?: unknown; processes?: unknown };
  try {
    document = JSON.parse(text) as typeof document;
  } catch {
    throw refuse('it is not JSON (a run that was killed leaves its report cut short)');
  }
  if (typeof document !== 'object' || document === null || document.format !== REPORT_FORMAT) throw refuse('it is not a pvm report (no "format": "pvm-report")');
  if (document.version !== REPORT_VERSION) throw refuse(`it is a report of version ${String(document.version)}; this pvm reads version ${REPORT_VERSION}`, 'read it with the pvm that wrote it');
  const run = typeof document.run === 'object' && document.run !== null ? document.run as Record<string, unknown> : undefined;
  if (document.results === undefined && document.processes !== undefined) {
    const sections = z.array(Section).safeParse(document.processes);
    if (!sections.success) throw refuse(wrongField('processes', sections.error.issues), 'give a report as pvm run --report FILE wrote it');
    return { sections: sections.data, run };
  }
  const parsed = Results.safeParse(document.results);
  if (!parsed.success) throw refuse(wrongField('results', parsed.error.issues), 'give a report as pvm run --report FILE wrote it');
  return { results: parsed.data, run };
}

/** The first field of the wrong type, as a reader names it (`results.args: …`). */
function wrongField(top: string, issues: readonly z.core.$ZodIssue[]): string {
  const issue = issues[0]!;
  return `${top}.${issue.path.join('.')}: ${issue.message}`;
}
