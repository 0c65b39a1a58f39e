/**
 * The one way Inkling shows a value in an error message ("temperature must be a number from 0 to 5;
 * got "hot"."), for API arguments, settings, sampling parameters, server requests and untrusted model
 * files alike. Bounded in length and never recursive, so a 10 MB string or a 10,000-level nested array
 * cannot blow up the message (or the stack). Pure: used by the renderer's API contract too.
 */
const MAX = 40;

/** A string quoted as JSON, cut to `max` characters with an ellipsis. */
export function quote(s: string, max = MAX): string {
  return s.length > max ? `${JSON.stringify(s.slice(0, max))}…` : JSON.stringify(s);
}

/** A short description of any value: its kind and, for scalars, the (cut) value. */
export function describeValue(value: unknown, max = MAX): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  // "0.7" (text): a number or yes/no written as text is the usual mistake, so say which it was.
  if (typeof value === 'string')
    return /^\s*(-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?|true|false)\s*$/i.test(value)
      ? `${quote(value, max)} (text)`
      : quote(value, max);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const scalars =
      value.length <= 8 && value.every((v) => typeof v === 'number' || typeof v === 'boolean' || v === null);
    return scalars ? `[${value.map(String).join(', ')}]` : `a list of ${value.length} items`;
  }
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
