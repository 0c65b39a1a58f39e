/**
 * onnxruntime-node, loaded lazily: a missing or broken native binary becomes a clear error at model
 * load, never a crash at start-up. Also turns the app's device setting into execution providers.
 */
import { createRequire } from 'node:module';
import type * as OrtTypes from 'onnxruntime-node';
import {
  automaticThreads,
  chooseSpinning,
  resolveThreads,
  startCpuSample,
  type CpuUse,
  type SpinningChoice,
} from './threads';

export type Ort = typeof OrtTypes;
export type OrtSession = OrtTypes.InferenceSession;
export type OrtTensor = OrtTypes.Tensor;

let cached: Ort | null = null;

export function ort(): Ort {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  try {
    cached = require('onnxruntime-node') as Ort;
  } catch (err) {
    throw new Error(
      `The inference runtime (onnxruntime-node) could not be loaded: ${(err as Error).message}. ` +
        'Reinstall the app, or run `npm ci` in a development checkout.',
    );
  }
  return cached;
}

export type Device = 'cpu' | 'cuda' | 'dml' | 'coreml';

/**
 * How a session runs on the CPU. The defaults are what measured best for Inkling's graphs on the
 * 2-core build machine, idle and under load (docs/BENCHMARKS.md); every field can be overridden.
 */
export interface SessionSettings {
  device?: Device;
  /**
   * Intra-op threads; 0 / undefined = automatic: one per physical (performance) core, resolved by
   * `runtime/threads.ts` and always passed to onnxruntime as a number (its own choice pins threads
   * to cores, which measured ~2× slower when other programs are busy).
   */
  threads?: number;
  /**
   * Let onnxruntime choose the thread count itself (and pin its threads), ignoring `threads`. Only
   * for the benchmark, which shows what that choice costs next to the automatic one.
   */
  onnxruntimeThreads?: boolean;
  /**
   * Let intra-op threads spin-wait for the next operator during a run instead of sleeping (they
   * always sleep between runs: `session.force_spinning_stop`). Undefined = automatic: decided at
   * load from what other programs use of the CPUs (`chooseSpinning` in runtime/threads.ts): faster
   * when the cores are free, slower when other programs want them (docs/BENCHMARKS.md).
   */
  spinning?: boolean;
  /** onnxruntime's CPU memory arena (reuses activation buffers between runs). Default: on. */
  memArena?: boolean;
  /**
   * Let kernels re-pack constant weights into their preferred layout at load (default on). The
   * packed copy replaces the original only when no other node reads it; int8/int4 graphs need it.
   */
  prepack?: boolean;
}

export const DEFAULT_SESSION_SETTINGS: Required<Pick<SessionSettings, 'memArena'>> = {
  memArena: true,
};

function providersFor(device: Device): string[] {
  switch (device) {
    case 'cpu':
      return ['cpu'];
    case 'cuda':
      return ['cuda', 'cpu'];
    case 'dml':
      return ['dml', 'cpu'];
    case 'coreml':
      return ['coreml', 'cpu'];
  }
}

export interface OpenedSession {
  session: OrtSession;
  /** The device actually in use, and why it differs from the one asked for (if it does). */
  device: Device;
  fallbackReason?: string;
  /** Whether its threads spin during runs, and why. */
  spinning: SpinningChoice;
}

/** The spinning a session gets: as set, or the automatic choice from a CPU sample (see threads.ts). */
export async function resolveSpinning(
  settings: Pick<SessionSettings, 'spinning' | 'threads' | 'onnxruntimeThreads'>,
  sample: { finish(minMs?: number): Promise<CpuUse> } = startCpuSample(),
): Promise<SpinningChoice> {
  if (settings.spinning !== undefined)
    return { spinning: settings.spinning, reason: `${settings.spinning ? 'on' : 'off'} (as set)` };
  const threads = settings.onnxruntimeThreads ? automaticThreads().threads : resolveThreads(settings.threads);
  return chooseSpinning(await sample.finish(), threads);
}

/**
 * Opens an ONNX file; a provider that fails to start falls back to CPU with a reason. `cpuSample`,
 * started by the caller before its own preparations, lets the automatic spinning choice overlap them.
 */
export async function openSession(
  onnxPath: string,
  settings: SessionSettings = {},
  cpuSample?: { finish(minMs?: number): Promise<CpuUse> },
): Promise<OpenedSession> {
  const rt = ort();
  const device = settings.device ?? 'cpu';
  const spinning = await resolveSpinning(settings, cpuSample);
  const options = (providers: string[]): OrtTypes.InferenceSession.SessionOptions =>
    sessionOptions(providers, { ...settings, spinning: spinning.spinning });
  if (device !== 'cpu') {
    try {
      const session = await rt.InferenceSession.create(onnxPath, options(providersFor(device)));
      return { session, device, spinning };
    } catch (err) {
      const session = await createOrExplain(rt, onnxPath, options(['cpu']));
      return {
        session,
        device: 'cpu',
        fallbackReason: `${device} could not start (${(err as Error).message}); using the CPU`,
        spinning,
      };
    }
  }
  return { session: await createOrExplain(rt, onnxPath, options(['cpu'])), device: 'cpu', spinning };
}

/** onnxruntime session options for these settings. */
export function sessionOptions(
  providers: string[],
  settings: SessionSettings = {},
): OrtTypes.InferenceSession.SessionOptions {
  // Undefined here (a caller that did not resolve it) is off: the choice needs a CPU sample (openSession).
  const spinning = settings.spinning ?? false;
  return {
    executionProviders: providers,
    graphOptimizationLevel: 'all',
    enableCpuMemArena: settings.memArena ?? DEFAULT_SESSION_SETTINGS.memArena,
    enableMemPattern: true,
    executionMode: 'sequential',
    ...(settings.onnxruntimeThreads ? {} : { intraOpNumThreads: resolveThreads(settings.threads) }),
    // Config entries (onnxruntime_session_options_config_keys.h), flattened by the binding.
    extra: {
      session: {
        intra_op: { allow_spinning: spinning ? '1' : '0' },
        // Spin only while a run is in progress; sleep between tokens and requests.
        ...(spinning ? { force_spinning_stop: '1' } : {}),
        ...(settings.prepack === false ? { disable_prepacking: '1' } : {}),
      },
    },
    logSeverityLevel: 3,
  };
}

async function createOrExplain(
  rt: Ort,
  onnxPath: string,
  options: OrtTypes.InferenceSession.SessionOptions,
): Promise<OrtSession> {
  try {
    return await rt.InferenceSession.create(onnxPath, options);
  } catch (err) {
    throw new Error(`${onnxPath}: the model graph could not be loaded: ${(err as Error).message}`);
  }
}

export function int64Tensor(values: ArrayLike<number>, dims: readonly number[]): OrtTensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return new (ort().Tensor)('int64', data, dims);
}

export function floatTensor(data: Float32Array, dims: readonly number[]): OrtTensor {
  return new (ort().Tensor)('float32', data, dims);
}
