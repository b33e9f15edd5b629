// The text form of a value, for people: `print`, `emit`, and failed asserts.
import { hexAddress, toHex } from '../../bytes.ts';
import { type Value } from './value.ts';

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
    case 'pattern':
      return `hex"${value.text}"`;
    case 'object':
      return `{${value.fields.map(([name, field]) => `${name}: ${field.kind === 'str' ? JSON.stringify(field.value) : humanValue(field)}`).join(', ')}}`;
  }
}
