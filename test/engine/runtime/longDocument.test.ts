/**
 * Long documents: the engine's counter of tokens read per request (`stats.readTokens`) shows that
 * a keystroke re-reads only what changed, wherever the cursor is, whatever was edited before the
 * window, with a memory in front; and the window the model reads is exactly memory + the text from
 * `windowStart` on. The document is a real novel (test/data/moby-dick), on the tiny random model
 * (its context is GPT-2's 1024 tokens; speed is not measured here: see `npm run bench`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type Engine } from '../../../electron/engine/runtime';
import { memoryPrefix, SLIDE_STEP } from '../../../electron/engine/context';
import { Gpt2Tokenizer } from '../../../electron/engine/tokenizer';
import { referenceForward } from '../../../electron/engine/reference';
import { loadCheckpoint } from '../../../electron/engine/weights';
import { tinyModelDir } from '../../helpers/models';
import type { ScorePartsResult } from '../../../electron/engine/host/protocol';
import { convertedModelDir } from '../../helpers/converted';

const NOVEL = readFileSync(join(__dirname, '..', '..', 'data', 'moby-dick', 'chapters-1-36.txt'), 'utf8');
/** The first `words` words of the novel, cut at a paragraph end. */
function novel(words: number): string {
  let at = 0;
  let count = 0;
  const re = /\S+/g;
  while (count < words && re.exec(NOVEL)) count++;
  at = re.lastIndex;
  const end = NOVEL.indexOf('\n\n', at);
  return NOVEL.slice(0, end < 0 ? NOVEL.length : end);
}

const tok = Gpt2Tokenizer.gpt2();
const TAB = { temperature: 0, repetitionPenalty: 1, maxNewTokens: 2 } as const;
const TYPED = ' and then the whale rose from the deep sea once more to look at us'.split(/(?= )/);
/** A keystroke's re-read, outside a slide, stays under this (the bound). */
const FEW = 64;
let engine: Engine;

beforeAll(async () => {
  engine = (await loadModel(await convertedModelDir())).engine;
});

afterAll(async () => {
  await engine?.dispose();
});

async function tab(docId: string, prompt: string, memory?: string) {
  const r = await engine.generate({
    prompt,
    cacheKey: docId,
    params: TAB,
    ...(memory !== undefined ? { memory } : {}),
  });
  return r.stats;
}

describe('a long document', () => {
  it('typing word by word at the end of a 6,000-word document re-reads only the new tokens until the window slides', async () => {
    let text = novel(6000);
    const first = await tab('end', text);
    expect(first.documentTokens).toBeGreaterThan(7000);
    expect(first.truncatedTokens).toBeGreaterThan(0); // the document is far longer than the window
    let slides = 0;
    let start = first.windowStart;
    for (let i = 0; i < 40; i++) {
      text += TYPED[i % TYPED.length];
      const s = await tab('end', text);
      if (s.windowStart !== start) {
        slides++;
        start = s.windowStart;
        continue; // a slide re-reads the window: that is the step's cost, paid once per ~256 tokens
      }
      expect(s.readTokens, `keystroke ${i}`).toBeLessThan(FEW);
      expect(s.scannedChars, `keystroke ${i}`).toBeLessThan(200); // and it did not re-tokenize the book
    }
    expect(slides).toBeLessThanOrEqual(1); // 40 words are fewer than two slide steps
  });

  it('the second Tab in the middle of a 60,000-word document, after typing a word there, is a short read', async () => {
    const book = novel(60_000);
    const middle = book.indexOf('\n\n', Math.floor(book.length / 2));
    const before = book.slice(0, middle);
    const first = await tab('middle', before);
    expect(first.readTokens).toBeGreaterThan(500); // the first Tab there reads a whole window
    const second = await tab('middle', before + ' Ahab');
    expect(second.readTokens).toBeLessThan(FEW);
    expect(second.windowStart).toBe(first.windowStart);
  });

  it('an edit in paragraph 3 of 40 re-reads from the edit onward, not the whole window', async () => {
    // 40 short paragraphs (each the first sentence of one of the novel's): ~900 tokens, all in the window.
    const paragraphs = NOVEL.split('\n\n')
      .slice(0, 40)
      .map((p) => p.split(/(?<=[.!?])\s/)[0].slice(0, 110));
    const text = paragraphs.join('\n\n');
    const fits = await tab('para', text);
    expect(fits.truncatedTokens).toBe(0); // all of it is in the window
    const edited = [...paragraphs];
    edited[2] = edited[2].replace(/\.$/, ', or so it seemed.');
    const at = edited.slice(0, 2).join('\n\n').length;
    const s = await tab('para', edited.join('\n\n'));
    const tokensBeforeEdit = tok.encode(edited.join('\n\n').slice(0, at)).length;
    expect(s.reusedTokens).toBeGreaterThanOrEqual(tokensBeforeEdit - 4); // BPE may re-merge a token or two at the edit
    expect(s.readTokens).toBe(s.promptTokens - s.reusedTokens);
    expect(s.readTokens).toBeLessThan(s.promptTokens - tokensBeforeEdit + 8);
  });

  it('fixing a typo in chapter one, before the window, keeps the window and its cache', async () => {
    let text = novel(6000);
    const first = await tab('typo', text);
    expect(first.truncatedTokens).toBeGreaterThan(2000);
    text = text.replace('Call me Ishmael.', 'Call me, Ishmael.'); // one more token near the start
    text += ' Then';
    const s = await tab('typo', text);
    expect(s.readTokens).toBeLessThan(FEW);
    expect(s.windowStart).toBe(first.windowStart + 1); // the same words, one character later
    expect(s.truncatedTokens).toBe(first.truncatedTokens + 1);
  });

  it('reads exactly memory + the text from windowStart, and a restarted engine picks the same window', async () => {
    const text = novel(6000);
    const memory = 'Ishmael narrates. Setting: Nantucket, 1840s. Style: long, rolling sentences.';
    const plan = engine.planWindow(text, { cacheKey: 'exact', memory, maxNewTokens: 32 });
    const expected = tok.encode(memoryPrefix(memory)).concat(tok.encode(text.slice(plan.windowStart)));
    expect(plan.ids).toEqual(expected);
    expect(plan.memoryTokens).toBe(tok.encode(memoryPrefix(memory)).length);
    // The start is a line start when one is near, at a whole number of slide steps from the start.
    expect(plan.droppedTokens % SLIDE_STEP).toBeLessThan(40);
    const fresh = engine.planWindow(text, { cacheKey: 'exact-fresh', memory, maxNewTokens: 32 });
    expect(fresh.windowStart).toBe(plan.windowStart);
  });
});

describe('memory', () => {
  const memory = 'Characters: Ishmael, Queequeg, Ahab. The Pequod sails from Nantucket.';

  it('is read before the window, counted in the budget, and costs nothing per keystroke', async () => {
    let text = novel(6000);
    const first = await tab('mem', text, memory);
    expect(first.memoryTokens).toBe(tok.encode(memoryPrefix(memory)).length);
    expect(first.promptTokens + TAB.maxNewTokens).toBeLessThanOrEqual(1024);
    for (const word of TYPED.slice(0, 5)) {
      text += word;
      const s = await tab('mem', text, memory);
      if (s.windowStart !== first.windowStart) continue;
      expect(s.readTokens).toBeLessThan(FEW);
      expect(s.reusedTokens).toBeGreaterThan(s.memoryTokens);
    }
    // A changed memory is a new prefix: everything after it is read again.
    const changed = await tab('mem', text, memory + ' It is winter.');
    expect(changed.readTokens).toBeGreaterThan(500);
  });

  it('that does not fit is refused with a message saying what to shorten', async () => {
    const long = 'The sea. '.repeat(400);
    await expect(
      engine.generate({ prompt: 'Call me Ishmael.', cacheKey: 'm2', memory: long, params: TAB }),
    ).rejects.toThrow(/memory is \d+ tokens.*Shorten the memory/);
  });
});

describe('the heat map over a whole document', () => {
  async function allParts(key: string, text: string) {
    const parts: ScorePartsResult['parts'] = [];
    let computed = 0;
    let calls = 0;
    for (let from: number | null = 0; from !== null; calls++) {
      const r: ScorePartsResult = await engine.scoreParts(text, { cacheKey: key, from, top: 3 });
      parts.push(...r.parts);
      computed += r.computed;
      from = r.next;
    }
    return { parts, computed, calls };
  }

  it('scores every token of a 2,000-word document, each part read with the document before it', async () => {
    const text = novel(2000);
    const ids = tok.encode(text);
    const { parts, computed } = await allParts('heat', text);
    // The parts tile the text and its tokens.
    expect(parts[0].from).toBe(0);
    expect(parts[parts.length - 1].to).toBe(text.length);
    for (let i = 1; i < parts.length; i++) expect(parts[i].from).toBe(parts[i - 1].to);
    const scored = parts.flatMap((p) => p.tokens);
    expect(scored.map((t) => t.id)).toEqual(ids);
    expect(ids.length).toBeGreaterThan(2048); // longer than two context windows
    expect(computed).toBe(parts.length);
    expect(scored[0].logprob).toBeNull();
    expect(scored.slice(1).every((t) => t.logprob !== null && t.rank !== null && t.top.length === 3)).toBe(true);

    // A token deep in the document, checked against the float64 reference on the context the part
    // was read with (the 1024 tokens that end with its part). Tolerance 1e-4: fp32 graph vs float64.
    const weights = await loadCheckpoint(await tinyModelDir());
    try {
      let start = 0;
      const last = parts[parts.length - 1];
      for (const p of parts.slice(0, -1)) start += p.tokens.length;
      const end = ids.length;
      const ctx = ids.slice(Math.max(0, end - 1024), end);
      const logits = referenceForward(weights, ctx);
      const offset = start - Math.max(0, end - 1024); // where the last part starts in ctx
      for (const j of [0, 5, last.tokens.length - 1]) {
        const row = logits[offset + j - 1];
        let max = -Infinity;
        for (const v of row) max = Math.max(max, v);
        let sum = 0;
        for (const v of row) sum += Math.exp(v - max);
        const expected = row[ctx[offset + j]] - max - Math.log(sum);
        expect(Math.abs(last.tokens[j].logprob! - expected)).toBeLessThan(1e-4);
      }
    } finally {
      weights.close();
    }

    // An edit in the middle: the next pass scores only the parts around it again.
    const at = text.indexOf('\n\n', Math.floor(text.length / 2));
    const edited = text.slice(0, at) + ' So it went.' + text.slice(at);
    const again = await allParts('heat', edited);
    expect(again.parts.flatMap((p) => p.tokens).map((t) => t.id)).toEqual(tok.encode(edited));
    expect(again.computed).toBeGreaterThanOrEqual(1);
    expect(again.computed).toBeLessThanOrEqual(3); // the edited part and the ones that read it as context
    expect(again.parts.length - again.computed).toBeGreaterThanOrEqual(2);

    // Where the writer looks first: a `from` in the middle of a part gives that part (cached here),
    // and the same tokens as the pass from the start gave it.
    const mid = again.parts[Math.floor(again.parts.length / 2)];
    const r = await engine.scoreParts(edited, { cacheKey: 'heat', from: mid.from + 7, top: 3 });
    expect(r.parts[0].from).toBe(mid.from);
    expect(r.parts[0].to).toBe(mid.to);
    expect(r.parts[0].tokens.map((t) => t.id)).toEqual(mid.tokens.map((t) => t.id));
    expect(r.computed).toBe(0);
    expect((await engine.scoreParts(edited, { cacheKey: 'heat', from: edited.length, top: 3 })).parts).toEqual([]);
  });
});
