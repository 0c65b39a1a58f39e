#!/usr/bin/env node
/**
 * `node scripts/icons.mjs`: every icon the installers need, from the one source image build/icon.svg.
 *
 *   build/icons/<N>x<N>.png   N = 16 … 1024   Linux (electron-builder reads the folder by file name)
 *   build/icons/icon.ico                       Windows (PNG-compressed entries, 16 … 256)
 *   build/icons/icon.icns                      macOS (PNG chunks icp4 … ic14, 16 … 1024)
 *
 * The SVG is rasterized separately at each size by a headless Chromium (playwright-core), so small
 * sizes are drawn from the vectors rather than downscaled. No native image library is needed: the
 * ICO and ICNS containers are written here (both are a small index followed by PNG files).
 * The outputs are committed, so packaging never needs a browser; run this again after editing the SVG.
 *
 * Chromium: $CHROMIUM_PATH, else /usr/bin/chromium (Debian: `apt-get install -y chromium`), else
 * Playwright's own downloaded Chromium.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = path.join(ROOT, 'build', 'icon.svg');
const OUT = path.join(ROOT, 'build', 'icons');

/** Linux hicolor sizes, plus 512/1024 for the AppImage and store listings. */
export const PNG_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
/** Windows shell sizes (16 small icons … 256 "extra large"); 256 is stored as width byte 0. */
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
/** ICNS chunk types that hold PNG data, with their pixel size (ic11…ic14 are the @2x variants). */
export const ICNS_CHUNKS = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
  ['ic11', 32],
  ['ic12', 64],
  ['ic13', 256],
  ['ic14', 512],
];

/**
 * ICO: ICONDIR (6 bytes) + one ICONDIRENTRY (16 bytes) per image + the PNG files back to back.
 * All integers little-endian. `images` is [[size, pngBytes], …].
 */
export function buildIco(images) {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type 1 = icon
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(([size, png], i) => {
    const e = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, e); // width (0 means 256)
    header.writeUInt8(size >= 256 ? 0 : size, e + 1); // height
    header.writeUInt8(0, e + 2); // palette colours (none)
    header.writeUInt8(0, e + 3); // reserved
    header.writeUInt16LE(1, e + 4); // colour planes
    header.writeUInt16LE(32, e + 6); // bits per pixel
    header.writeUInt32LE(png.length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map(([, png]) => png)]);
}

/**
 * ICNS: 'icns' + u32 total length, then chunks of [4-char type][u32 length incl. this 8-byte header][data].
 * All integers big-endian. `chunks` is [[type, pngBytes], …].
 */
export function buildIcns(chunks) {
  const parts = chunks.map(([type, png]) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(8 + parts.reduce((n, p) => n + p.length, 0), 4);
  return Buffer.concat([head, ...parts]);
}

function chromiumPath() {
  for (const candidate of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  return undefined; // Playwright's own browser, if it was downloaded
}

/** Renders the SVG at each size; returns Map<size, PNG bytes> with a transparent background. */
async function rasterize(svg, sizes) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--force-color-profile=srgb'] });
  try {
    const page = await browser.newPage({ deviceScaleFactor: 1, viewport: { width: 1100, height: 1100 } });
    const out = new Map();
    for (const size of sizes) {
      const sized = svg.replace(/<svg\b([^>]*?)\swidth="\d+"\sheight="\d+"/, `<svg$1 width="${size}" height="${size}"`);
      await page.setContent(
        `<!doctype html><html><body style="margin:0;background:transparent">${sized}</body></html>`,
      );
      const png = await page.locator('svg').screenshot({ omitBackground: true, type: 'png' });
      out.set(size, png);
    }
    return out;
  } finally {
    await browser.close();
  }
}

async function main() {
  const svg = readFileSync(SOURCE, 'utf8');
  if (!/<svg\b[^>]*?\swidth="\d+"\sheight="\d+"/.test(svg))
    throw new Error(
      `${SOURCE}: the <svg> element needs width="…" height="…" attributes (in that order) so each size can be set`,
    );
  const sizes = [...new Set([...PNG_SIZES, ...ICO_SIZES, ...ICNS_CHUNKS.map(([, s]) => s)])].sort((a, b) => a - b);
  const pngs = await rasterize(svg, sizes);
  mkdirSync(OUT, { recursive: true });
  for (const size of PNG_SIZES) writeFileSync(path.join(OUT, `${size}x${size}.png`), pngs.get(size));
  writeFileSync(path.join(OUT, 'icon.ico'), buildIco(ICO_SIZES.map((s) => [s, pngs.get(s)])));
  writeFileSync(path.join(OUT, 'icon.icns'), buildIcns(ICNS_CHUNKS.map(([type, s]) => [type, pngs.get(s)])));
  process.stderr.write(
    `icons: wrote ${PNG_SIZES.length} PNGs, icon.ico and icon.icns to ${path.relative(ROOT, OUT)}/\n`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    process.stderr.write(`icons: ${e?.stack ?? e}\n`);
    process.exit(1);
  });
}
