// Session settings that decide the engine's resident memory (docs/BENCHMARKS.md, "Peak memory").
// Each was measured: switching any of these made the peak larger or prefill slower.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SESSION_SETTINGS, sessionOptions } from '../../../electron/engine/runtime/ort';

describe('session options and memory', () => {
  it('keeps the CPU arena and memory patterns, pre-packs weights, places initializers the default way', () => {
    const o = sessionOptions(['cpu']);
    expect(o.enableCpuMemArena).toBe(true); // off: glibc keeps more (+14 to +17 MB at the peak)
    expect(o.enableMemPattern).toBe(true); // off: ~10 MB less, but prefill 14-17% slower
    const session = (o.extra as { session: Record<string, unknown> }).session;
    expect(session.disable_prepacking).toBeUndefined(); // int8/int4 need pre-packing
    expect(session.use_device_allocator_for_initializers).toBeUndefined(); // on: +15 to +25 MB
    expect(DEFAULT_SESSION_SETTINGS.memArena).toBe(true);
  });

  it('passes the explicit choices through', () => {
    const o = sessionOptions(['cpu'], { memArena: false, prepack: false });
    expect(o.enableCpuMemArena).toBe(false);
    expect((o.extra as { session: Record<string, unknown> }).session.disable_prepacking).toBe('1');
  });
});
