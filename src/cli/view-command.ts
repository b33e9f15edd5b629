// `pvm view REPORT|SNAPSHOT… -o FILE.html` (docs/forensics.md): one page
// that draws each input's address space, with what its run touched. A core
// or snapshot gives its map; a report gives its events, reads and digests,
// and its map from the core it names, or from a capture given beside it,
// when that has the map the report records (its sha256), else only the
// pages its events name. Two captures are diffed, as pvm diff diffs them.
import { accessSync, closeSync, constants, existsSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { type PvmError, UsageError } from '../errors.ts';
import { openRegularFile } from '../regular-file.ts';
import { moduleBuildIds } from '../target/build-ids.ts';
import type { CoreTarget } from '../target/core-target.ts';
import { describeTarget, type TargetIdentity } from '../target/target.ts';
import { type DiffDocument, withDiff } from '../view/diff-view.ts';
import { pagesOfMarks } from '../view/folded-axis.ts';
import { SYSTEM_POLICY_PATH } from '../policy/system.ts';
import { renderPage } from '../view/render-page.ts';
import { eventMarks, eventRows } from '../view/report-events.ts';
import type { ViewInput, ViewRegion } from '../view/view-model.ts';
import type { Command } from './args.ts';
import { fileDigest, mapsDigest } from '../api/report.ts';
import { readAnyReportFile, type ReportResults } from './report-file.ts';

type ViewCommand = Extract<Command, { kind: 'view' }>;

/** A report pvm reads to draw it (as pvm verify reads one: a run's every event, up to twice its 256 MiB of output). */
/** sha256 of the ranges read, listed at most. */
const MAX_READ_DIGESTS = 200;
/** Sections of a report of many processes drawn, at most (each is a map of its own). */
const MAX_SECTIONS = 20;

export async function viewCommand(command: ViewCommand, out: (text: string) => void): Promise<void> {
  checkOutput(command.output);
  const inputs: ViewInput[] = [];
  const notes: string[] = [];
  for (const file of command.inputs) {
    if (isElf(file)) {
      inputs.push(await coreInput(file));
      continue;
    }
    const report = readReport(file);
    if (report.sections === undefined) {
      inputs.push(await reportInput(file, report.results, report.run));
      continue;
    }
    // A report of many processes: each section drawn as a report of its process, up to MAX_SECTIONS.
    const ran = report.sections.flatMap((section) => (section.results === null ? [] : [{ pid: section.pid, results: section.results }]));
    for (const section of ran.slice(0, MAX_SECTIONS)) inputs.push(await reportInput(`${file} (pid ${section.pid})`, section.results, report.run));
    const notRun = report.sections.filter((section) => section.results === null).map((section) => `pid ${section.pid}`);
    if (ran.length > MAX_SECTIONS) notes.push(`${file}: the first ${MAX_SECTIONS} of its ${ran.length} processes are drawn`);
    if (notRun.length > 0) notes.push(`${file}: ${notRun.join(', ')} did not run (the report has their errors)`);
  }
  inputs.forEach((input, i) => (inputs[i] = withMapOfCapture(input, inputs)));
  // Two captures: what changed between them, as pvm diff finds it.
  const captures = inputs.flatMap((input, i) => (input.kind === 'report' ? [] : [i]));
  let diff: Parameters<typeof renderPage>[2];
  let note: string | undefined;
  if (captures.length === 2) {
    const [a, b] = captures as [number, number];
    if (existsSync(SYSTEM_POLICY_PATH)) note = `two captures, not diffed: a diff shows any byte of them, and a system policy (${SYSTEM_POLICY_PATH}) governs what pvm may read here`;
    else {
      const document = await diffOf(inputs[a]!.file, inputs[b]!.file);
      [inputs[a], inputs[b]] = withDiff(inputs[a]!, inputs[b]!, document);
      diff = { a, b, document };
    }
  } else if (captures.length > 2) {
    note = `${captures.length} captures, not diffed: pvm view diffs two (pvm diff A B diffs any pair)`;
  }
  const page = renderPage(inputs, [...notes, ...(note === undefined ? [] : [note])].join('; ') || undefined, diff);
  writePage(command.output, page);
  out(`${command.output}: ${inputs.map((i) => `${i.file} (${i.kind})`).join(', ')}; ${(Buffer.byteLength(page) / 1024).toFixed(1)} KiB`);
}

/**
 * A report drawn with only the pages its events name takes the map of a
 * capture given beside it whose map has the sha256 the report records: a live
 * run and a snapshot of the process, taken while its map was the same.
 */
function withMapOfCapture(input: ViewInput, inputs: readonly ViewInput[]): ViewInput {
  if (input.kind !== 'report' || !input.regions.every((r) => r.guessed)) return input;
  const maps = (i: ViewInput) => i.digests.find(([name]) => name === 'maps')?.[1];
  const capture = inputs.find((other) => other.kind !== 'report' && maps(other) === maps(input));
  if (capture === undefined) return input;
  return { ...input, regions: capture.regions, mapNote: `the map of ${capture.file}, given beside it (its map's sha256 is the one the report records)` };
}

/** What `pvm diff A B --json` prints of the two files. */
async function diffOf(fileA: string, fileB: string): Promise<DiffDocument> {
  const { diffDocument, diffFiles } = await import('./diff-command.ts');
  return diffFiles(fileA, fileB, diffDocument);
}

/** The page is refused before anything is read when it cannot be written: a directory, a device, a missing directory. */
function checkOutput(path: string): void {
  const refuse = (why: string) => new UsageError('view-unwritable', `cannot write the page ${path}: ${why}`, { hint: 'write it to a file in a directory you may write: pvm view run.json -o run.html' });
  if (!path.endsWith('.html') && !path.endsWith('.htm')) throw new UsageError('usage', `pvm view writes an HTML page, and ${path} does not end in .html`, { hint: `pvm view … -o ${basename(path)}.html` });
  const opened = openRegularFile(path);
  if ('problem' in opened) {
    if (opened.regular === false) throw refuse(opened.problem);
  } else closeSync(opened.fd);
  try {
    accessSync(dirname(resolve(path)), constants.W_OK | constants.X_OK);
  } catch (error) {
    throw refuse((error as { code?: string }).code === 'ENOENT' ? 'its directory does not exist' : 'permission denied');
  }
}

/**
 * Written beside it and renamed: a page that cannot be finished leaves no
 * half page. The file beside it is made new (`wx`: never written through a
 * link someone left at its name, which a random part makes hard to guess),
 * and private, 0600, as a snapshot is: the page may show memory's bytes.
 */
function writePage(path: string, page: string): void {
  const partial = `${path}.partial-${process.pid}-${randomUUID().slice(0, 8)}`;
  let made = false;
  try {
    writeFileSync(partial, page, { mode: 0o600, flag: 'wx' });
    made = true;
    renameSync(partial, path);
  } catch (error) {
    if (made) rmSync(partial, { force: true });
    const code = (error as { code?: string }).code;
    const why = code === 'ENOENT' ? 'its directory does not exist' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new UsageError('view-unwritable', `cannot write the page ${path}: ${why}`, { hint: 'write it to a file in a directory you may write: pvm view run.json -o run.html' });
  }
}

/** Whether `file` starts as an ELF file does (a core, a snapshot); anything else is read as a report. */
function isElf(file: string): boolean {
  const opened = openRegularFile(file);
  if ('problem' in opened) throw unreadable(file, opened.problem);
  try {
    const head = new Uint8Array(4);
    return readSync(opened.fd, head, 0, 4, 0) === 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
  } finally {
    closeSync(opened.fd);
  }
}

function unreadable(file: string, why: string): PvmError {
  return new UsageError('view-input-unreadable', `cannot view ${file}: ${why}`, { hint: 'give a report (pvm run --report FILE), a snapshot (pvm snapshot) or a core file' });
}

async function coreInput(file: string): Promise<ViewInput> {
  const { CoreTarget } = await import('../target/core-target.ts');
  const core = await CoreTarget.open(file, { snapshot: false });
  try {
    const regions = coreRegions(core);
    const modules = moduleBuildIds(core, core.regions()).map((m) => ({ path: m.path, buildId: m.buildId ?? null }));
    return {
      file,
      kind: core.snapshot === undefined ? 'core' : 'snapshot',
      title: describeTarget(core.identity),
      identity: identityRows(core.identity),
      regions,
      mapNote: core.snapshot === undefined ? 'the map rebuilt from the core (its segments and the files it names); hatched: not in the core' : 'the map as /proc showed it when the snapshot was taken; hatched: left out of the snapshot',
      marks: [],
      modules,
      events: [],
      eventsTotal: 0,
      digests: [['maps', mapsDigest(core.regions())], [core.snapshot === undefined ? 'core' : 'snapshot', fileDigest(file)]],
    };
  } finally {
    core.close();
  }
}

function coreRegions(core: CoreTarget): ViewRegion[] {
  // A core's regions carry why they were left out of it (core-regions.ts); a file mapping may lack bytes too.
  return core.regions().map((r) => ({ ...r, leftOut: (r as { leftOut?: string }).leftOut ?? core.fileProblem(r) }));
}

async function reportInput(file: string, results: ReportResults, run: Readonly<Record<string, unknown>> | undefined): Promise<ViewInput> {
  const target = results.target;
  const marks = eventMarks(results.events, results.reads);
  const map = await mapOfReport(results);
  const identity = identityRows({ kind: target.kind === 'core' ? 'core' : 'process', pid: target.pid ?? undefined, name: target.name, exe: target.exe ?? undefined, cmdline: target.cmdline, startTime: target.startTime ?? undefined });
  const args = Object.entries(results.args).map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`).join(' ');
  return {
    file,
    kind: 'report',
    title: `${results.recipe.name} on ${target.pid === null ? target.name : `pid ${target.pid} (${target.name})`}${target.core === undefined ? '' : `, from ${target.core.file}`}`,
    identity: [
      ...identity,
      ['recipe', results.recipe.name],
      ...(args === '' ? [] : [['args', args] as const]),
      ['exit', `${results.exit}${results.error === null ? '' : ` (${results.error.code}: ${results.error.message})`}`],
      ...(typeof run?.startedAt === 'string' ? [['ran', `${run.startedAt} – ${String(run.endedAt)}, pvm ${String(run.pvm)} on ${String(run.runtime)} ${String(run.runtimeVersion)}, host ${String(run.host)}`] as const] : []),
    ],
    regions: map.regions ?? pagesOfMarks(marks),
    mapNote: map.note,
    marks,
    modules: target.modules,
    events: eventRows(results.events),
    eventsTotal: results.events.length,
    digests: [
      ['recipe', results.recipe.sha256],
      ['maps', target.mapsSha256],
      ...(target.core === undefined ? [] : [[`core (${target.core.file})`, target.core.sha256] as const]),
      ...results.reads.slice(0, MAX_READ_DIGESTS).map((read, i) => [`reads[${i}] ${String(read.length)} bytes at ${String(read.address)}`, String(read.sha256)] as const),
      ...(results.reads.length > MAX_READ_DIGESTS ? [[`reads[${MAX_READ_DIGESTS}…]`, `${results.reads.length - MAX_READ_DIGESTS} more in the report`] as const] : []),
    ],
  };
}

function readReport(file: string): ReturnType<typeof readAnyReportFile> {
  // What is not a core is read as a report: a file that is neither is said to be neither.
  return readAnyReportFile(file, (why) => unreadable(file, why.replace(/^it is not (JSON|a pvm report)/, 'it is neither an ELF core nor $1')));
}

/** The map of the core the report names, when it is there and is the map the report records; else why not. */
async function mapOfReport(results: ReportResults): Promise<{ regions: ViewRegion[] | undefined; note: string }> {
  const guessed = 'the report holds the map only as its sha256: drawn are the pages its events and reads name';
  const core = results.target.core;
  if (core === undefined) return { regions: undefined, note: `${guessed} (it was a live run: view its snapshot beside it for the whole map)` };
  const { CoreTarget } = await import('../target/core-target.ts');
  let target: CoreTarget;
  try {
    target = await CoreTarget.open(core.file, { snapshot: false });
  } catch (error) {
    return { regions: undefined, note: `${guessed} (${core.file}, the core it names, cannot be opened: ${(error as Error).message})` };
  }
  try {
    if (mapsDigest(target.regions()) !== results.target.mapsSha256) return { regions: undefined, note: `${guessed} (${core.file} has another map than the report records)` };
    return { regions: coreRegions(target), note: `the map of ${core.file}, the core the report names (its map's sha256 is the one the report records)` };
  } finally {
    target.close();
  }
}

function identityRows(identity: TargetIdentity): [string, string][] {
  return [
    ['kind', identity.kind],
    ['pid', identity.pid === undefined ? '—' : String(identity.pid)],
    ['name', identity.name],
    ['exe', identity.exe ?? '—'],
    ['cmdline', identity.cmdline.join(' ')],
    ['start time', identity.startTime ?? '—'],
  ];
}
