// pvm as a library: `import { open, compile } from "pvm"` (docs/api.md).
// The same compile, policies, guard and journal as the command line, which is
// itself a user of this layer (run-recipe.ts); results are the events
// `--json` prints, as objects.
export { open, type RecipeRun, type RunResult, type Target, type TargetOptions } from './open.ts';
export { compile, type Compiled, type Diagnostic, type PlanJson } from './compile.ts';
export type { Recipe } from './recipe-source.ts';
export type { ArgValue, JournalSync, RunOptions } from './run-options.ts';
export type { DumpEvent, EmitEvent, ErrorEvent, JsonValue, PatchEvent, PrintEvent, PvmEvent, RecipeEvent, ScanEvent, SummaryEvent, TargetEvent, WriteEvent } from './events.ts';
export type { Policy } from '../policy/schema.ts';
export { Exit, type ExitCode, mostSerious, PvmError } from '../errors.ts';
export type { ErrorCode } from '../error-codes.ts';
export { status, type StatusOptions, type StatusResult } from './status.ts';
export type { PatchStatusEvent, SiteStatusEvent, StatusEvent } from './journal-status.ts';
