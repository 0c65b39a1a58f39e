/** `inkling eval`'s table: one row per precision, the difference from fp32, the GPT-2 paper's figure. */
import type { EvalReport } from '../services/eval';

export function formatDuration(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

const signedPoints = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)}`;
const pct = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}%`;

/** The report as a table a person reads: one row per precision, fp32's difference, the paper's figure. */
export function formatReport(r: EvalReport): string {
  const lines: string[] = [];
  const unit = r.task === 'wikitext2' ? 'tokens' : 'passages';
  const paper = r.paper;
  const size = paper ? `GPT-2 paper (${paper.size})` : 'GPT-2 paper';
  lines.push(`${r.model.name} — ${r.dataset.title}${r.limit !== null ? `, first ${r.limit} ${unit} only` : ''}`);
  lines.push(
    r.task === 'wikitext2'
      ? `perplexity, sliding window: context ${r.context}, stride ${r.stride} (lower is better)`
      : 'last-word accuracy (greedy, every token of the word) and perplexity of the last word (lower is better)',
  );
  const fp32 = r.results.find((x) => x.precision === 'fp32');
  const rows: string[][] = [];
  if (r.task === 'wikitext2') {
    rows.push(['precision', 'tokens', 'perplexity', 'vs fp32', size, 'time']);
    for (const x of r.results) {
      const p = x.perplexity!;
      const vs =
        fp32 && x !== fp32 ? pct((p.perplexity - fp32.perplexity!.perplexity) / fp32.perplexity!.perplexity) : '';
      rows.push([
        x.precision,
        String(p.scoredTokens),
        p.perplexity.toFixed(2),
        vs,
        paper ? paper.wikitext2Perplexity.toFixed(2) : '—',
        formatDuration(x.seconds),
      ]);
    }
  } else {
    rows.push(['precision', 'passages', 'accuracy', 'perplexity', 'vs fp32', `${size} acc / ppl`, 'time']);
    for (const x of r.results) {
      const l = x.lambada!;
      const f = fp32?.lambada;
      const vs =
        f && x !== fp32
          ? `${pct((l.wordPerplexity - f.wordPerplexity) / f.wordPerplexity)} ppl, ` +
            `${signedPoints((l.accuracy - f.accuracy) * 100)} pts`
          : '';
      rows.push([
        x.precision,
        String(l.passages),
        `${(l.accuracy * 100).toFixed(2)}%`,
        l.wordPerplexity.toFixed(2),
        vs,
        paper ? `${paper.lambadaAccuracy.toFixed(2)}% / ${paper.lambadaPerplexity.toFixed(2)}` : '—',
        formatDuration(x.seconds),
      ]);
    }
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  for (const row of rows)
    lines.push(
      row
        .map((cell, c) => cell.padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    );
  lines.push('');
  lines.push(
    r.task === 'wikitext2'
      ? "The paper's figure was computed after an invertible de-tokenizer undid WikiText's tokenization; " +
          'Inkling scores the raw text, so its figure is expected to differ (see docs/EVAL.md).'
      : "The paper's accuracy adds a stop-word filter and a de-tokenizer (its unfiltered figure for 1542M is " +
          "52.66%); Inkling's is plain greedy on the raw text (see docs/EVAL.md).",
  );
  if (!paper) lines.push('The GPT-2 paper has no figure for a model of this shape.');
  lines.push(
    `Data: ${r.dataset.repo}/${r.dataset.file} @ ${r.dataset.commit?.slice(0, 12) ?? 'unknown commit'}, ` +
      `sha256 ${r.dataset.sha256.slice(0, 16)}…`,
  );
  for (const n of r.notes) lines.push(`Note: ${n}`);
  if (r.recorded)
    lines.push(`Recorded with "${r.model.libraryId}": the Models page shows each precision's difference from fp32.`);
  return lines.join('\n') + '\n';
}
