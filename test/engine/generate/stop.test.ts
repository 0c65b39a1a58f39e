import { describe, expect, it } from 'vitest';
import { StopMatcher } from '../../../electron/engine/generate/stop';
import { Rng } from '../../../electron/engine/generate/sample';

/** Feeds chunks and returns everything emitted (plus the flush when it never stopped). */
function run(stops: string[], chunks: string[]): { text: string; stopped: boolean; emits: string[] } {
  const m = new StopMatcher(stops);
  const emits: string[] = [];
  let stopped = false;
  for (const c of chunks) {
    const r = m.push(c);
    emits.push(r.emit);
    stopped = r.stopped;
  }
  const tail = m.flush();
  return { text: emits.join('') + tail, stopped, emits };
}

describe('StopMatcher', () => {
  it('finds a stop split across tokens and holds back the possible start', () => {
    const m = new StopMatcher(['\n\n']);
    expect(m.push('Hello\n')).toEqual({ emit: 'Hello', stopped: false });
    expect(m.push('\nWorld')).toEqual({ emit: '', stopped: true });
    expect(m.matched).toBe('\n\n');
    expect(m.push('more')).toEqual({ emit: '', stopped: true });
    expect(m.flush()).toBe('');
  });

  it('matches a stop spread over three tokens and never emits any of it', () => {
    const r = run(['THE END'], ['Once upon TH', 'E E', 'ND!']);
    expect(r.emits).toEqual(['Once upon ', '', '']);
    expect(r.stopped).toBe(true);
    expect(r.text).toBe('Once upon ');
  });

  it('releases a held prefix when the text turns out not to be a stop', () => {
    const m = new StopMatcher(['END']);
    expect(m.push('The EN')).toEqual({ emit: 'The ', stopped: false });
    expect(m.push('ough')).toEqual({ emit: 'ENough', stopped: false });
    expect(m.push(' E')).toEqual({ emit: ' ', stopped: false });
    expect(m.flush()).toBe('E');
  });

  it('with overlapping stops, the earliest occurrence wins', () => {
    const m = new StopMatcher(['abcd', 'bc']);
    expect(m.push('xab')).toEqual({ emit: 'x', stopped: false });
    expect(m.push('c')).toEqual({ emit: 'a', stopped: true });
    expect(m.matched).toBe('bc');
    const n = new StopMatcher(['bcd', 'abc']);
    expect(n.push('zabcd')).toEqual({ emit: 'z', stopped: true });
    expect(n.matched).toBe('abc');
  });

  it('handles self-overlapping stops', () => {
    const r = run(['aab'], ['a', 'a', 'a', 'b', 'c']);
    expect(r.emits).toEqual(['', '', 'a', '', '']);
    expect(r.text).toBe('a');
  });

  it('finds a stop inside a single chunk', () => {
    expect(run(['.'], ['Hi. There'])).toMatchObject({ text: 'Hi', stopped: true });
  });

  it('with no stops passes text straight through', () => {
    expect(run([], ['a', 'b'])).toEqual({ text: 'ab', stopped: false, emits: ['a', 'b'] });
  });

  it('refuses an empty stop sequence', () => {
    expect(() => new StopMatcher(['x', ''])).toThrow(/stop sequence 1/);
  });

  it('emits exactly the text before the first stop, however the text is chunked (fuzz, fixed seed)', () => {
    const rng = new Rng(77);
    const alphabet = 'ab\n ';
    const stops = ['ab\n', '\n\n', 'bba'];
    for (let trial = 0; trial < 300; trial++) {
      const len = 1 + Math.floor(rng.next() * 30);
      const text = Array.from({ length: len }, () => alphabet[Math.floor(rng.next() * alphabet.length)]).join('');
      const chunks: string[] = [];
      for (let i = 0; i < text.length;) {
        const n = 1 + Math.floor(rng.next() * 4);
        chunks.push(text.slice(i, i + n));
        i += n;
      }
      const firstStop = Math.min(...stops.map((s) => (text.includes(s) ? text.indexOf(s) : Infinity)));
      const expected = firstStop === Infinity ? text : text.slice(0, firstStop);
      const r = run(stops, chunks);
      expect(r.text, JSON.stringify(chunks)).toBe(expected);
      expect(r.stopped).toBe(firstStop !== Infinity);
    }
  });
});
