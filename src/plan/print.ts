// `pvm plan` for people: params, then each step with its source line, and
// every memory access it makes.
import type { Plan, PlanExpr, PlanStep } from './plan.ts';

export function printPlan(plan: Plan): string {
  const lines = [`plan for ${plan.recipe.name} (sha256 ${plan.recipe.sha256.slice(0, 16)}…): ${plan.writes ? 'writes memory' : 'reads only'}`];
  if (plan.params.length > 0) {
    lines.push('params:');
    for (const p of plan.params) lines.push(`  line ${p.loc.line}: ${p.name}: ${p.type.name}${p.default === undefined ? ' (required)' : ` = ${expression(p.default)}`}`);
  }
  lines.push('steps:');
  for (const step of plan.steps) {
    lines.push(`  line ${step.loc.line}: ${statement(step)}`);
    for (const read of readsOf(step)) lines.push(`    read ${read}`);
  }
  return lines.join('\n');
}

function statement(step: PlanStep): string {
  switch (step.op) {
    case 'let':
      return `let ${step.name} = ${expression(step.value)}`;
    case 'print':
      return `print ${step.values.map((v) => expression(v)).join(', ')}`;
    case 'emit':
      return `emit ${step.name} = ${expression(step.value)}`;
  }
}

/** Infix, fully parenthesised so the plan shows how the recipe was understood. */
function expression(e: PlanExpr, parenthesise = true): string {
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
      return parenthesise ? `(${expression(e.left)} ${e.operator} ${expression(e.right)})` : `${expression(e.left)} ${e.operator} ${expression(e.right)}`;
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

/** Each read of a step, innermost first: the order they run in (one system call each, for now). */
function readsOf(step: PlanStep): string[] {
  const reads: string[] = [];
  const visit = (e: PlanExpr): void => {
    if (e.op === 'unary') visit(e.operand);
    if (e.op === 'field') visit(e.object);
    if (e.op === 'binary') {
      visit(e.left);
      visit(e.right);
    }
    if (e.op === 'read') {
      visit(e.address);
      const size = e.type.kind === 'cstring' ? `up to ${e.type.max}` : String(e.type.size);
      reads.push(`${size} bytes as ${e.type.name} at ${expression(e.address)} (col ${e.loc.col})`);
    }
  };
  const roots = step.op === 'print' ? step.values : [step.value];
  roots.forEach(visit);
  return reads;
}
