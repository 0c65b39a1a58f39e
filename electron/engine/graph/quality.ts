/**
 * How far a reduced-precision graph is from the fp32 one: both run over the same fixed text (one
 * pass, logits at every position), and we report
 *   top1Agreement – fraction of positions whose most likely next token is the same;
 *   meanKl        – mean over positions of KL(p_fp32 ‖ p_quant) in nats, the information lost per
 *                   token by sampling from the reduced model instead of the fp32 one.
 * Graphs are run one after the other (never both loaded), keeping only the fp32 log-probabilities.
 */
import type { Gpt2Config } from '../weights/types';
import { INKLING_INPUTS, INKLING_OUTPUTS } from './contract';
import { floatTensor, int64Tensor, openSession } from '../runtime/ort';

/** A fixed English paragraph (written for this purpose) the report is measured on. */
export const REPORT_TEXT =
  'The lighthouse keeper climbed the spiral stairs every evening, counting the steps out of habit ' +
  'rather than need. From the lamp room he could see the harbour, the fishing boats tied two by two, ' +
  'and the long road that ran along the cliffs toward the town. On clear nights the beam reached ' +
  'the far islands; in fog it seemed to stop a few yards from the glass, as if the sea had swallowed ' +
  'it. He wrote the weather in a small book, the wind, the tide, and the names of the ships that ' +
  'passed, and when the book was full he started another.';

export interface QuantReport {
  /** Tokens of REPORT_TEXT that were scored (positions with a prediction). */
  tokens: number;
  top1Agreement: number;
  meanKl: number;
}

/** Log-softmax rows [n, V] of the graph at `onnxPath` for the whole sequence `ids`. */
export async function logProbs(onnxPath: string, cfg: Gpt2Config, ids: readonly number[]): Promise<Float32Array> {
  // One run per graph: no spinning decision (and its CPU sample) is worth making for it.
  const { session } = await openSession(onnxPath, { device: 'cpu', spinning: false });
  try {
    const n = ids.length;
    const C = cfg.nEmbd;
    const range = Array.from({ length: n }, (_, i) => i);
    const feeds = {
      [INKLING_INPUTS.inputIds]: int64Tensor(ids, [1, n]),
      [INKLING_INPUTS.positionIds]: int64Tensor(range, [1, n]),
      [INKLING_INPUTS.attentionMask]: int64Tensor(new Array<number>(n).fill(1), [1, n]),
      [INKLING_INPUTS.logitsIndex]: int64Tensor(range, [n]),
    };
    const empty = new Float32Array(0);
    for (let i = 0; i < cfg.nLayer; i++) {
      for (const name of [
        INKLING_INPUTS.sharedKey(i),
        INKLING_INPUTS.sharedValue(i),
        INKLING_INPUTS.pastKey(i),
        INKLING_INPUTS.pastValue(i),
      ]) {
        Object.assign(feeds, { [name]: floatTensor(empty, [1, 0, C]) });
      }
    }
    const out = await session.run(feeds, [INKLING_OUTPUTS.logits]);
    const logits = out[INKLING_OUTPUTS.logits].data as Float32Array;
    const V = logits.length / n;
    for (let r = 0; r < n; r++) logSoftmaxInPlace(logits.subarray(r * V, (r + 1) * V));
    return logits;
  } finally {
    await session.release();
  }
}

function logSoftmaxInPlace(row: Float32Array): void {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i] - max);
  const lse = max + Math.log(sum);
  for (let i = 0; i < row.length; i++) row[i] -= lse;
}

/** Compares two [n, V] log-probability tables row by row. */
export function compareLogProbs(ref: Float32Array, test: Float32Array, n: number): QuantReport {
  if (ref.length !== test.length || ref.length % n !== 0)
    throw new Error(`compareLogProbs: tables of ${ref.length} and ${test.length} values for ${n} rows`);
  const V = ref.length / n;
  let agree = 0;
  let kl = 0;
  for (let r = 0; r < n; r++) {
    const a = ref.subarray(r * V, (r + 1) * V);
    const b = test.subarray(r * V, (r + 1) * V);
    let ia = 0;
    let ib = 0;
    let rowKl = 0;
    for (let v = 0; v < V; v++) {
      if (a[v] > a[ia]) ia = v;
      if (b[v] > b[ib]) ib = v;
      rowKl += Math.exp(a[v]) * (a[v] - b[v]);
    }
    if (ia === ib) agree++;
    kl += Math.max(0, rowKl); // float rounding can leave a tiny negative for identical rows
  }
  return { tokens: n, top1Agreement: agree / n, meanKl: kl / n };
}

/**
 * The report for `testOnnx` against `refOnnx` (fp32) on `ids`; `onProgress` hears each of the two
 * runs start (0, then 0.5) and the end (1).
 */
export async function quantizationReport(
  refOnnx: string,
  testOnnx: string,
  cfg: Gpt2Config,
  ids: readonly number[],
  onProgress: (fraction: number, stage: string) => void = () => {},
): Promise<QuantReport> {
  if (ids.length < 2) throw new Error('quantization report: the text must have at least 2 tokens');
  const seq = ids.slice(0, cfg.nPositions);
  onProgress(0, 'running the fp32 reference');
  const ref = await logProbs(refOnnx, cfg, seq);
  onProgress(0.5, 'running the converted model');
  const test = await logProbs(testOnnx, cfg, seq);
  onProgress(1, 'comparing');
  return compareLogProbs(ref, test, seq.length);
}
