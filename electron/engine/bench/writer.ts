/**
 * The writer's real case (`inkling bench --writer`): a long document of real prose (the first 36
 * chapters of Moby-Dick, test/data/moby-dick), cut at about 300, 1,000, 6,000 and 60,000 words.
 * For each: the cursor at the end, then in the middle; the first Tab reads the window, then each
 * press types a word and asks for a continuation; the figure is the time from the press to the
 * first token, p50 and p90 over the presses. Each long document's presses alternate with a 300-word
 * document's (the peer), so both see the same machine load. Each model runs in its own child process.
 *
 * Targets (docs/BENCHMARKS.md, issue "long documents"): at 6,000 and 60,000 words the p50 is within
 * 1.5× of the 300-word document's and the p90 within 3×.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { atomicWriteFileSync } from '../../common/fs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const NOVEL_FILE = path.resolve(HERE, '..', '..', '..', 'test', 'data', 'moby-dick', 'chapters-1-36.txt');
export const WRITER_SIZES = [300, 1000, 6000, 60_000] as const;
const WORDS = ' and the sea was calm that night while the crew slept below deck'.split(/(?= )/);

export interface PressFigures {
  p50: number;
  p90: number;
  /** Tokens read per press (p50) and window slides seen. */
  readP50: number;
  slides: number;
}

export interface WriterFigures {
  label: string;
  /**
   * size in words → place → the long document's presses and, measured alternately with them in the
   * same loop, the 300-word document's (its peer): the ratio compares presses made under the same
   * load, not a run of one size against a run of another minutes later.
   */
  figures: Record<string, Record<'end' | 'middle', { doc: PressFigures; peer: PressFigures }>>;
}

/** The first `words` words of the novel, cut at a paragraph end. */
export function novelPrefix(words: number): string {
  const novel = fs.readFileSync(NOVEL_FILE, 'utf8');
  const re = /\S+/g;
  let count = 0;
  while (count < words && re.exec(novel)) count++;
  const end = novel.indexOf('\n\n', re.lastIndex);
  return novel.slice(0, end < 0 ? novel.length : end);
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

const PEER_WORDS = 300;

/** In the child: every size and place for one model folder. */
export async function measureWriter(
  dir: string,
  label: string,
  presses: number,
  maxNewTokens = 32,
): Promise<WriterFigures> {
  const { loadModel } = await import('../runtime');
  const { engine } = await loadModel(dir, {});

  /** One document at one place: its text grows by a word per press. */
  const subject = (words: number, place: 'end' | 'middle', key: string) => {
    const doc = novelPrefix(words);
    const cut = place === 'end' ? doc.length : Math.max(0, doc.indexOf('\n\n', Math.floor(doc.length / 2)));
    let before = doc.slice(0, cut < 0 ? doc.length : cut);
    const ms: number[] = [];
    const read: number[] = [];
    let start = -1;
    let slides = 0;
    const tab = async () => {
      // The text arrives over IPC in the app, i.e. as a flat string; a string grown by += here would
      // be a rope that the first scan of each press flattens (milliseconds at 60,000 words).
      const prompt = structuredClone(before);
      const t0 = performance.now();
      let first = 0;
      const cancel = { cancelled: false };
      const r = await engine.generate(
        { prompt, cacheKey: key, params: { maxNewTokens, temperature: 0, repetitionPenalty: 1 } },
        (e) => {
          if (e.kind === 'token' && !first) {
            first = performance.now() - t0;
            cancel.cancelled = true; // the figure is the first token; the rest would only cost time
          }
        },
        cancel,
      );
      return { ms: first || performance.now() - t0, read: r.stats.readTokens, start: r.stats.windowStart };
    };
    return {
      first: tab, // the first Tab reads the window (and tokenizes the document): not timed
      async press(i: number) {
        before += WORDS[i % WORDS.length];
        const r = await tab();
        if (start >= 0 && r.start !== start) slides++;
        start = r.start;
        ms.push(r.ms);
        read.push(r.read);
      },
      figures: (): PressFigures => ({
        p50: quantile(ms, 0.5),
        p90: quantile(ms, 0.9),
        readP50: quantile(read, 0.5),
        slides,
      }),
    };
  };

  const figures: WriterFigures['figures'] = {};
  try {
    for (const words of WRITER_SIZES) {
      if (words === PEER_WORDS) continue;
      figures[words] = {} as WriterFigures['figures'][string];
      for (const place of ['end', 'middle'] as const) {
        const doc = subject(words, place, `${words}-${place}`);
        const peer = subject(PEER_WORDS, place, `${PEER_WORDS}-${place}-with-${words}`);
        await doc.first();
        await peer.first();
        for (let i = 0; i < presses; i++) {
          // Alternate which goes first, so neither always follows the other's cache traffic.
          if (i % 2 === 0) {
            await doc.press(i);
            await peer.press(i);
          } else {
            await peer.press(i);
            await doc.press(i);
          }
        }
        figures[words][place] = { doc: doc.figures(), peer: peer.figures() };
      }
    }
  } finally {
    await engine.dispose();
  }
  return { label, figures };
}

/** In the parent: one child per model, in turn. */
export async function runWriterBench(
  models: { label: string; dir: string }[],
  presses: number,
  log: (line: string) => void,
): Promise<WriterFigures[]> {
  const require = createRequire(import.meta.url);
  const tsx = pathToFileURL(require.resolve('tsx/esm')).href;
  const out: WriterFigures[] = [];
  for (const m of models) {
    log(`writer's case: ${m.label}`);
    const child = spawn(
      process.execPath,
      ['--import', tsx, path.join(HERE, 'writerChild.ts'), JSON.stringify({ ...m, presses })],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const last = stdout.trim().split('\n').pop() ?? '';
    if (code !== 0 || !last.startsWith('{')) throw new Error(`writer's case for ${m.label} failed (exit code ${code})`);
    out.push(JSON.parse(last) as WriterFigures);
  }
  return out;
}

/** The table for docs/BENCHMARKS.md: each long document beside its 300-word peer, and their ratios. */
export function writerTable(results: WriterFigures[], presses: number): string {
  const lines = [
    `| model | words | place | p50 ms | p90 ms | 300-word peer p50 / p90 ms | p50 / peer | p90 / peer | tokens read per press (p50) | slides in ${presses} presses |`,
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    for (const words of WRITER_SIZES) {
      for (const place of ['end', 'middle'] as const) {
        const f = r.figures[words]?.[place];
        if (!f) continue;
        const { doc, peer } = f;
        lines.push(
          `| ${r.label} | ${words.toLocaleString('en')} | ${place} | ${doc.p50.toFixed(1)} | ${doc.p90.toFixed(1)} | ` +
            `${peer.p50.toFixed(1)} / ${peer.p90.toFixed(1)} | ${(doc.p50 / peer.p50).toFixed(2)}× | ${(doc.p90 / peer.p90).toFixed(2)}× | ` +
            `${doc.readP50} | ${doc.slides} |`,
        );
      }
    }
  }
  return lines.join('\n');
}

export const WRITER_BEGIN =
  '<!-- bench:writer:begin (generated by `npm run bench -- --writer`; edit outside these markers) -->';
export const WRITER_END = '<!-- bench:writer:end -->';

export function writeWriterSection(file: string, table: string, command: string): void {
  const section = [
    WRITER_BEGIN,
    '',
    `Command: \`${command}\` (${new Date().toISOString().slice(0, 10)})`,
    '',
    table,
    '',
    WRITER_END,
  ].join('\n');
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const a = old.indexOf(WRITER_BEGIN);
  const b = old.indexOf(WRITER_END);
  const text =
    a >= 0 && b > a ? old.slice(0, a) + section + old.slice(b + WRITER_END.length) : `${old.trimEnd()}\n\n${section}\n`;
  atomicWriteFileSync(file, text);
}
