/**
 * Versions of a large document for the kill-mid-save test: version n is a header line naming n and
 * a body of pseudo-random letters, spaces and newlines seeded by n, so any mix of two versions (a
 * torn write) differs from every whole version. Shared by the test and its child process.
 */

const ALPHABET = Buffer.from('abcdefghijklmnopqrstuvwxyz     \n', 'latin1'); // 32 symbols

export function makeVersion(n: number, bytes: number): string {
  const header = Buffer.from(`version ${n}\n`, 'latin1');
  const out = Buffer.allocUnsafe(Math.max(bytes, header.length));
  header.copy(out);
  let seed = (n * 2654435761 + 1) >>> 0;
  for (let i = header.length; i < out.length; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    out[i] = ALPHABET[seed >>> 27];
  }
  return out.toString('latin1');
}

/** The version number a text claims in its header, or null. */
export function versionOf(text: string): number | null {
  const m = /^version (\d+)\n/.exec(text);
  return m ? Number(m[1]) : null;
}
