// Byte-level helpers for GPT-2's BPE.
//
// GPT-2 works on UTF-8 bytes, but its vocab.json / merges.txt store tokens as *strings*: every
// byte is mapped to one printable Unicode character so that no token contains whitespace or
// control characters (which would break the space-separated merges file). Printable Latin-1
// bytes map to themselves; the other 68 bytes (controls, space, 0x7F-0xA0, 0xAD) map, in byte
// order, to U+0100, U+0101, ... So a space (0x20) is "Ġ" (U+0120) and a newline is "Ċ" (U+010A).

/** byte (0..255) -> the single character that stands for it in vocab.json / merges.txt. */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

/** character code of a byte-standing character -> byte, or -1 when the character is not one. */
const CHAR_TO_BYTE: Int16Array = buildCharToByte();

function buildByteToChar(): string[] {
  const table = new Array<string>(256);
  let next = 256;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    table[b] = String.fromCharCode(printable ? b : next++);
  }
  return table;
}

function buildCharToByte(): Int16Array {
  const table = new Int16Array(512).fill(-1);
  BYTE_TO_CHAR.forEach((ch, b) => {
    table[ch.charCodeAt(0)] = b;
  });
  return table;
}

/** True when every character of `token` stands for a byte (true for every GPT-2 vocab.json token). */
export function isByteSpelling(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 512 || CHAR_TO_BYTE[c] < 0) return false;
  }
  return true;
}

/** Writes the bytes a byte-spelled token stands for into `out` at `offset` (see isByteSpelling). */
export function writeByteSpelling(token: string, out: Uint8Array, offset: number): void {
  for (let i = 0; i < token.length; i++) out[offset + i] = CHAR_TO_BYTE[token.charCodeAt(i)];
}

/**
 * Appends the UTF-8 bytes of `text` to `out` (a reusable scratch array) and returns the count.
 * The caller guarantees `text` is well-formed UTF-16 (no lone surrogates); see Gpt2Tokenizer.encode.
 * Written by hand because pieces are short and TextEncoder's per-call allocation dominates.
 */
export function utf8Bytes(text: string, out: number[]): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdbff) {
      // High surrogate followed by its low surrogate (well-formedness is guaranteed by the caller).
      c = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
      out[n++] = 0xf0 | (c >> 18);
      out[n++] = 0x80 | ((c >> 12) & 0x3f);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    } else {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    }
  }
  return n;
}

/**
 * Replaces lone surrogates with U+FFFD, exactly as TextEncoder (and so every UTF-8 based tokenizer)
 * does. Lone surrogates have no UTF-8 encoding, so they can never survive an encode/decode round trip.
 */
export function toWellFormed(text: string): string {
  // String.prototype.isWellFormed/toWellFormed exist from Node 20 (V8 11.x); keep a fallback for
  // older runtimes (e.g. a renderer in an old browser) since the check is cheap.
  const s = text as string & { isWellFormed?: () => boolean; toWellFormed?: () => string };
  if (typeof s.isWellFormed === 'function' && typeof s.toWellFormed === 'function') {
    return s.isWellFormed() ? text : s.toWellFormed();
  }
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}
