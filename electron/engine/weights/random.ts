/**
 * A small seeded PRNG for reproducible random weights: sfc32 (32-bit state words), seeded through
 * a string hash so each tensor gets its own independent stream from (seed, tensor name). That
 * makes a tensor's values independent of how many other tensors the model has.
 */

/** FNV-1a over the UTF-16 code units of `s`: a 32-bit seed from any string. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Uniform numbers in [0, 1), deterministic for a given key. */
export function uniformStream(key: string): () => number {
  let a = hash32(`a:${key}`);
  let b = hash32(`b:${key}`);
  let c = hash32(`c:${key}`);
  let d = 1;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next(); // mix the seed words before use
  return next;
}

/** Fills `out` with N(mean, std) samples by the Box-Muller transform (two normals per pair of uniforms). */
export function fillNormal(out: Float32Array, key: string, mean: number, std: number): Float32Array {
  const uniform = uniformStream(key);
  for (let i = 0; i < out.length; i += 2) {
    const u1 = 1 - uniform(); // (0, 1]: log(0) would be -inf
    const u2 = uniform();
    const r = Math.sqrt(-2 * Math.log(u1)) * std;
    out[i] = mean + r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < out.length) out[i + 1] = mean + r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}
