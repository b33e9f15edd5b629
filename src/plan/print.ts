// `pvm plan` for people: params, then each step with its source line and
// every memory access it makes, blocks indented under their statement.
import type { Plan, PlanExpr, PlanStep } from './plan.ts';
import { childrenOf, readSites, rootsOf } from './walk.ts';

export function printPlan(plan: Plan): string {
  const lines = [`plan for ${plan.recipe.name} (sha256 ${plan.recipe.sha256.slice(0, 16)}…): ${plan.writes ? 'writes memory' : 'reads only'}`];
  if (plan.params.length > 0) {
    lines.push('params:');
    for (const p of plan.params) lines.push(`  line ${p.loc.line}: ${p.name}: ${p.type.name}${p.default === undefined ? ' (required)' : ` = ${expression(p.default)}`}`);
  }
  lines.push('steps:');
  printSteps(plan.steps, '  ', lines);
  return lines.join('\n');
}

function printSteps(steps: readonly PlanStep[], indent: string, lines: string[]): void {
  for (const step of steps) {
    lines.push(`${indent}line ${step.loc.line}: ${statement(step)}`);
    for (const read of readsOf(rootsOf(step))) lines.push(`${indent}  read ${read}`);
    if (step.op === 'if') {
      printSteps(step.then, `${indent}    `, lines);
      if (step.otherwise.length > 0) {
        lines.push(`${indent}  else:`);
        printSteps(step.otherwise, `${indent}    `, lines);
      }
    }
    if (step.op === 'for') {
      const reads = readSites(step.body);
      for (const { site, level } of step.prefetch.sites) {
        const read = reads.get(site);
        if (read !== undefined) lines.push(`${indent}  batch ${level} for all iterations: ${describeRead(read)}`);
      }
      printSteps(step.body, `${indent}    `, lines);
    }
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
    case 'for':
      return `for ${step.variable} in ${expression(step.from)}..${expression(step.to)}${step.limit === undefined ? '' : ` limit ${expression(step.limit)}`}:`;
    case 'assert':
      return `assert ${expression(step.condition)}${step.message === undefined ? '' : `, ${expression(step.message)}`}`;
  }
}

/** Infix, fully parenthesised so the plan shows how the recipe was understood. */
function expression(e: PlanExpr, parenthesise = true): string {
  const wrap = (text: string) => (parenthesise ? `(${text})` : text);
  switch (e.op) {
    case 'int':
      return e.value;
    case 'str':
      return JSON.stringify(e.value);
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
      return `symbol(${JSON.stringify(e.module)}, ${JSON.stringify(e.name)})`;
    case 'field':
      return `${expression(e.object)}.${e.field}`;
    case 'read':
      // Brackets delimit on their own, so their content needs no parentheses.
      return e.type.kind === 'ptr' ? `[${expression(e.address, false)}]` : `read ${e.type.name} at ${expression(e.address)}`;
  }
}

/** Each read of some expressions, innermost first: the order they run in. */
function readsOf(roots: readonly PlanExpr[]): string[] {
  const reads: string[] = [];
  const visit = (e: PlanExpr): void => {
    // The right of && and || is evaluated after the left, like every other operand.
    childrenOf(e).forEach(visit);
    if (e.op === 'read') reads.push(describeRead(e));
  };
  roots.forEach(visit);
  return reads;
}

function describeRead(e: Extract<PlanExpr, { op: 'read' }>): string {
  const size = e.type.kind === 'cstring' ? `up to ${e.type.max}` : String(e.type.size);
  return `${size} bytes as ${e.type.name} at ${expression(e.address)} (line ${e.loc.line}, col ${e.loc.col})`;
}
