// `pvm plan` for people: params, then each step with its source line and
// every memory access it makes, blocks indented under their statement.
import { hexLiteral } from '../bytes.ts';
import type { Encoding, MemoryType, Plan, PlanDatum, PlanExpr, PlanStep, ReadAhead } from './plan.ts';
import { readAheadSteps } from './read-ahead.ts';
import { childrenOf, readSites, rootsOf } from './walk.ts';
import { count } from '../count.ts';

export function printPlan(plan: Plan): string {
  const lines: string[] = [];
  printPlanLines(plan, lines);
  return lines.join('\n');
}

/** Where the lines go: an array, or a writer that holds few of them (a plan of 500 000 steps is 500 000 lines). */
export interface Lines {
  push(line: string): void;
}

/** printPlan's lines, one at a time. */
export function printPlanLines(plan: Plan, lines: Lines): void {
  lines.push(`plan for ${plan.recipe.name} (sha256 ${plan.recipe.sha256.slice(0, 16)}…): ${plan.writes ? 'writes memory' : 'reads only'}`);
  if (plan.params.length > 0) {
    lines.push('params:');
    for (const p of plan.params) lines.push(`  line ${p.loc.line}: ${p.name}: ${p.type.name}${p.default === undefined ? ' (required)' : ` = ${expression(p.default)}`}`);
  }
  lines.push('steps:');
  printSteps(plan.steps, '  ', lines);
}

function printSteps(steps: readonly PlanStep[], indent: string, lines: Lines): void {
  for (const [index, step] of steps.entries()) {
    lines.push(`${indent}line ${step.loc.line}: ${statement(step)}`);
    for (const access of accessesOf(rootsOf(step))) lines.push(`${indent}  ${access}`);
    switch (step.op) {
      case 'if':
        printSteps(step.then, `${indent}    `, lines);
        if (step.otherwise.length > 0) {
          lines.push(`${indent}  else:`);
          printSteps(step.otherwise, `${indent}    `, lines);
        }
        break;
      case 'read-ahead':
        printBatches(step.readAhead, readAheadSteps(steps, index), '', `${indent}  `, lines);
        break;
      case 'for':
        printBatches(step.readAhead, step.body, ' for all iterations', `${indent}  `, lines);
        printSteps(step.body, `${indent}    `, lines);
        break;
      case 'while':
        lines.push(`${indent}  each iteration reads as it runs (nothing is read ahead: the condition decides)`);
        printSteps(step.body, `${indent}    `, lines);
        break;
      case 'write':
        lines.push(`${indent}  write ${describeEncoding(step.datum.encoding)} at ${expression(step.address)}, batched with the writes after it until the next read`);
        break;
      case 'dump':
        lines.push(`${indent}  read ${expression(step.length)} bytes at ${expression(step.address)}`);
        break;
      case 'patch':
        for (const site of step.sites) lines.push(`${indent}    line ${site.loc.line}: at ${expression(site.address)} expect ${datum(site.expect)} with ${datum(site.replacement)}`);
        lines.push(`${indent}  batch 1: read all ${count(step.sites.length, 'site')}; if every site holds its new bytes: already applied, write nothing; if any differs from its expect: write nothing`);
        lines.push(
          `${indent}  batch 2: ${step.freeze ? 'with every thread stopped, ' : ''}write all sites (sites in code through /proc/PID/mem, with every thread stopped); batch 3: read them back, restoring the old bytes if any differs`,
        );
        break;
    }
  }
}

/** The reads a read-ahead makes before `steps` run, level by level. */
function printBatches(readAhead: ReadAhead, steps: readonly PlanStep[], scope: string, indent: string, lines: Lines): void {
  const reads = readSites(steps);
  for (const { site, level } of readAhead.sites) {
    const read = reads.get(site);
    if (read !== undefined) lines.push(`${indent}batch ${level}${scope}: ${describeRead(read)}`);
  }
}

function statement(step: PlanStep): string {
  switch (step.op) {
    case 'let':
      return `let ${step.name} = ${expression(step.value)}`;
    case 'assign':
      return `${step.name} = ${expression(step.value)}`;
    case 'print':
      return `print ${step.values.map((v) => expression(v)).join(', ')}`;
    case 'emit':
      return `emit ${step.name} = ${expression(step.value)}`;
    case 'if':
      return `if ${expression(step.condition)}:`;
    case 'for': {
      const over = step.over.kind === 'range' ? `${expression(step.over.from)}..${expression(step.over.to)}` : expression(step.over.list);
      return `for ${step.variable} in ${over}${step.limit === undefined ? '' : ` limit ${expression(step.limit)}`}:`;
    }
    case 'while':
      return `while ${expression(step.condition)}${step.limit === undefined ? '' : ` limit ${expression(step.limit)}`}:`;
    case 'break':
      return 'break';
    case 'assert':
      return `assert ${expression(step.condition)}${step.message === undefined ? '' : `, ${expression(step.message)}`}`;
    case 'write':
      return `write ${writeType(step.datum.encoding)} at ${expression(step.address)} = ${expression(step.datum.value)}`;
    case 'dump':
      return `dump ${expression(step.address)}, ${expression(step.length)}`;
    case 'patch':
      return `patch${step.name === undefined ? '' : ` ${JSON.stringify(step.name)}`}${step.freeze ? ' freeze' : ''} (${count(step.sites.length, 'site')}):`;
    case 'read-ahead':
      return `read ahead, in batches, what the next ${step.steps} steps read:`;
  }
}

/** Infix, fully parenthesised so the plan shows how the recipe was understood. */
function expression(e: PlanExpr, parenthesise = true): string {
  const wrap = (text: string) => (parenthesise ? `(${text})` : text);
  switch (e.op) {
    case 'int':
      return e.value;
    case 'float':
      return Number.isInteger(e.value) ? e.value.toFixed(1) : String(e.value);
    case 'str':
      return JSON.stringify(e.value);
    case 'bool':
      return String(e.value);
    case 'list':
      return `[${e.items.map((item) => expression(item, false)).join(', ')}${e.items.length === 1 ? ',' : ''}]`;
    case 'bytes':
      return hexLiteral(e.hex);
    case 'pattern':
      return `hex"${e.text}"`;
    case 'var':
      return e.name;
    case 'unary':
      return `${e.operator}${expression(e.operand)}`;
    case 'binary':
    case 'compare':
    case 'logical':
      return wrap(`${expression(e.left)} ${e.operator} ${expression(e.right)}`);
    case 'not':
      return `!${expression(e.operand)}`;
    case 'module':
      return `module(${JSON.stringify(e.name)})`;
    case 'symbol':
      return e.module === undefined ? `symbol(${JSON.stringify(e.name)})` : `symbol(${JSON.stringify(e.module)}, ${JSON.stringify(e.name)})`;
    case 'call':
      return `${e.name}(${e.args.map((a) => expression(a, false)).join(', ')})`;
    case 'ripref':
      return `ripref(${[e.insn, e.dispOffset, e.insnLength].map((a) => expression(a, false)).join(', ')})`;
    case 'field':
      return `${expression(e.object)}.${e.field}`;
    case 'index':
      return `${expression(e.object)}[${expression(e.index, false)}]`;
    case 'scan': {
      const range = e.range.kind === 'region' ? expression(e.range.region) : e.range.kind;
      const options = [
        e.perms === undefined ? '' : ` perms ${JSON.stringify(e.perms)}`,
        e.align === 1 ? '' : ` align ${e.align}`,
        e.limit === undefined ? '' : ` limit ${expression(e.limit)}`,
        e.unique ? ' unique' : '',
      ].join('');
      return wrap(`scan ${datum(e.needle)} in ${range}${options}`);
    }
    case 'pointerscan': {
      // The offset as recipes write it, in hex (a struct's field offsets are).
      const offset = e.offset.op === 'int' ? `0x${BigInt(e.offset.value).toString(16)}` : expression(e.offset);
      return wrap(
        `pointerscan to ${expression(e.address)} depth ${expression(e.depth)} offset ${offset}${e.limit === undefined ? '' : ` limit ${expression(e.limit)}`}${e.within === undefined ? '' : ` in ${expression(e.within)}`}${
          e.stacks ? ' stacks' : ''
        }`,
      );
    }
    case 'narrow': {
      const test = e.test;
      const how = test.kind === 'compare'
        ? `${test.operator} ${expression(test.value)}${test.within === undefined ? '' : ` within ${expression(test.within)}`}`
        : test.kind === 'between'
        ? `between ${expression(test.low)} and ${expression(test.high)}`
        : test.kind === 'any'
        ? 'any'
        : test.kind === 'to'
        ? `to ${expression(test.address)}`
        : test.change;
      return wrap(`narrow ${expression(e.list)}${e.type === undefined ? '' : ` ${typeName(e.type)}`} ${how}`);
    }
    case 'read':
      // Brackets delimit on their own, so their content needs no parentheses.
      return e.type.kind === 'ptr' ? `[${expression(e.address, false)}]` : `read ${typeName(e.type)} at ${expression(e.address)}`;
  }
}

function datum(d: PlanDatum): string {
  switch (d.encoding.kind) {
    case 'scalar':
      return `${d.encoding.type.name} ${expression(d.value)}`;
    case 'utf16':
      return `utf16 ${expression(d.value)}`;
    default:
      return expression(d.value);
  }
}

function typeName(type: MemoryType): string {
  switch (type.kind) {
    case 'cstring':
      return `cstring max ${type.max}`;
    case 'bytes':
      return `bytes ${type.size}`;
    case 'utf16':
      return `utf16 ${type.units}`;
    default:
      return type.name;
  }
}

function writeType(encoding: Encoding): string {
  switch (encoding.kind) {
    case 'scalar':
      return encoding.type.name;
    case 'raw':
      return encoding.size === undefined ? 'bytes' : `bytes ${encoding.size}`;
    case 'utf16':
      return encoding.units === undefined ? 'utf16' : `utf16 ${encoding.units}`;
    case 'cstring':
      return encoding.max === undefined ? 'cstring' : `cstring max ${encoding.max}`;
  }
}

function describeEncoding(encoding: Encoding): string {
  switch (encoding.kind) {
    case 'scalar':
      return `${encoding.type.size} bytes as ${encoding.type.name}`;
    case 'raw':
      return encoding.size === undefined ? 'the bytes of the value' : `${encoding.size} bytes`;
    case 'utf16':
      return 'the string as UTF-16LE';
    case 'cstring':
      return 'the string and its NUL';
  }
}

/** Each read and scan of some expressions, innermost first: the order they run in. */
function accessesOf(roots: readonly PlanExpr[]): string[] {
  const accesses: string[] = [];
  const visit = (e: PlanExpr): void => {
    // The right of && and || is evaluated after the left, like every other operand.
    childrenOf(e).forEach(visit);
    if (e.op === 'read') accesses.push(`read ${describeRead(e)}`);
    if (e.op === 'ripref') accesses.push(`read 4 bytes as i32 at (${expression(e.insn)} + ${expression(e.dispOffset)}) (line ${e.loc.line}, col ${e.loc.col})`);
    if (e.op === 'narrow') {
      const what = e.type === undefined ? 'follow' : `read the ${typeName(e.type)} at`;
      accesses.push(`${what} every item of ${expression(e.list)} (a pointer path: a level at a time), 1024 items a call (line ${e.loc.line}, col ${e.loc.col})`);
    }
    if (e.op === 'pointerscan') {
      accesses.push(
        `pointer scan: read the rw regions and relro in 1 MiB chunks, a call each (small regions share one; pages never touched and the regions scans never read left out), into a map of the words that point into them; then search back from ${
          expression(e.address)
        } a level at a time (line ${e.loc.line}, col ${e.loc.col})`,
      );
    }
    if (e.op === 'scan') {
      const where = e.range.kind === 'region' ? 'the mapped part of the region' : e.range.kind === 'all' ? 'every readable region' : 'anonymous regions';
      accesses.push(`scan ${where} in 1 MiB chunks, a call each (small regions share one), never faulting a page into the target (line ${e.loc.line}, col ${e.loc.col})`);
    }
  };
  roots.forEach(visit);
  return accesses;
}

function describeRead(e: Extract<PlanExpr, { op: 'read' }>): string {
  const size = e.type.kind === 'cstring' ? `up to ${e.type.max}` : e.type.kind === 'utf16' ? String(e.type.units * 2) : String(e.type.size);
  return `${size} bytes as ${typeName(e.type)} at ${expression(e.address)} (line ${e.loc.line}, col ${e.loc.col})`;
}
