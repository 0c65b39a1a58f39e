// A deterministic test corpus, built at test time: English prose and code from the installed
// packages (README / LICENSE / .md files and .js sources, walked in sorted order) plus generated
// text for what those lack (CJK, emoji sequences, combining marks, RTL, odd whitespace,
// contractions, numbers, very long pieces). Same lockfile -> same corpus.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Chunk {
  /** Where the text came from, for failure messages. */
  label: string;
  text: string;
}

/** mulberry32: a tiny seeded PRNG, returns floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NODE_MODULES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'node_modules');
/** Take at most this much of any one file, so the corpus spans many packages. */
const PER_FILE = 6000;
/** ...and at most about this much of one package. */
const PER_PACKAGE = 24_000;

function walk(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) walk(path, out);
    else if (e.isFile()) out.push(path);
  }
}

/** Reads files in sorted path order until `budget` characters of `kind` are collected. */
function installedText(kind: 'prose' | 'code', budget: number): Chunk[] {
  const files: string[] = [];
  walk(NODE_MODULES, files);
  const wanted = (p: string) =>
    kind === 'prose'
      ? /\.md$/i.test(p) || /\/(LICENSE|LICENCE)[^/]*$/i.test(p)
      : /\.(js|mjs|cjs)$/.test(p) && !/\.min\./.test(p);
  const out: Chunk[] = [];
  const perPackage = new Map<string, number>();
  let total = 0;
  for (const path of files) {
    if (total >= budget || !wanted(path)) continue;
    // Spread the corpus over many packages rather than the first few in alphabetical order.
    const rel = path.slice(NODE_MODULES.length + 1).split('/');
    const pkg = rel[0].startsWith('@') ? `${rel[0]}/${rel[1]}` : rel[0];
    if ((perPackage.get(pkg) ?? 0) >= PER_PACKAGE) continue;
    let text = readFileSync(path, 'utf8').slice(0, PER_FILE);
    if (text.length === PER_FILE) text = text.slice(0, Math.max(text.lastIndexOf('\n') + 1, 1));
    // Skip machine-generated blobs (minified bundles, embedded base64 tables): they are not prose or code.
    if (text.length === 0 || text.split('\n').some((l) => l.length > 2000)) continue;
    out.push({ label: path.slice(NODE_MODULES.length + 1), text });
    perPackage.set(pkg, (perPackage.get(pkg) ?? 0) + text.length);
    total += text.length;
  }
  return out;
}

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)];
const range = (rand: () => number, lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const cp = (n: number) => String.fromCodePoint(n);

function repeatGen(count: number, f: () => string, sep = ''): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(f());
  return parts.join(sep);
}

/** Generated text for what real files rarely hold. About 250 KB. */
function generatedText(rand: () => number): Chunk[] {
  const word = (lo: number, hi: number, len = range(rand, 1, 8)) => repeatGen(len, () => cp(range(rand, lo, hi)));
  const sentence = (makeWord: () => string, n = range(rand, 3, 12)) => repeatGen(n, makeWord, ' ');
  const out: Chunk[] = [];
  const add = (label: string, count: number, line: () => string) =>
    out.push({ label, text: repeatGen(count, line, '\n') + '\n' });

  add('cjk', 300, () => {
    // Chinese has no spaces: whole clauses become one long \p{L} piece (the heap-based merge path).
    const han = () => word(0x4e00, 0x9fff, range(rand, 2, 60));
    const kana = () => word(0x3040, 0x30ff, range(rand, 2, 12));
    const hangul = () => word(0xac00, 0xd7a3, range(rand, 1, 5));
    return [han() + '。' + han() + '、' + kana(), sentence(hangul), '「' + han() + '」' + kana() + '！'].join(
      pick(rand, ['', ' ', '\n']),
    );
  });
  const emoji = ['😀', '😂', '🤖', '🎉', '❤️', '👍', '🙏', '🔥', '🌍', '🐍', '✨', '🧪', '☕', '✅', '🚀'];
  const zwj = ['👨‍👩‍👧‍👦', '👩‍💻', '🏳️‍🌈', '👁️‍🗨️', '🧑🏽‍🚀', '👩🏿‍🦱', '🏃‍♀️', '❤️‍🔥', '🐻‍❄️'];
  const skin = () => pick(rand, ['👋', '👍', '🤞', '🧒', '💪']) + cp(range(rand, 0x1f3fb, 0x1f3ff));
  const flag = () => cp(range(rand, 0x1f1e6, 0x1f1ff)) + cp(range(rand, 0x1f1e6, 0x1f1ff));
  add('emoji', 1500, () =>
    repeatGen(range(rand, 1, 8), () =>
      pick(rand, [
        () => pick(rand, emoji),
        () => pick(rand, zwj),
        skin,
        flag,
        () => '1️⃣',
        () => 'word',
        () => ' ',
        () => '!',
      ])(),
    ),
  );
  const latin = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  add('combining', 800, () =>
    sentence(() =>
      repeatGen(
        range(rand, 1, 7),
        () =>
          pick(rand, [...latin]) +
          (rand() < 0.5 ? repeatGen(range(rand, 1, 3), () => cp(range(rand, 0x300, 0x36f))) : ''),
      ),
    ),
  );
  add('accented', 600, () =>
    sentence(() =>
      pick(rand, [
        'café',
        'naïve',
        'façade',
        'Ångström',
        'Øresund',
        'żółć',
        'Straße',
        'Việt Nam',
        'São Paulo',
        'Dvořák',
        'ŒUVRE',
        'ﬁnance',
        'Ελληνικά',
        'русский',
        'देवनागरी',
        'ภาษาไทย',
      ]),
    ),
  );
  add('rtl', 800, () => {
    const arabic = () => word(0x621, 0x64a);
    const hebrew = () => word(0x5d0, 0x5ea);
    const digits = () => word(0x660, 0x669, range(rand, 1, 4));
    return sentence(() =>
      pick(rand, [arabic, hebrew, digits, () => '\u200f', () => '\u200e(' + word(0x61, 0x7a) + ')', () => '،'])(),
    );
  });
  const spaces = [
    ' ',
    '  ',
    '\t',
    '\n',
    '\r\n',
    '\n\n',
    '\u00a0',
    '\u3000',
    '\u2028',
    '\u2029',
    '\ufeff',
    '\u200b',
    '\v',
    '\f',
    '\u0085',
    '\u1680',
    '\u202f',
  ];
  add('whitespace', 1500, () =>
    repeatGen(
      range(rand, 1, 6),
      () =>
        repeatGen(range(rand, 1, 5), () => pick(rand, spaces)) + pick(rand, ['x', 'word', '.', '1', '', '\t}', '  if']),
    ),
  );
  add('long-runs', 40, () =>
    pick(rand, [
      () => ' '.repeat(range(rand, 50, 400)) + 'x',
      () => '\t'.repeat(range(rand, 50, 200)),
      () => '\n'.repeat(range(rand, 50, 200)) + ' y',
      () => '='.repeat(range(rand, 50, 500)),
      () => '-=*'.repeat(range(rand, 30, 200)),
      () => 'ab'.repeat(range(rand, 50, 400)),
      () => word(0x61, 0x7a, range(rand, 100, 800)),
      () => word(0x30, 0x39, range(rand, 100, 500)),
      () => word(0x4e00, 0x9fff, range(rand, 100, 600)),
      () => repeatGen(range(rand, 20, 100), () => pick(rand, zwj)),
    ])(),
  );
  const subjects = ['it', 'she', 'they', 'I', 'we', 'you', 'IT', 'SHE', 'John', 'the cat', 'Mary'];
  const suffixes = [
    "'s",
    "'t",
    "'re",
    "'ve",
    "'m",
    "'ll",
    "'d",
    "'S",
    "'T",
    "'RE",
    "'VE",
    "'M",
    "'LL",
    "'D",
    '’s',
    "''s",
    "'",
    "'x",
  ];
  add(
    'contractions',
    1200,
    () =>
      repeatGen(
        range(rand, 1, 5),
        () => pick(rand, subjects) + pick(rand, suffixes) + pick(rand, [' ', '', '.', ',', "'", " rock'n'roll ", '\n']),
      ) + pick(rand, ["'s", " 'tis", '', "don't", "y'all'd've"]),
  );
  add('numbers', 1500, () =>
    repeatGen(
      range(rand, 1, 6),
      () =>
        pick(rand, [
          () => String(range(rand, 0, 1e9)),
          () => (rand() * 1e4).toFixed(range(rand, 0, 6)),
          () => range(rand, 1, 999) + ',' + String(range(rand, 0, 999)).padStart(3, '0'),
          () => '-' + range(rand, 0, 99) + 'e' + range(rand, -9, 9),
          () => '０１２３４５６７８９'.slice(range(rand, 0, 5)),
          () =>
            pick(rand, [
              '²',
              '½',
              'Ⅻ',
              '①',
              '٣٤',
              '१२३',
              '0x' + range(rand, 0, 65535).toString(16),
              'v1.2.3',
              '3:45pm',
              '2024-01-31',
            ]),
        ])(),
      pick(rand, [' ', '', '\n', ', ', '%', ' $']),
    ),
  );
  return out;
}

/**
 * Random strings over a wide mix of code points (astral included). Lone surrogates only when asked:
 * they cannot survive UTF-8, so round-trip tests handle them separately.
 */
export function randomString(rand: () => number, length: number, loneSurrogates = false): string {
  const gens: Array<() => string> = [
    () => cp(range(rand, 0x20, 0x7e)),
    () => pick(rand, [' ', ' ', '\n', '\t', '\r', '\u00a0', '\u2028', '\ufeff', '\u200d', '\ufe0f']),
    () => cp(range(rand, 0xa0, 0x24f)),
    () => cp(range(rand, 0x300, 0x36f)),
    () => cp(range(rand, 0x4e00, 0x9fff)),
    () => cp(range(rand, 0x1f300, 0x1faff)),
    () => {
      const c = range(rand, 0, 0xfffd);
      return c >= 0xd800 && c <= 0xdfff ? 'x' : cp(c);
    },
    () => cp(range(rand, 0x10000, 0x10ffff)),
    () => pick(rand, ["'s", "'ll", ' the', '<|endoftext|>', '0', '123']),
  ];
  if (loneSurrogates) gens.push(() => String.fromCharCode(range(rand, 0xd800, 0xdfff)));
  return repeatGen(length, () => pick(rand, gens)());
}

/** Splits text into pieces of at most `size` characters, preferring line ends, never inside a surrogate pair. */
export function split(label: string, text: string, size: number): Chunk[] {
  const out: Chunk[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + size, text.length);
    if (end < text.length) {
      const nl = text.lastIndexOf('\n', end - 1);
      if (nl > start) end = nl + 1;
      else if (/[\ud800-\udbff]/.test(text[end - 1])) end--;
    }
    out.push({ label: `${label} @${start}`, text: text.slice(start, end) });
    start = end;
  }
  return out;
}

let cached: Chunk[] | undefined;

/** The whole corpus (> 1 MB) as chunks of at most 4000 characters. */
export function corpus(): Chunk[] {
  if (cached) return cached;
  const rand = prng(0x1c0ffee);
  const parts = [...installedText('prose', 560_000), ...installedText('code', 560_000), ...generatedText(rand)];
  const fuzz = repeatGen(200, () => randomString(rand, range(rand, 1, 400)), '\n');
  parts.push({ label: 'fuzz', text: fuzz });
  cached = parts.flatMap((p) => split(p.label, p.text, 4000));
  return cached;
}
