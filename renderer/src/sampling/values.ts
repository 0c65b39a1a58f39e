/**
 * The sampling controls' rules, from the engine's parameter table (PARAM_SPECS): slider ranges,
 * clamping and parsing what the writer types, so an invalid value never reaches a request (the
 * engine checks again anyway). Pure functions, tested without a DOM.
 */
import {
  DEFAULT_SAMPLER_ORDER,
  MAX_SEED,
  PARAM_SPECS,
  type CompletionParams,
  type ParamSpec,
  type SamplerName,
  type SamplingParams,
} from '../../../electron/api';

export type NumericName = {
  [K in keyof SamplingParams]: SamplingParams[K] extends number ? K : never;
}[keyof SamplingParams];

export const SPEC: ReadonlyMap<string, ParamSpec> = new Map(PARAM_SPECS.map((s) => [s.name, s]));

export function spec(name: keyof SamplingParams): ParamSpec {
  const s = SPEC.get(name);
  if (!s) throw new Error(`No parameter spec for ${name}.`);
  return s;
}

/** Decimal places of a step (0.05 → 2). */
function decimals(step: number): number {
  const s = String(step);
  return s.includes('.') ? s.split('.')[1].length : 0;
}

/** The lowest value the UI offers: an exclusive minimum becomes the first step above it. */
export function minOf(s: ParamSpec): number {
  const min = s.min ?? 0;
  return s.minExclusive ? min + (s.step ?? 0.01) : min;
}

/** Slider bounds: `sliderMax` when the real maximum is far beyond what anyone slides to. */
export function sliderRange(s: ParamSpec): { min: number; max: number; step: number } {
  return { min: minOf(s), max: s.sliderMax ?? s.max ?? 1, step: s.step ?? (s.type === 'number' ? 0.01 : 1) };
}

/**
 * When the slider stops short of the field's range, the line that says so next to the control
 * (null when the slider covers the whole range).
 */
export function sliderNote(s: ParamSpec): string | null {
  if (s.sliderMax === undefined || s.max === undefined || s.sliderMax >= s.max) return null;
  return `The slider goes to ${format(s, s.sliderMax)}; type up to ${format(s, s.max)} in the box.`;
}

/** The first sentence of a description: the one line shown under a control (the rest is its tooltip). */
export function oneLine(description: string): string {
  const m = /^(.+?[.!?])(\s|$)/.exec(description);
  return m ? m[1] : description;
}

/** Brings any number into the parameter's range and precision (whole numbers for integers). */
export function clampValue(s: ParamSpec, n: number): number {
  const lo = minOf(s);
  const hi = s.max ?? Number.MAX_SAFE_INTEGER;
  let v = Math.min(hi, Math.max(lo, n));
  if (s.type !== 'number') v = Math.round(v);
  else v = Number(v.toFixed(Math.max(2, decimals(s.step ?? 0.01))));
  return Math.min(hi, Math.max(lo, v));
}

export type Parsed = { ok: true; value: number; note?: string } | { ok: false; error: string };

/**
 * What the writer typed in a number field: not a number → refused (the field goes back to the last
 * value); out of range → clamped, with a note saying so.
 */
export function parseNumber(s: ParamSpec, text: string): Parsed {
  const t = text.trim().replace(',', '.');
  if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t))
    return { ok: false, error: `${s.label} must be a number.` };
  const n = Number(t);
  if (!Number.isFinite(n)) return { ok: false, error: `${s.label} must be a number.` };
  const value = clampValue(s, n);
  if (value !== n) {
    const lo = minOf(s);
    const why =
      n < lo
        ? `the lowest is ${format(s, lo)}`
        : n > (s.max ?? Infinity)
          ? `the highest is ${format(s, s.max!)}`
          : 'rounded';
    return { ok: true, value, note: `${s.label}: ${why}.` };
  }
  return { ok: true, value };
}

export function format(s: ParamSpec, v: number): string {
  if (s.type !== 'number') return String(Math.round(v));
  return String(Number(v.toFixed(Math.max(2, decimals(s.step ?? 0.01)))));
}

/** True when the value switches the sampler off (top-k 0, top-p 1, …). */
export function isOff(s: ParamSpec, v: number): boolean {
  return s.off !== undefined && v === s.off;
}

export function parseSeed(text: string): Parsed {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return { ok: false, error: `The seed must be a whole number from 0 to ${MAX_SEED}.` };
  const n = Number(t);
  if (n > MAX_SEED) return { ok: true, value: MAX_SEED, note: `The highest seed is ${MAX_SEED}.` };
  return { ok: true, value: n };
}

export function randomSeed(): number {
  const a = new Uint32Array(1);
  crypto.getRandomValues(a);
  return a[0];
}

/** Stop texts may hold line breaks and tabs: typed as \n and \t. */
export function unescapeText(text: string): string {
  return text.replace(/\\(n|t|\\)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}

export function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

/** A copy of `list` with item `index` moved by `delta` (clamped to the ends). */
export function moveItem<T>(list: readonly T[], index: number, delta: number): T[] {
  const to = Math.min(list.length - 1, Math.max(0, index + delta));
  const out = [...list];
  const [item] = out.splice(index, 1);
  out.splice(to, 0, item);
  return out;
}

export const SAMPLER_LABELS: Record<SamplerName, { label: string; description: string }> = {
  repetitionPenalty: {
    label: 'Repetition penalty',
    description: 'Makes tokens already in the recent text less likely.',
  },
  presencePenalty: {
    label: 'Presence penalty',
    description: 'Lowers tokens already generated in this suggestion, once.',
  },
  frequencyPenalty: {
    label: 'Frequency penalty',
    description: 'Lowers tokens by how often this suggestion already used them.',
  },
  noRepeatNgram: { label: 'No-repeat n-gram', description: 'Forbids repeating a run of tokens already in the text.' },
  logitBias: { label: 'Bias and banned words', description: 'Adds the token biases and removes banned words.' },
  temperature: { label: 'Temperature', description: 'Sharpens (below 1) or flattens (above 1) the choice.' },
  topK: { label: 'Top-k', description: 'Keeps only the k likeliest tokens.' },
  typicalP: { label: 'Typical-p', description: 'Keeps tokens of about average surprise.' },
  topP: { label: 'Top-p', description: 'Keeps the likeliest tokens that make up this share of the probability.' },
  minP: { label: 'Min-p', description: 'Drops tokens much less likely than the best one.' },
  dry: { label: 'DRY', description: 'Makes the word that would continue a repeated phrase less likely.' },
  xtc: { label: 'XTC', description: 'Now and then removes the most obvious choices.' },
  mirostat: { label: 'Mirostat', description: 'Keeps the text about equally surprising throughout.' },
};

/** The parameter that switches each of the newer samplers on, and its "off" value. */
const SWITCHES: readonly [SamplerName, keyof SamplingParams, number][] = [
  ['dry', 'dryMultiplier', 0],
  ['xtc', 'xtcProbability', 0],
  ['mirostat', 'mirostatTau', 0],
];

/**
 * A change that switches DRY, XTC or mirostat on while its sampler is missing from the order
 * (presets saved before they existed list an order without them, and a sampler left out of the
 * order does not run) also puts the sampler back at its default place, so the control does what
 * it says. Returns the patch to apply.
 */
export function withSamplerOn(current: CompletionParams, patch: CompletionParams): CompletionParams {
  const order = (patch.samplerOrder ?? current.samplerOrder ?? DEFAULT_SAMPLER_ORDER) as SamplerName[];
  let next = order;
  for (const [sampler, param, off] of SWITCHES) {
    const v = (patch as Record<string, unknown>)[param];
    if (typeof v !== 'number' || v === off || next.includes(sampler)) continue;
    const at = DEFAULT_SAMPLER_ORDER.indexOf(sampler);
    let i = 0;
    for (let k = at - 1; k >= 0; k--) {
      const before = next.indexOf(DEFAULT_SAMPLER_ORDER[k]);
      if (before >= 0) {
        i = before + 1;
        break;
      }
    }
    next = [...next.slice(0, i), sampler, ...next.slice(i)];
  }
  return next === order ? patch : { ...patch, samplerOrder: next };
}

/** The numeric controls, grouped as the sampling pane shows them. */
export const GROUPS: readonly { title: string; names: NumericName[]; help?: string }[] = [
  { title: 'Word choice', names: ['temperature', 'topK', 'topP', 'typicalP', 'minP'] },
  {
    title: 'Repetition',
    names: ['repetitionPenalty', 'repetitionRange', 'presencePenalty', 'frequencyPenalty', 'noRepeatNgramSize'],
  },
  {
    title: 'Repeated phrases (DRY)',
    names: ['dryMultiplier', 'dryBase', 'dryAllowedLength', 'dryRange'],
    help: 'Penalises the word that would continue a phrase already in the text, more the longer the repeat.',
  },
  {
    title: 'Less obvious choices (XTC)',
    names: ['xtcProbability', 'xtcThreshold'],
    help: 'Now and then removes the likeliest words, keeping the least likely of the good ones.',
  },
  {
    title: 'Steady surprise (mirostat v2)',
    names: ['mirostatTau', 'mirostatEta'],
    help: 'Adapts the cut-off each word so the text stays about as surprising as the target. Usually used with top-k and top-p off.',
  },
  { title: 'Length', names: ['maxNewTokens', 'alternatives'] },
];
