/**
 * The GPT-2 paper's Table 3 (Radford et al. 2019, "Language Models are Unsupervised Multitask
 * Learners"), zero-shot, for the four sizes it names. Matched to a model by its shape (layers and
 * width), not its name, so a renamed or re-uploaded checkpoint of the same size still finds its row.
 *
 * The paper ran "invertible de-tokenizers" over WikiText-2 and LAMBADA before scoring (undoing the
 * data sets' tokenization artifacts such as " @-@ " and spaces before punctuation), and its LAMBADA
 * accuracy adds a stop-word filter (the raw greedy accuracy it quotes for the largest model is
 * 52.66%). Inkling scores the raw text without either, so its figures are not expected to equal
 * these: they are a yardstick of the right order, not a target.
 */
export interface PaperRow {
  /** The paper's name for the size. */
  size: '117M' | '345M' | '762M' | '1542M';
  nLayer: number;
  nEmbd: number;
  lambadaPerplexity: number;
  /** Percent, with the paper's stop-word filter. */
  lambadaAccuracy: number;
  wikitext2Perplexity: number;
}

export const GPT2_PAPER_TABLE3: readonly PaperRow[] = [
  {
    size: '117M',
    nLayer: 12,
    nEmbd: 768,
    lambadaPerplexity: 35.13,
    lambadaAccuracy: 45.99,
    wikitext2Perplexity: 29.41,
  },
  {
    size: '345M',
    nLayer: 24,
    nEmbd: 1024,
    lambadaPerplexity: 15.6,
    lambadaAccuracy: 55.48,
    wikitext2Perplexity: 22.76,
  },
  {
    size: '762M',
    nLayer: 36,
    nEmbd: 1280,
    lambadaPerplexity: 10.87,
    lambadaAccuracy: 60.12,
    wikitext2Perplexity: 19.93,
  },
  {
    size: '1542M',
    nLayer: 48,
    nEmbd: 1600,
    lambadaPerplexity: 8.63,
    lambadaAccuracy: 63.24,
    wikitext2Perplexity: 18.34,
  },
];

/** The paper's row for a model of this shape, or null (distilgpt2, test models, other shapes). */
export function paperRow(shape: { nLayer: number; nEmbd: number }): PaperRow | null {
  return GPT2_PAPER_TABLE3.find((r) => r.nLayer === shape.nLayer && r.nEmbd === shape.nEmbd) ?? null;
}
