// decode(encode(x)) === x, the streaming decoder, and the per-token views.
import { describe, expect, it } from 'vitest';
import { Gpt2Tokenizer } from '../../../electron/engine/tokenizer/index';
import { corpus, prng, randomString } from './corpus';

const tok = Gpt2Tokenizer.gpt2();

/** What a string becomes after UTF-8: every lone surrogate replaced by U+FFFD. */
function wellFormed(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (
      c >= 0xd800 &&
      c <= 0xdbff &&
      i + 1 < s.length &&
      s.charCodeAt(i + 1) >= 0xdc00 &&
      s.charCodeAt(i + 1) <= 0xdfff
    ) {
      out += s[i] + s[i + 1];
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) out += '\ufffd';
    else out += s[i];
  }
  return out;
}

function streamAll(ids: number[]): string[] {
  const dec = tok.createStreamDecoder();
  const parts = ids.map((id) => dec.push(id));
  parts.push(dec.flush());
  return parts;
}

describe('round trip', () => {
  it('decode(encode(x)) === x on the whole corpus', () => {
    const bad = corpus().filter((c) => tok.decode(tok.encode(c.text)) !== c.text);
    expect(bad.map((c) => c.label)).toEqual([]);
  });

  it('decode(encode(x)) === x on seeded random well-formed strings', () => {
    const rand = prng(7);
    for (let i = 0; i < 2000; i++) {
      const s = randomString(rand, 1 + Math.floor(rand() * 120));
      expect(tok.decode(tok.encode(s)), JSON.stringify(s)).toBe(s);
    }
  });

  it('replaces lone surrogates by U+FFFD (they have no UTF-8 form), and only those', () => {
    expect(tok.decode(tok.encode('a\ud800b'))).toBe('a\ufffdb');
    expect(tok.decode(tok.encode('\udfff\ud83d\ude00\ud83d'))).toBe('\ufffd\u{1f600}\ufffd');
    const rand = prng(8);
    let sawLone = 0;
    for (let i = 0; i < 1000; i++) {
      const s = randomString(rand, 1 + Math.floor(rand() * 80), true);
      if (wellFormed(s) !== s) sawLone++;
      expect(tok.decode(tok.encode(s)), JSON.stringify(s)).toBe(wellFormed(s));
    }
    expect(sawLone).toBeGreaterThan(100);
  });

  it('keeps a leading byte-order mark and the literal <|endoftext|> text', () => {
    for (const s of ['\ufeff', '\ufeffHello', 'a<|endoftext|>b']) expect(tok.decode(tok.encode(s))).toBe(s);
    expect(tok.decode(tok.encode('a<|endoftext|>b', { allowSpecial: true }))).toBe('a<|endoftext|>b');
  });

  it('rejects ids outside the vocabulary', () => {
    for (const id of [-1, 50257, 1.5, Number.NaN]) {
      expect(() => tok.decode([id])).toThrow(/token id .* is not in the vocabulary/);
      expect(() => tok.tokenBytes(id)).toThrow(RangeError);
    }
  });
});

describe('token views', () => {
  it('tokenBytes gives the raw bytes, as a copy', () => {
    const [the] = tok.encode(' the');
    expect([...tok.tokenBytes(the)]).toEqual([0x20, 0x74, 0x68, 0x65]);
    tok.tokenBytes(the).fill(0);
    expect(tok.decode([the])).toBe(' the');
    expect(new TextDecoder().decode(tok.tokenBytes(tok.eosTokenId))).toBe('<|endoftext|>');
    let total = 0;
    for (let id = 0; id < tok.vocabSize; id++) total += tok.tokenBytes(id).length;
    expect(total).toBeGreaterThan(tok.vocabSize * 3); // every id has bytes; GPT-2 averages ~6 per token
  });

  it('tokenText is a lossy display string', () => {
    expect(tok.tokenText(tok.encode(' hello')[0])).toBe(' hello');
    expect(tok.tokenText(tok.eosTokenId)).toBe('<|endoftext|>');
    const emojiIds = tok.encode('🤖');
    expect(emojiIds.length).toBeGreaterThan(1);
    expect(tok.tokenText(emojiIds[0])).toContain('\ufffd');
  });
});

describe('stream decoder', () => {
  it('holds back a character split across tokens until it is complete', () => {
    for (const ch of ['🤖', '👍🏽', '龘', '𝔸', '\u{10fffd}']) {
      const ids = tok.encode(ch);
      expect(ids.length, `${ch} spans several tokens`).toBeGreaterThan(1);
      const parts = streamAll(ids);
      expect(parts.join('')).toBe(ch);
      expect(parts.filter((p) => p !== '').length, `${ch} arrives in one piece`).toBeLessThanOrEqual([...ch].length);
      for (const p of parts) expect(p).not.toContain('\ufffd');
    }
  });

  it('never emits half a character: every push is whole code points, and pushes + flush === decode', () => {
    const texts = corpus()
      .filter((c) => /^(cjk|emoji|combining|rtl|fuzz|accented)/.test(c.label))
      .map((c) => c.text);
    expect(texts.length).toBeGreaterThan(10);
    for (const text of texts) {
      const ids = tok.encode(text);
      const parts = streamAll(ids);
      expect(parts.join('')).toBe(text);
      // No part starts with a low surrogate or ends with a high one, and none has U+FFFD the text lacks.
      const broken = parts.filter(
        (p) => /^[\udc00-\udfff]|[\ud800-\udbff]$/.test(p) || (p.includes('\ufffd') && !text.includes('\ufffd')),
      );
      expect(broken).toEqual([]);
    }
  });

  it('matches decode() on random id sequences, including invalid UTF-8', () => {
    const rand = prng(99);
    // Single-byte tokens for continuation / lead / never-valid bytes make invalid sequences likely.
    const rawByteToken = (b: number) => {
      for (let id = 0; id < 256; id++) if (tok.tokenBytes(id).length === 1 && tok.tokenBytes(id)[0] === b) return id;
      throw new Error(`no token for byte ${b}`);
    };
    const lead = [0x80, 0x9f, 0xbf, 0xc3, 0xe6, 0xf0, 0xf4, 0xff].map(rawByteToken);
    for (let i = 0; i < 400; i++) {
      const ids = Array.from({ length: 1 + Math.floor(rand() * 30) }, () =>
        rand() < 0.4 ? lead[Math.floor(rand() * lead.length)] : Math.floor(rand() * tok.vocabSize),
      );
      expect(streamAll(ids).join(''), JSON.stringify(ids)).toBe(tok.decode(ids));
    }
  });

  it('finish() drops a character the stream stopped inside instead of showing U+FFFD', () => {
    const dec = tok.createStreamDecoder();
    const robot = tok.encode('a🤖');
    expect(robot.length).toBeGreaterThan(2); // the emoji spans tokens
    expect(
      robot
        .slice(0, -1)
        .map((id) => dec.push(id))
        .join(''),
    ).toBe('a');
    expect(dec.finish()).toBe('');
    // And the decoder starts clean afterwards.
    expect(robot.map((id) => dec.push(id)).join('') + dec.finish()).toBe('a🤖');
  });

  it('peek() gives what a token would write where the stream stands, without adding it', () => {
    const dec = tok.createStreamDecoder();
    const robot = tok.encode('🤖');
    const [x] = tok.encode('x');
    for (const id of robot.slice(0, -1)) expect(dec.peek(id)).toBe(''); // only begins the character
    robot.slice(0, -1).forEach((id) => dec.push(id));
    const last = robot[robot.length - 1];
    expect(tok.tokenText(last)).toContain('\ufffd'); // alone, the last piece is half a character...
    expect(dec.peek(last)).toBe('🤖'); // ...where the stream stands, it completes one
    expect(dec.peek(x)).toBe('x'); // an alternative that does not continue it writes its own text
    expect(dec.peek(robot[0])).toBe(''); // a stray part of a character holds nothing to show
    expect(dec.push(last)).toBe('🤖'); // peeking changed nothing
    // From a clean start, no token of the vocabulary reads as U+FFFD, though many are parts of characters.
    const fresh = tok.createStreamDecoder();
    let halves = 0;
    for (let id = 0; id < tok.vocabSize; id++) {
      if (tok.tokenText(id).includes('\ufffd')) halves++;
      expect(fresh.peek(id)).not.toContain('\ufffd');
    }
    expect(halves).toBeGreaterThan(100);
  });

  it('flushes an incomplete trailing sequence as U+FFFD and can be reused after flush', () => {
    const ids = tok.encode('🤖');
    const dec = tok.createStreamDecoder();
    expect(dec.push(ids[0])).toBe('');
    expect(dec.flush()).toBe('\ufffd');
    expect(dec.flush()).toBe('');
    const again = ids.map((id) => dec.push(id)).join('') + dec.flush();
    expect(again).toBe('🤖');
    // An invalid sequence followed by ASCII: the replacement comes out as soon as it is known.
    const parts = [dec.push(ids[0]), ...tok.encode('x').map((id) => dec.push(id)), dec.flush()];
    expect(parts.join('')).toBe(tok.decode([ids[0], ...tok.encode('x')]));
    expect(parts.join('')).toBe('\ufffdx');
    expect(parts[1]).toBe('\ufffdx');
  });

  it('keeps a leading byte-order mark', () => {
    expect(streamAll(tok.encode('\ufeffhi')).join('')).toBe('\ufeffhi');
  });
});
