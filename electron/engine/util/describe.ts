/**
 * Values from untrusted files, shown in error messages: bounded in length and never recursive, so
 * a 10 MB string or a 10,000-level nested array cannot blow up the message (or the stack).
 */
const MAX = 80;

/** A string quoted as JSON, cut to `max` characters with an ellipsis. */
export function quote(s: string, max = MAX): string {
  return s.length > max ? `${JSON.stringify(s.slice(0, max))}…` : JSON.stringify(s);
}

/** A short description of any JSON value: its kind and, for scalars, the (cut) value. */
export function describeValue(value: unknown, max = MAX): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return quote(value, max);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const scalars = value.length <= 8 && value.every((v) => typeof v === 'number' || typeof v === 'boolean' || v === null);
    return scalars ? `[${value.map(String).join(', ')}]` : `an array of ${value.length} items`;
  }
  return typeof value === 'object' ? 'an object' : typeof value;
}
