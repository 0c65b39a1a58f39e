/**
 * `npm run bench:typing [-- --no-write] [--json] [--keys N] [--sizes 6000,60000] [--cadence MS]`:
 * how long a key press takes to reach the screen in Inkling's editor in long documents, against a
 * bare CodeMirror 6 editor (the peer) holding the same text in the same Chromium in the same run.
 *
 * Per document size (real prose, test/data/moby-dick, ~6,000, 60,000 and 300,000 words): the peer's
 * page (typing; Shift+← on a whole-document selection), then a fresh web host with a tiny random
 * model and Inkling's page on it, the document opened from disk, the cursor in the middle, and four
 * scenarios — typing; typing with the side panel on Summarize; typing with the heat map on (after
 * its first scoring); Shift+← on a whole-document selection. Prints a table and rewrites the
 * `bench:typing` section of docs/BENCHMARKS.md.
 *
 * This lives in scripts/, not in electron/cli or electron/engine: it drives the product from outside
 * (a web host process and a browser, like e2e/) with devDependencies only (Playwright, esbuild), which
 * the `inkling` command shipped with the app must not need, and electron/engine may not import the
 * web host at all.
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { atomicWriteFileSync } from '../../electron/common/fs';
import {
  closePanel,
  focusEditor,
  heatmapOff,
  heatmapOn,
  openInkling,
  openPeer,
  openSummarize,
  pressKeys,
  selectAll,
  setCursor,
  settle,
  type PressPlan,
} from './drive';
import { ensureRenderer, makeTinyModel, startHost } from './host';
import { buildPages } from './pages';
import {
  replaceTypingSection,
  typingSection,
  typingTable,
  machineLines,
  type PeerScenario,
  type ScenarioFigures,
  type SizeFigures,
  type TypingBenchResult,
} from './report';
import { countWords, middleOf, proseOfWords, typingKeys } from './text';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOC = path.join(ROOT, 'docs', 'BENCHMARKS.md');
const NOVEL = path.join(ROOT, 'test', 'data', 'moby-dick', 'chapters-1-36.txt');
const DEFAULT_SIZES = [6000, 60_000, 300_000];
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const USAGE = `Usage: npm run bench:typing -- [--no-write] [--json] [--keys N] [--sizes 6000,60000,300000] [--cadence MS]

  --keys N      measured key presses per scenario (default 40; 5 uncounted ones come first)
  --sizes LIST  document sizes in words, comma-separated (default 6000,60000,300000)
  --cadence MS  a press starts at most every MS milliseconds (default 150, ~80 words a minute)
  --json        print the figures as one JSON object on stdout (progress goes to stderr)
  --no-write    do not rewrite the bench:typing section of docs/BENCHMARKS.md
Chromium: /usr/bin/chromium, or INKLING_CHROMIUM.`;

const OPTIONS = {
  json: { type: 'boolean', default: false },
  'no-write': { type: 'boolean', default: false },
  keys: { type: 'string' },
  sizes: { type: 'string' },
  cadence: { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

const log = (line: string) => process.stderr.write(`bench:typing: ${line}\n`);

/** A command-line mistake: its message and the usage are printed, without a stack. */
class UsageError extends Error {}

function intOption(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max)
    throw new UsageError(`--${name} takes a whole number from ${min} to ${max}; got "${raw}"`);
  return n;
}

function packageVersion(name: string): string {
  try {
    const file = path.join(ROOT, 'node_modules', name, 'package.json');
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

async function newPage(browser: Browser, probe: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 780 } });
  await page.addInitScript({ content: probe });
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  return page;
}

async function measurePeer(
  browser: Browser,
  probe: string,
  url: string,
  text: string,
  plan: PressPlan,
): Promise<Record<PeerScenario, ScenarioFigures>> {
  const page = await newPage(browser, probe);
  try {
    await openPeer(page, url, text);
    await setCursor(page, middleOf(text));
    await settle(page);
    const typing = await pressKeys(page, plan);
    await selectAll(page);
    await settle(page);
    const selection = await pressKeys(page, {
      ...plan,
      keys: plan.keys.map(() => 'Shift+ArrowLeft'),
      effect: 'shrink-selection',
    });
    return { typing, selection };
  } finally {
    await page.close();
  }
}

async function measureInkling(
  browser: Browser,
  probe: string,
  hostUrl: string,
  file: string,
  text: string,
  plan: PressPlan,
  size: SizeFigures,
): Promise<void> {
  const page = await newPage(browser, probe);
  try {
    await openInkling(page, hostUrl, file, text.length);
    await setCursor(page, middleOf(text));
    await settle(page);
    log('  Inkling: typing');
    size.inkling.plain = await pressKeys(page, plan);

    log('  Inkling: typing, side panel on Summarize');
    await openSummarize(page);
    await focusEditor(page);
    await settle(page);
    size.inkling.summarize = await pressKeys(page, plan);
    await closePanel(page);

    log('  Inkling: heat map on, waiting for its first scoring');
    size.heatmapFirstScoringS = await heatmapOn(page, 30 * 60_000);
    log(`  … scored in ${size.heatmapFirstScoringS.toFixed(1)} s; typing`);
    await focusEditor(page);
    await settle(page);
    size.inkling.heatmap = await pressKeys(page, plan);
    await heatmapOff(page);

    log('  Inkling: Shift+← on a whole-document selection');
    await selectAll(page);
    await settle(page);
    size.inkling.selection = await pressKeys(page, {
      ...plan,
      keys: plan.keys.map(() => 'Shift+ArrowLeft'),
      effect: 'shrink-selection',
    });
  } finally {
    await page.close();
  }
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ options: OPTIONS });
  } catch (e) {
    // node:util parseArgs: an unknown option or a missing value.
    throw new UsageError((e as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const keys = intOption('keys', values.keys, 40, 5, 1000);
  const cadenceMs = intOption('cadence', values.cadence, 150, 0, 5000);
  const sizes = values.sizes
    ? values.sizes.split(',').map((s) => intOption('sizes', s.trim(), 0, 100, 2_000_000))
    : DEFAULT_SIZES;
  const warmup = 5;
  const plan: PressPlan = { keys: typingKeys(keys), effect: 'insert', warmup, cadenceMs };
  const command = [
    'npm run bench:typing',
    ...(values.keys || values.sizes || values.cadence ? ['--'] : []),
    ...(values.keys ? [`--keys ${keys}`] : []),
    ...(values.sizes ? [`--sizes ${sizes.join(',')}`] : []),
    ...(values.cadence ? [`--cadence ${cadenceMs}`] : []),
  ].join(' ');

  const started = Date.now();
  const loadAtStart = os.loadavg()[0];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-bench-typing-'));
  let browser: Browser | null = null;
  try {
    await ensureRenderer(ROOT, log);
    log('making a tiny random model and building the pages');
    const modelDir = await makeTinyModel(ROOT, path.join(tmp, 'model'));
    const pages = await buildPages(path.join(tmp, 'pages'));
    browser = await chromium.launch({
      executablePath: process.env.INKLING_CHROMIUM ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    });
    const novel = fs.readFileSync(NOVEL, 'utf8');
    const results: SizeFigures[] = [];
    for (const words of sizes) {
      const text = proseOfWords(novel, words);
      const actualWords = countWords(text);
      const file = path.join(tmp, `moby-dick-${words}.md`);
      fs.writeFileSync(file, text);
      log(`${actualWords.toLocaleString('en')} words (${text.length.toLocaleString('en')} characters): the peer`);
      const peer = await measurePeer(browser, pages.probe, pages.peerUrl, text, plan);
      const size: SizeFigures = { words, actualWords, chars: text.length, peer, inkling: {} };
      const dataDir = path.join(tmp, `data-${words}`);
      fs.mkdirSync(dataDir);
      const host = await startHost({ root: ROOT, modelDir, dataDir });
      try {
        await measureInkling(browser, pages.probe, host.pageUrl, file, text, plan, size);
      } finally {
        await host.stop();
      }
      results.push(size);
    }
    const m = os.cpus();
    const result: TypingBenchResult = {
      command,
      date: new Date().toISOString(),
      durationS: (Date.now() - started) / 1000,
      keys,
      warmup,
      cadenceMs,
      machine: {
        cpu: m[0]?.model.trim() ?? 'unknown',
        logicalCpus: m.length,
        os: `${os.type()} ${os.release()} (${os.arch()})`,
        node: process.version,
        chromium: browser.version(),
        codemirrorView: packageVersion('@codemirror/view'),
        loadAtStart,
        loadAtEnd: os.loadavg()[0],
      },
      sizes: results,
    };
    if (!values['no-write']) {
      atomicWriteFileSync(DOC, replaceTypingSection(fs.readFileSync(DOC, 'utf8'), typingSection(result)));
      log(`written to ${path.relative(ROOT, DOC)}`);
    }
    process.stdout.write(
      values.json ? `${JSON.stringify(result)}\n` : `${machineLines(result)}\n\n${typingTable(result)}\n`,
    );
  } finally {
    await browser?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  if (e instanceof UsageError) {
    process.stderr.write(`${e.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  log(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
