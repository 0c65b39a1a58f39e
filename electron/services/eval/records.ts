/**
 * `inkling eval` results kept with a library model (manifest.json `evals`), and what the Models page
 * makes of them: each quantized precision's measured distance from fp32 on real text, and advice
 * when that distance is large.
 *
 * "Much worse" (the app then says so and suggests another precision): WikiText-2 / LAMBADA perplexity
 * at least 5% above fp32's, or LAMBADA accuracy 2 points or more below it. Block-wise int8 usually stays
 * well under 1% on GPT-2; a 5% rise in perplexity is a change a writer would notice in the suggestions.
 */
import { PRECISIONS, type Precision } from '../models/catalog';
import { readManifest, writeManifest } from '../models/manifest';
import { withLock } from '../models/lock';
import type { EvalRecord, ModelManifest } from '../models/manifest';
import type { EvalVsFp32 } from '../../api/models';

export const MUCH_WORSE_PERPLEXITY = 0.05;
export const MUCH_WORSE_ACCURACY = 0.02;
/** Records kept per model (the oldest go first). */
const MAX_RECORDS = 64;

function sameSetting(a: EvalRecord, b: EvalRecord): boolean {
  return (
    a.task === b.task &&
    a.context === b.context &&
    a.stride === b.stride &&
    a.limit === b.limit &&
    a.dataset.sha256 === b.dataset.sha256
  );
}

/** Adds the records to the model's manifest (replacing earlier ones of the same precision and setting). */
export async function recordEvals(dataDir: string, id: string, records: EvalRecord[]): Promise<void> {
  await withLock(dataDir, id, 'recording an evaluation of', async () => {
    const manifest = await readManifest(dataDir, id);
    if (!manifest) throw new Error(`the model "${id}" is no longer installed`);
    let evals = manifest.evals ?? [];
    for (const r of records) {
      evals = evals.filter((e) => !(e.precision === r.precision && e.weights === r.weights && sameSetting(e, r)));
      evals.push(r);
    }
    manifest.evals = evals.slice(-MAX_RECORDS);
    manifest.updatedAt = new Date().toISOString();
    await writeManifest(dataDir, manifest);
  });
}

/** The records that still describe what is installed (a re-converted precision makes older ones stale). */
export function currentRecords(m: Pick<ModelManifest, 'evals' | 'precisions' | 'createdAt'>): EvalRecord[] {
  return (m.evals ?? []).filter((r) => {
    if (
      !r ||
      typeof r !== 'object' ||
      !Number.isFinite(r.perplexity) ||
      !(PRECISIONS as readonly string[]).includes(r.precision)
    )
      return false;
    if (r.weights === 'source') return r.precision === 'fp32' && r.weightsCreatedAt === m.createdAt;
    return m.precisions[r.precision]?.createdAt === r.weightsCreatedAt;
  });
}

/** The Models page's view of one precision against fp32 (the type crosses the API to the renderer). */
export type VsFp32 = EvalVsFp32;

const METRIC = { wikitext2: 'WikiText-2 perplexity', lambada: 'LAMBADA perplexity' } as const;

/**
 * Each precision's distance from fp32, from the newest pair of comparable records (WikiText-2 first,
 * the whole split first).
 */
export function compareWithFp32(
  m: Pick<ModelManifest, 'evals' | 'precisions' | 'createdAt'>,
): Partial<Record<Precision, VsFp32>> {
  const records = currentRecords(m);
  const out: Partial<Record<Precision, VsFp32>> = {};
  const rank = (r: EvalRecord): number => (r.task === 'wikitext2' ? 0 : 2) + (r.limit === null ? 0 : 1);
  for (const p of PRECISIONS) {
    if (p === 'fp32') continue;
    const pairs = records
      .filter((r) => r.precision === p)
      .map((r) => ({ r, f: records.filter((f) => f.precision === 'fp32' && sameSetting(f, r)).at(-1) }))
      .filter((x): x is { r: EvalRecord; f: EvalRecord } => x.f !== undefined);
    if (!pairs.length) continue;
    const best = Math.min(...pairs.map((x) => rank(x.r)));
    const { r, f } = pairs.filter((x) => rank(x.r) === best).at(-1)!;
    const change = (r.perplexity - f.perplexity) / f.perplexity;
    const accDrop = r.accuracy !== undefined && f.accuracy !== undefined ? f.accuracy - r.accuracy : 0;
    out[p] = {
      task: r.task,
      metric: METRIC[r.task],
      perplexity: r.perplexity,
      fp32Perplexity: f.perplexity,
      change,
      ...(r.accuracy !== undefined && f.accuracy !== undefined
        ? { accuracy: r.accuracy, fp32Accuracy: f.accuracy }
        : {}),
      partial: r.limit !== null,
      muchWorse: change >= MUCH_WORSE_PERPLEXITY || accDrop >= MUCH_WORSE_ACCURACY,
    };
  }
  return out;
}

const pct = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}%`;

/**
 * A sentence for the Models page when an installed precision is much worse than fp32, naming the
 * smallest precision that is not (installed or measured), or fp32 itself; null when none is.
 */
export function precisionAdvice(m: Pick<ModelManifest, 'evals' | 'precisions' | 'createdAt'>): string | null {
  const vs = compareWithFp32(m);
  const bad = PRECISIONS.filter((p) => m.precisions[p] && vs[p]?.muchWorse);
  if (!bad.length) return null;
  const smallestFirst = [...PRECISIONS].reverse(); // int4, int8, fp16, fp32
  const good = smallestFirst.find((p) => p !== 'fp32' && vs[p] && !vs[p]!.muchWorse) ?? 'fp32';
  const worst = bad.map((p) => ({ p, v: vs[p]! })).sort((a, b) => b.v.change - a.v.change)[0];
  const v = worst.v;
  const figures = `${v.perplexity.toFixed(2)} against fp32's ${v.fp32Perplexity.toFixed(2)}`;
  const what = `${v.metric} ${figures} (${pct(v.change)})`;
  const others = bad.length > 1 ? ` (and ${bad.filter((p) => p !== worst.p).join(', ')})` : '';
  const use =
    good === 'fp32'
      ? m.precisions.fp32
        ? 'Use fp32 for the best suggestions.'
        : 'Download fp32 (or fp16, half the size and almost identical) if it fits in memory.'
      : m.precisions[good]
        ? `Use ${good} instead: it stays within ${pct(vs[good]!.change)} of fp32.`
        : `Download ${good} instead: it measured within ${pct(vs[good]!.change)} of fp32.`;
  return `${worst.p}${others} writes noticeably worse than fp32 with this model on real text: ${what}. ${use}`;
}
