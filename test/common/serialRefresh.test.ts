import { describe, expect, it } from 'vitest';
import { serialRefresh } from '../../electron/common/serialRefresh';

/** A refresh whose runs end only when the test says so, recording what each run saw. */
function gated(source: { value: number }) {
  const seen: number[] = [];
  const gates: Array<() => void> = [];
  let active = 0;
  let overlapped = false;
  const refresh = async () => {
    active++;
    if (active > 1) overlapped = true;
    const value = source.value;
    await new Promise<void>((resolve) => gates.push(resolve));
    seen.push(value);
    active--;
  };
  return { refresh, seen, gates, overlapped: () => overlapped };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('serialRefresh', () => {
  it('folds requests made during a run into one more run that sees the newest state, never overlapping', async () => {
    const source = { value: 1 };
    const g = gated(source);
    const r = serialRefresh(g.refresh, () => undefined);
    const first = r.request();
    source.value = 2;
    const second = r.request();
    source.value = 3;
    const third = r.request();
    await tick();
    expect(g.gates).toHaveLength(1);
    g.gates[0]();
    await tick();
    expect(g.gates).toHaveLength(2);
    g.gates[1]();
    await Promise.all([first, second, third]);
    expect(g.seen).toEqual([1, 3]);
    expect(g.overlapped()).toBe(false);
  });

  it('settled() waits for the pending run; with nothing running it resolves at once', async () => {
    const source = { value: 1 };
    const g = gated(source);
    const r = serialRefresh(g.refresh, () => undefined);
    await r.settled();
    void r.request();
    void r.request();
    let done = false;
    const settled = r.settled().then(() => {
      done = true;
    });
    await tick();
    g.gates[0]();
    await tick();
    expect(done).toBe(false);
    g.gates[1]();
    await settled;
    expect(g.seen).toEqual([1, 1]);
  });

  it('a failing run is reported and does not stop the next request', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const r = serialRefresh(
      async () => {
        calls++;
        if (calls === 1) throw new Error('disk gone');
      },
      (e) => errors.push(e),
    );
    await r.request();
    await r.request();
    expect(calls).toBe(2);
    expect(errors.map(String)).toEqual(['Error: disk gone']);
  });
});
