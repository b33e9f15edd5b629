// AST → Plan. Pure. Runs after `check` succeeded, so it may assume names and
// types are valid; anything else is a bug in pvm (assert), not in the recipe.
import { createHash } from 'node:crypto';
import { assert, assertNever } from '../errors.ts';
import { analyzeLoop } from '../plan/prefetch.ts';
import { PLAN_VERSION, type Loc, type MemoryType, type Plan, type PlanExpr, type PlanStep } from '../plan/plan.ts';
import type * as Ast from './ast.ts';
import { check } from './check.ts';
import { InvalidRecipe } from './diagnostic.ts';
import { parse } from './parse.ts';
import { lineOf, type SourceFile, type Span } from './source.ts';
import { DEFAULT_CSTRING_MAX, cstringType, scalarType } from './types.ts';

/** Text → checked plan, or throws `InvalidRecipe` with every diagnostic. */
export function compileSource(source: SourceFile): Plan {
  const recipe = parse(source);
  const result = check(recipe);
  if (result.diagnostics.length > 0) throw new InvalidRecipe(source, result.diagnostics);
  return compile(source, recipe, result.writes);
}

export function compile(source: SourceFile, recipe: Ast.Recipe, writes: boolean): Plan {
  const loc = (span: Span): Loc => lineOf(source, span);
  let nextSite = 0;
  const params: Plan['params'][number][] = [];

  const expr = (e: Ast.Expression): PlanExpr => {
    switch (e.kind) {
      case 'integer':
        return { op: 'int', value: e.value.toString() };
      case 'string':
        return { op: 'str', value: e.value };
      case 'name':
        return { op: 'var', name: e.name };
      case 'unary':
        return { op: 'unary', operator: e.operator, operand: expr(e.operand) };
      case 'binary':
        return { op: 'binary', operator: e.operator, left: expr(e.left), right: expr(e.right), loc: loc(e.operatorSpan) };
      case 'read': {
        const address = expr(e.address);
        return { op: 'read', type: memoryType(e.type), address, site: nextSite++, loc: loc(e.span) };
      }
      case 'deref': {
        const address = expr(e.address);
        return { op: 'read', type: { kind: 'ptr', name: 'ptr', size: 8 }, address, site: nextSite++, loc: loc(e.span) };
      }
      case 'call': {
        const [first, second] = e.args.map((a) => (a.kind === 'string' ? a.value : ''));
        return e.callee.name === 'module'
          ? { op: 'module', name: first ?? '', loc: loc(e.span) }
          : { op: 'symbol', module: first ?? '', name: second ?? '', loc: loc(e.span) };
      }
      case 'field':
        return { op: 'field', object: expr(e.object), field: e.field.name as 'start' | 'end' | 'size' };
      case 'compare':
        return { op: 'compare', operator: e.operator, left: expr(e.left), right: expr(e.right) };
      case 'logical':
        return { op: 'logical', operator: e.operator, left: expr(e.left), right: expr(e.right) };
      case 'not':
        return { op: 'not', operand: expr(e.operand) };
      default:
        return assertNever(e);
    }
  };

  const block = (statements: readonly Ast.Statement[]): PlanStep[] =>
    statements.flatMap((s): PlanStep[] => {
      switch (s.kind) {
        case 'param':
          params.push({ name: s.name.name, type: memoryType(s.type), default: s.default && expr(s.default), loc: loc(s.name.span) });
          return [];
        case 'let':
          return [{ op: 'let', name: s.name.name, value: expr(s.value), loc: loc(s.span) }];
        case 'assign':
          return [{ op: 'assign', name: s.name.name, value: expr(s.value), loc: loc(s.span) }];
        case 'print':
          return [{ op: 'print', values: s.values.map(expr), loc: loc(s.span) }];
        case 'emit':
          return [{ op: 'emit', name: s.name.name, value: expr(s.value), loc: loc(s.span) }];
        case 'if':
          return [{ op: 'if', condition: expr(s.condition), then: block(s.then), otherwise: block(s.otherwise ?? []), loc: loc(s.condition.span) }];
        case 'for': {
          const [from, to, limit, body] = [expr(s.from), expr(s.to), s.limit && expr(s.limit), block(s.body)];
          return [{ op: 'for', variable: s.variable.name, from, to, limit, body, prefetch: analyzeLoop(s.variable.name, body), loc: loc(s.span) }];
        }
        case 'assert':
          return [{ op: 'assert', condition: expr(s.condition), message: s.message && expr(s.message), loc: loc(s.span) }];
        default:
          return assertNever(s);
      }
    });
  const steps = block(recipe.statements);

  return {
    format: 'pvm-plan',
    version: PLAN_VERSION,
    recipe: { name: source.name, sha256: createHash('sha256').update(source.text).digest('hex') },
    writes,
    params,
    steps,
  };
}

function memoryType(type: Ast.TypeRef): MemoryType {
  if (type.name === 'cstring') {
    const max = type.max?.kind === 'integer' ? Number(type.max.value) : DEFAULT_CSTRING_MAX;
    return cstringType(max);
  }
  const scalar = scalarType(type.name);
  assert(scalar !== undefined, `unchecked type ${type.name}`);
  return scalar;
}
