/**
 * Sampling parameters: the one shape every generation request carries, its defaults, a table the
 * UI turns into sliders and tooltips, and the validator every boundary runs before generating.
 */
import { describeValue } from '../../common/describe';
import { InklingError } from '../../common/errors';

/** The samplers a chain can run, by name; `samplerOrder` lists them in the order they run. */
export type SamplerName =
  | 'repetitionPenalty'
  | 'presencePenalty'
  | 'frequencyPenalty'
  | 'noRepeatNgram'
  | 'dry'
  | 'logitBias'
  | 'temperature'
  | 'topK'
  | 'topP'
  | 'typicalP'
  | 'minP'
  | 'xtc'
  | 'mirostat';

/**
 * Default order: penalties → DRY → logitBias → temperature → topK → typicalP → topP → minP → XTC →
 * mirostat.
 * - Penalties (DRY among them: llama.cpp runs it right after the others) and bias first: they edit
 *   the model's raw scores, so their size means the same thing at any temperature, and bans land
 *   before any filter whose "keep at least one token" rule could otherwise keep a banned token.
 * - Temperature before the filters (Hugging Face's order): the cut-offs then measure the
 *   distribution that is actually sampled, so "top-p 0.9" means 90% of what you draw from.
 * - Top-k first among the filters: it is the cheapest and shrinks the candidate set, so the
 *   mass-based filters after it only sort k tokens.
 * - Typical-p before top-p (llama.cpp's order): typical drops tokens whose surprise is far from the
 *   average in both directions; top-p then trims what is left by mass.
 * - Min-p after them: a threshold relative to the best token, unchanged by renormalisation, as a
 *   guard against the tail.
 * - XTC after the truncation filters (llama.cpp's order): the tail is already gone, so the token it
 *   leaves in place of the top choices is a plausible one, and its threshold measures what is drawn.
 * - Mirostat v2 last: it truncates by surprise and learns from the token actually drawn, so it must
 *   see the final distribution (text-generation-webui switches the other filters off under mirostat;
 *   here they stay as set: a preset that uses mirostat turns top-k and top-p off itself).
 */
export const DEFAULT_SAMPLER_ORDER: readonly SamplerName[] = [
  'repetitionPenalty',
  'presencePenalty',
  'frequencyPenalty',
  'noRepeatNgram',
  'dry',
  'logitBias',
  'temperature',
  'topK',
  'typicalP',
  'topP',
  'minP',
  'xtc',
  'mirostat',
];

export const SAMPLER_NAMES: readonly SamplerName[] = DEFAULT_SAMPLER_ORDER;

export interface SamplingParams {
  /** 0..5; 0 = greedy (always the most likely token). */
  temperature: number;
  /** Integer ≥ 0; 0 = off. */
  topK: number;
  /** 0 < p ≤ 1; 1 = off. */
  topP: number;
  /** 0 < p ≤ 1; 1 = off. */
  typicalP: number;
  /** 0..1; 0 = off. */
  minP: number;
  /** 0.5..3; 1 = off. CTRL-style: divides positive / multiplies negative scores of seen tokens. */
  repetitionPenalty: number;
  /** Tokens looked back by the repetition penalty; 0 = the whole context. */
  repetitionRange: number;
  /** -2..2, subtracted once from every token already generated in this request. */
  presencePenalty: number;
  /** -2..2, subtracted per occurrence of a token already generated in this request. */
  frequencyPenalty: number;
  /** 0 = off; n bans any token that would repeat an n-token sequence already in the context. */
  noRepeatNgramSize: number;
  /** DRY: penalty for a repeat of exactly `dryAllowedLength` tokens; 0 = off. */
  dryMultiplier: number;
  /** DRY: the penalty grows by this factor per token of repeat beyond the allowed length. */
  dryBase: number;
  /** DRY: repeats shorter than this many tokens are never penalised. */
  dryAllowedLength: number;
  /** DRY: how many recent tokens are searched for repeats; 0 = the whole context. */
  dryRange: number;
  /** DRY: texts that end a repeat (a token containing one of them breaks the match). */
  drySequenceBreakers: string[];
  /** XTC: tokens at least this likely are "top choices" (0..0.5). */
  xtcThreshold: number;
  /** XTC: the chance per token that the top choices are excluded; 0 = off. */
  xtcProbability: number;
  /** Mirostat v2: target surprise in bits per token; 0 = off. */
  mirostatTau: number;
  /** Mirostat v2: how fast it corrects towards the target (learning rate). */
  mirostatEta: number;
  /** Token id → bias added to its score; -Infinity bans the token. */
  logitBias: Record<number, number>;
  /** Words never to generate (banned as token sequences, with/without a leading space, capitalised). */
  bannedWords: string[];
  samplerOrder: SamplerName[];
  /** Unsigned 32-bit integer, or null for a fresh random seed each request. */
  seed: number | null;
  /** 1..1024. */
  maxNewTokens: number;
  /** Generation stops before any of these texts; the stop text itself is never shown. */
  stop: string[];
  /** 1..8 alternative continuations decoded side by side. */
  alternatives: number;
}

export const DEFAULT_PARAMS: Readonly<SamplingParams> = Object.freeze({
  temperature: 0.8,
  topK: 40,
  topP: 0.95,
  typicalP: 1,
  minP: 0,
  repetitionPenalty: 1.1,
  repetitionRange: 64,
  presencePenalty: 0,
  frequencyPenalty: 0,
  noRepeatNgramSize: 0,
  dryMultiplier: 0,
  dryBase: 1.75,
  dryAllowedLength: 2,
  dryRange: 0,
  drySequenceBreakers: Object.freeze(['\n', ':', '"', '*']) as unknown as string[],
  xtcThreshold: 0.1,
  xtcProbability: 0,
  mirostatTau: 0,
  mirostatEta: 0.1,
  // Frozen all the way down: callers get mutable copies from defaultParams() / validateParams().
  logitBias: Object.freeze({}),
  bannedWords: Object.freeze([]) as unknown as string[],
  samplerOrder: Object.freeze([...DEFAULT_SAMPLER_ORDER]) as unknown as SamplerName[],
  seed: null,
  maxNewTokens: 48,
  stop: Object.freeze([]) as unknown as string[],
  alternatives: 1,
});

/** A fresh, mutable copy of the defaults (the frozen object shares its arrays). */
export function defaultParams(): SamplingParams {
  return cloneParams(DEFAULT_PARAMS);
}

export function cloneParams(p: Readonly<SamplingParams>): SamplingParams {
  return {
    ...p,
    logitBias: { ...p.logitBias },
    bannedWords: [...p.bannedWords],
    drySequenceBreakers: [...p.drySequenceBreakers],
    samplerOrder: [...p.samplerOrder],
    stop: [...p.stop],
  };
}

export type ParamType = 'number' | 'integer' | 'seed' | 'words' | 'tokenBias' | 'samplerOrder';

/** One row of the parameter table the UI renders (slider bounds, tooltip text). */
export interface ParamSpec {
  name: keyof SamplingParams;
  type: ParamType;
  label: string;
  /** Inclusive unless `minExclusive`. Absent for non-numeric parameters. */
  min?: number;
  minExclusive?: boolean;
  max?: number;
  step?: number;
  /**
   * A slider's upper end when `max` is far beyond what anyone slides to (top-k: 50257); the UI
   * says so next to the control and the number field still takes the whole range. Every other
   * parameter's slider covers its whole range.
   */
  sliderMax?: number;
  /** The value that switches this sampler off, when there is one. */
  off?: number;
  default: unknown;
  description: string;
}

const D = DEFAULT_PARAMS;
export const MAX_SEED = 0xffffffff;
export const MAX_LIST_LENGTH = 256;

export const PARAM_SPECS: readonly ParamSpec[] = [
  {
    name: 'temperature',
    type: 'number',
    label: 'Temperature',
    min: 0,
    max: 5,
    step: 0.05,
    default: D.temperature,
    description:
      'How adventurous the word choice is. Lower is safer and more predictable; 0 always picks the most likely word; above 1 gets increasingly random.',
  },
  {
    name: 'topK',
    type: 'integer',
    label: 'Top-k',
    min: 0,
    max: 50257,
    step: 1,
    sliderMax: 200,
    off: 0,
    default: D.topK,
    description: 'Only consider the k most likely next tokens. 0 turns this off.',
  },
  {
    name: 'topP',
    type: 'number',
    label: 'Top-p (nucleus)',
    min: 0,
    minExclusive: true,
    max: 1,
    step: 0.01,
    off: 1,
    default: D.topP,
    description:
      'Only consider the most likely tokens that together make up this share of the probability. 1 turns this off.',
  },
  {
    name: 'typicalP',
    type: 'number',
    label: 'Typical-p',
    min: 0,
    minExclusive: true,
    max: 1,
    step: 0.01,
    off: 1,
    default: D.typicalP,
    description:
      'Keep the tokens whose surprise is closest to the average surprise, up to this share of the probability. Cuts both dull and wild choices. 1 turns this off.',
  },
  {
    name: 'minP',
    type: 'number',
    label: 'Min-p',
    min: 0,
    max: 1,
    step: 0.01,
    off: 0,
    default: D.minP,
    description: 'Drop tokens less likely than this fraction of the most likely token. 0 turns this off.',
  },
  {
    name: 'repetitionPenalty',
    type: 'number',
    label: 'Repetition penalty',
    min: 0.5,
    max: 3,
    step: 0.05,
    off: 1,
    default: D.repetitionPenalty,
    description:
      'Makes tokens that already appear in the recent text less likely (above 1) or more likely (below 1). 1 turns this off.',
  },
  {
    name: 'repetitionRange',
    type: 'integer',
    label: 'Repetition range',
    min: 0,
    max: 4096,
    step: 1,
    default: D.repetitionRange,
    description: 'How many recent tokens the repetition penalty looks at. 0 means the whole context.',
  },
  {
    name: 'presencePenalty',
    type: 'number',
    label: 'Presence penalty',
    min: -2,
    max: 2,
    step: 0.05,
    off: 0,
    default: D.presencePenalty,
    description:
      'Lowers the score of any token already generated in this suggestion, once. Pushes towards new words; negative values do the opposite.',
  },
  {
    name: 'frequencyPenalty',
    type: 'number',
    label: 'Frequency penalty',
    min: -2,
    max: 2,
    step: 0.05,
    off: 0,
    default: D.frequencyPenalty,
    description:
      'Lowers the score of a token each time it has been generated in this suggestion, so words repeated often fall away faster.',
  },
  {
    name: 'noRepeatNgramSize',
    type: 'integer',
    label: 'No-repeat n-gram',
    min: 0,
    max: 16,
    step: 1,
    off: 0,
    default: D.noRepeatNgramSize,
    description:
      'Never repeat a run of this many tokens that already occurs in the text. 0 turns this off; 3 or 4 is typical.',
  },
  {
    name: 'dryMultiplier',
    type: 'number',
    label: 'DRY strength',
    min: 0,
    max: 5,
    step: 0.05,
    off: 0,
    default: D.dryMultiplier,
    description:
      'Stops the text from repeating whole phrases: the word that would continue a repeat gets less likely, the more so the longer the repeat. 0 turns this off; 0.8 is typical.',
  },
  {
    name: 'dryBase',
    type: 'number',
    label: 'DRY growth',
    min: 1,
    max: 4,
    step: 0.05,
    default: D.dryBase,
    description: 'How fast the DRY penalty grows with each further repeated token (multiplies it per token).',
  },
  {
    name: 'dryAllowedLength',
    type: 'integer',
    label: 'DRY allowed length',
    min: 1,
    max: 20,
    step: 1,
    default: D.dryAllowedLength,
    description: 'Repeats shorter than this many tokens (names, common phrases) are never penalised by DRY.',
  },
  {
    name: 'dryRange',
    type: 'integer',
    label: 'DRY range',
    min: 0,
    max: 4096,
    step: 1,
    default: D.dryRange,
    description: 'How many recent tokens DRY searches for repeats. 0 means the whole context.',
  },
  {
    name: 'drySequenceBreakers',
    type: 'words',
    label: 'DRY breakers',
    default: D.drySequenceBreakers,
    description:
      'A repeat never reaches across these texts (line breaks, quotes), so recurring dialogue marks are not penalised.',
  },
  {
    name: 'xtcThreshold',
    type: 'number',
    label: 'XTC threshold',
    min: 0,
    max: 0.5,
    step: 0.01,
    default: D.xtcThreshold,
    description:
      'Tokens at least this likely count as top choices for XTC (0.1 is typical; above 0.5 nothing qualifies).',
  },
  {
    name: 'xtcProbability',
    type: 'number',
    label: 'XTC chance',
    min: 0,
    max: 1,
    step: 0.01,
    off: 0,
    default: D.xtcProbability,
    description:
      'How often XTC removes the most obvious choices, leaving the least likely top choice, for less predictable prose. 0 turns this off; 0.5 is typical.',
  },
  {
    name: 'mirostatTau',
    type: 'number',
    label: 'Mirostat target',
    min: 0,
    max: 10,
    step: 0.1,
    off: 0,
    default: D.mirostatTau,
    description:
      'Mirostat v2 keeps the text about this surprising (bits per token): lower is plainer, higher more varied. 0 turns this off; 5 is typical.',
  },
  {
    name: 'mirostatEta',
    type: 'number',
    label: 'Mirostat rate',
    min: 0,
    max: 1,
    step: 0.01,
    default: D.mirostatEta,
    description: 'How quickly mirostat corrects towards its target after each token.',
  },
  {
    name: 'logitBias',
    type: 'tokenBias',
    label: 'Token bias',
    default: D.logitBias,
    description: 'Per token id, a number added to its score (-100..100); -Infinity (or "-inf") bans the token.',
  },
  {
    name: 'bannedWords',
    type: 'words',
    label: 'Banned words',
    default: D.bannedWords,
    description: 'Words that are never generated, with or without a leading space and capitalised.',
  },
  {
    name: 'samplerOrder',
    type: 'samplerOrder',
    label: 'Sampler order',
    default: D.samplerOrder,
    description: 'The order the samplers run in. A sampler left out of the list does not run.',
  },
  {
    name: 'seed',
    type: 'seed',
    label: 'Seed',
    min: 0,
    max: MAX_SEED,
    step: 1,
    default: D.seed,
    description:
      'The same seed with the same settings and text gives the same suggestion. Empty for a new random choice each time.',
  },
  {
    name: 'maxNewTokens',
    type: 'integer',
    label: 'Maximum length',
    min: 1,
    max: 1024,
    step: 1,
    default: D.maxNewTokens,
    description: 'The most tokens (word pieces, about ¾ of a word each) one suggestion may add.',
  },
  {
    name: 'stop',
    type: 'words',
    label: 'Stop at',
    default: D.stop,
    description: 'Generation stops just before any of these texts, which are not included.',
  },
  {
    name: 'alternatives',
    type: 'integer',
    label: 'Alternatives',
    min: 1,
    max: 8,
    step: 1,
    default: D.alternatives,
    description: 'How many different suggestions to generate at once.',
  },
];

const SPEC_BY_NAME = new Map<string, ParamSpec>(PARAM_SPECS.map((s) => [s.name, s]));

/** A sampling parameter out of range (code `bad_request`); `param` names it. */
export class ParamError extends InklingError {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super('bad_request', message);
    this.name = 'ParamError';
  }
}

export interface ValidateOptions {
  /** When known, logitBias token ids must be below it. */
  vocabSize?: number;
}

/** Fills defaults and checks every field; throws ParamError naming the parameter, range and value. */
export function validateParams(input: unknown, options: ValidateOptions = {}): SamplingParams {
  const out = defaultParams();
  if (input === undefined || input === null) return out;
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ParamError('', `sampling parameters must be an object of name → value, found ${describeValue(input)}`);
  }
  for (const [name, value] of Object.entries(input as Record<string, unknown>)) {
    const spec = SPEC_BY_NAME.get(name);
    if (!spec)
      throw unknownName(
        'sampling parameter',
        name,
        PARAM_SPECS.map((s) => s.name),
      );
    if (value === undefined) continue;
    // The cast is safe: each branch writes the type that field declares.
    (out as unknown as Record<string, unknown>)[name] = checkValue(spec, value, options);
  }
  return out;
}

function checkValue(spec: ParamSpec, value: unknown, options: ValidateOptions): unknown {
  switch (spec.type) {
    case 'number':
    case 'integer':
      return checkNumber(spec, value);
    case 'seed':
      return value === null ? null : checkNumber(spec, value);
    case 'words':
      return checkWords(spec, value);
    case 'tokenBias':
      return checkBias(value, options.vocabSize);
    case 'samplerOrder':
      return checkOrder(value);
  }
}

function rangeText(spec: ParamSpec): string {
  const kind = spec.type === 'number' ? 'a number' : 'a whole number';
  const low = spec.minExclusive
    ? `greater than ${spec.min} and at most ${spec.max}`
    : `from ${spec.min} to ${spec.max}`;
  return `${kind} ${low}`;
}

function checkNumber(spec: ParamSpec, value: unknown): number {
  const min = spec.min as number;
  const max = spec.max as number;
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (spec.type === 'number' || Number.isInteger(value)) &&
    (spec.minExclusive ? value > min : value >= min) &&
    value <= max;
  if (!ok) {
    const extra = spec.type === 'seed' ? ' or null for a random seed' : '';
    throw new ParamError(
      spec.name,
      `sampling parameter '${spec.name}' must be ${rangeText(spec)}${extra}, found ${describeValue(value)}`,
    );
  }
  return value as number;
}

function checkWords(spec: ParamSpec, value: unknown): string[] {
  const what = spec.name === 'stop' ? 'stop texts' : spec.name === 'bannedWords' ? 'words' : 'texts';
  if (!Array.isArray(value)) {
    throw new ParamError(
      spec.name,
      `sampling parameter '${spec.name}' must be a list of ${what}, found ${describeValue(value)}`,
    );
  }
  if (value.length > MAX_LIST_LENGTH) {
    throw new ParamError(
      spec.name,
      `sampling parameter '${spec.name}' may hold at most ${MAX_LIST_LENGTH} ${what}, found ${value.length}`,
    );
  }
  value.forEach((w, i) => {
    if (typeof w !== 'string' || w.length === 0 || (spec.name === 'bannedWords' && w.trim() === '')) {
      throw new ParamError(
        spec.name,
        `sampling parameter '${spec.name}' item ${i} must be non-empty text, found ${describeValue(w)}`,
      );
    }
  });
  return [...(value as string[])];
}

const BAN_WORDS = new Set(['-inf', '-infinity', 'ban']);

function checkBias(value: unknown, vocabSize: number | undefined): Record<number, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ParamError(
      'logitBias',
      `sampling parameter 'logitBias' must be an object of token id → bias, found ${describeValue(value)}`,
    );
  }
  const out: Record<number, number> = {};
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const id = Number(key);
    const limit = vocabSize === undefined ? '' : ` below ${vocabSize}`;
    if (!/^\d+$/.test(key) || (vocabSize !== undefined && id >= vocabSize)) {
      throw new ParamError(
        'logitBias',
        `sampling parameter 'logitBias' keys must be token ids (whole numbers from 0${limit}), found ${JSON.stringify(key)}`,
      );
    }
    // JSON cannot carry -Infinity, so transports that use it may spell a ban as text.
    const bias = typeof raw === 'string' && BAN_WORDS.has(raw.toLowerCase()) ? -Infinity : raw;
    const ok =
      typeof bias === 'number' && (bias === -Infinity || (Number.isFinite(bias) && bias >= -100 && bias <= 100));
    if (!ok) {
      throw new ParamError(
        'logitBias',
        `sampling parameter 'logitBias' for token ${key} must be a number from -100 to 100 or -Infinity ("-inf") to ban it, found ${describeValue(raw)}`,
      );
    }
    out[id] = bias as number;
  }
  return out;
}

function checkOrder(value: unknown): SamplerName[] {
  if (!Array.isArray(value)) {
    throw new ParamError(
      'samplerOrder',
      `sampling parameter 'samplerOrder' must be a list of sampler names (${SAMPLER_NAMES.join(', ')}), found ${describeValue(value)}`,
    );
  }
  const seen = new Set<string>();
  for (const name of value) {
    if (typeof name !== 'string' || !(SAMPLER_NAMES as readonly string[]).includes(name)) {
      if (typeof name === 'string') throw unknownName('sampler', name, SAMPLER_NAMES, 'samplerOrder');
      throw new ParamError(
        'samplerOrder',
        `sampling parameter 'samplerOrder' must list sampler names, found ${describeValue(name)}`,
      );
    }
    if (seen.has(name)) throw new ParamError('samplerOrder', `sampling parameter 'samplerOrder' lists '${name}' twice`);
    seen.add(name);
  }
  return [...(value as SamplerName[])];
}

function unknownName(what: string, name: string, known: readonly string[], param = name): ParamError {
  const guess = closest(name, known);
  const hint = guess ? `did you mean '${guess}'?` : `known: ${known.join(', ')}`;
  return new ParamError(param, `unknown ${what} '${name}' (${hint})`);
}

/** The known name nearest to `name` by edit distance, if it is plausibly a typo. */
function closest(name: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDist = Infinity;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDist) {
      bestDist = d;
      best = k;
    }
  }
  return bestDist <= Math.max(2, Math.floor(name.length / 3)) ? best : null;
}

/** Optimal-string-alignment distance: insert, delete, substitute, or swap two adjacent letters. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0].push(j);
        continue;
      }
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i].push(d);
    }
  }
  return rows[a.length][b.length];
}
