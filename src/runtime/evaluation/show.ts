// The text form of a value, for people: `print`, `emit`, and failed asserts.
import { hexAddress, toHex } from '../../bytes.ts';
import type { PointerPath, Value } from './value.ts';

export function humanValue(value: Value): string {
  switch (value.kind) {
    case 'ptr':
      return hexAddress(value.value);
    case 'int':
      return value.name ?? value.value.toString();
    case 'float':
      return String(value.value);
    case 'str':
      return value.value;
    case 'bool':
      return String(value.value);
    case 'region':
      return `${hexAddress(value.start)}-${hexAddress(value.end)}${value.path === '' ? '' : ` ${value.path}`}`;
    case 'bytes':
      return toHex(value.value);
    case 'list':
      return `[${value.items.map(humanValue).join(', ')}]`;
    case 'paths':
      // One a line: a scan gives hundreds, each a long expression.
      return value.items.length <= 1 ? `[${value.items.map(pathExpression).join('')}]` : `[\n${value.items.map((path) => `  ${pathExpression(path)}`).join(',\n')}\n]`;
    case 'pattern':
      return `hex"${value.text}"`;
    case 'object':
      return `{${value.fields.map(([name, field]) => `${name}: ${field.kind === 'str' ? JSON.stringify(field.value) : humanValue(field)}`).join(', ')}}`;
  }
}

/** A pointer path as the recipe expression that follows it: `[[module("app") + 0x4040] + 0x18] + 0x0`. */
export function pathExpression(path: PointerPath): string {
  const { base } = path;
  const offset = `0x${base.offset.toString(16)}`;
  let text = base.kind === 'module' ? `module(${JSON.stringify(base.module)}) + ${offset}` : base.thread === 0 ? `[symbol("__libc_stack_end")] - ${offset}` : `reg(threads()[${base.thread}], "fs_base") - ${offset}`;
  for (const step of path.offsets) text = `[${text}] + 0x${step.toString(16)}`;
  return text;
}

/** A pointer path's base as Cheat Engine writes it: `app+0x4040`, `threadstack0-0x1d8`. */
export function pathBase(path: PointerPath): string {
  const { base } = path;
  return base.kind === 'module' ? `${base.module}+0x${base.offset.toString(16)}` : `threadstack${base.thread}-0x${base.offset.toString(16)}`;
}
