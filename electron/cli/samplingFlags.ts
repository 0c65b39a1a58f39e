/**
 * One command-line flag per sampling parameter, made from the engine's parameter table
 * (`PARAM_SPECS`), so a parameter added to the engine gets its flag here without anyone
 * remembering to: `--temperature`, `--top-k`, `--repetition-penalty`, `--min-p`, `--typical-p`,
 * `--presence-penalty`, `--frequency-penalty`, `--logit-bias 50256=-inf`, `--sampler-order …`.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { PARAM_SPECS, ParamError, validateParams, type ParamSpec, type SamplingParams } from '../engine/generate';

/** Defaults the CLI uses instead of the app's (shorter runs for a terminal). */
const CLI_DEFAULTS: Partial<Record<keyof SamplingParams, unknown>> = { maxNewTokens: 32 };

/** Flags that cannot be the parameter's kebab-case name: commander reads `--no-x` as "not --x". */
const FLAG_NAMES: Partial<Record<keyof SamplingParams, string>> = { noRepeatNgramSize: 'ban-repeat-ngram' };

export function flagName(name: string): string {
  return FLAG_NAMES[name as keyof SamplingParams] ?? name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Commander's option key for a flag (its name in camelCase). */
function optionKey(spec: ParamSpec): string {
  return flagName(spec.name).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function defaultText(spec: ParamSpec): string {
  const d = CLI_DEFAULTS[spec.name] ?? spec.default;
  if (spec.name === 'temperature')
    return ` (default ${String(d)}; 0 = greedy: the repetition penalty is then off unless given)`;
  if (spec.name === 'repetitionPenalty')
    return ` (default ${String(d)}; 1 = off, and off at --temperature 0 unless given)`;
  if (spec.name === 'seed') return ' (default: a new random seed each run)';
  if (spec.name === 'samplerOrder') return ` (comma-separated; default ${(d as string[]).join(',')})`;
  if (Array.isArray(d)) return ' (repeatable)';
  if (typeof d === 'object' && d !== null) return ' (repeatable)';
  const off = spec.off !== undefined && spec.off !== d ? `; ${spec.off} = off` : spec.off !== undefined ? ' = off' : '';
  return ` (default ${String(d)}${off})`;
}

function numberParser(spec: ParamSpec) {
  const flag = `--${flagName(spec.name)}`;
  return (value: string): number => {
    const n = value.trim() === '' ? Number.NaN : Number(value);
    try {
      // Text that is not a number goes to the validator as text, whose message gives the range.
      validateParams({ [spec.name]: Number.isFinite(n) ? n : value });
    } catch (e) {
      if (e instanceof ParamError) {
        const message = e.message
          .replace(`sampling parameter '${spec.name}'`, flag)
          .replace(' or null for a random seed', ' (leave it out for a random seed)');
        throw new InvalidArgumentError(message);
      }
      throw e;
    }
    return n;
  };
}

function biasParser(value: string, acc: Record<string, string | number>): Record<string, string | number> {
  const m = /^\s*(\d+)\s*=\s*(\S+)\s*$/.exec(value);
  if (!m)
    throw new InvalidArgumentError(
      `--logit-bias must be TOKEN_ID=BIAS (e.g. 50256=-inf or 13=5), found ${JSON.stringify(value)}`,
    );
  const bias = /^-?inf(inity)?$/i.test(m[2]) ? '-inf' : Number.isNaN(Number(m[2])) ? m[2] : Number(m[2]);
  const next = { ...acc, [m[1]]: bias };
  try {
    validateParams({ logitBias: next });
  } catch (e) {
    if (e instanceof ParamError)
      throw new InvalidArgumentError(e.message.replace(`sampling parameter 'logitBias'`, '--logit-bias'));
    throw e;
  }
  return next;
}

/** Adds a flag for every sampling parameter to `command`. */
export function addSamplingFlags(command: Command): Command {
  for (const spec of PARAM_SPECS) {
    const flag = `--${flagName(spec.name)}`;
    const help = spec.description + defaultText(spec);
    switch (spec.type) {
      case 'number':
      case 'integer':
      case 'seed': {
        const arg = spec.type === 'number' ? 'x' : 'n';
        const cliDefault = CLI_DEFAULTS[spec.name] as number | undefined;
        // Commander prints a given default itself.
        if (cliDefault !== undefined)
          command.option(`${flag} <${arg}>`, spec.description, numberParser(spec), cliDefault);
        else command.option(`${flag} <${arg}>`, help, numberParser(spec));
        break;
      }
      case 'words':
        command.option(`${flag} <text>`, help, (v: string, acc: string[] = []) => [...acc, v]);
        break;
      case 'tokenBias':
        command.option(`${flag} <id=bias>`, help, biasParser);
        break;
      case 'samplerOrder':
        command.option(`${flag} <list>`, help, (v: string) =>
          v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        );
        break;
    }
  }
  return command;
}

/**
 * The parameters the user set (plus the CLI's own defaults), checked by the engine's validator.
 * `--temperature 0` is greedy decoding: the model's most likely token at each step, so the
 * repetition penalty (the one penalty on by default) is off unless `--repetition-penalty` is given —
 * the same output an OpenAI-compatible server gives at temperature 0.
 */
export function samplingParamsFromFlags(opts: Record<string, unknown>): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const spec of PARAM_SPECS) {
    const v = opts[optionKey(spec)];
    if (v !== undefined) params[spec.name] = v;
  }
  if (params.temperature === 0 && params.repetitionPenalty === undefined) params.repetitionPenalty = 1;
  try {
    validateParams(params);
  } catch (e) {
    if (e instanceof ParamError && e.param) {
      const flag = `--${flagName(e.param)}`;
      const phrase = `sampling parameter '${e.param}'`;
      throw new Error(e.message.includes(phrase) ? e.message.replace(phrase, flag) : `${flag}: ${e.message}`);
    }
    throw e;
  }
  return params;
}
