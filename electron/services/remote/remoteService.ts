/**
 * "Use a server" for the backend: tests a server (its models and what it supports), switches the
 * engine to it and back, remembers the choice in settings (address, model; never the key) and the
 * key in the host's SecretStore (the desktop app's is encrypted with the OS keychain).
 *
 * Plain http:// is accepted only to this computer (loopback) unless the writer confirmed it: the
 * text, and the key, would cross the network unencrypted.
 */
import { InklingError } from '../../api/errors';
import {
  isLoopbackHost,
  normalizeBaseUrl,
  type RemoteFeatures as ApiFeatures,
  type RemoteSampler,
  type RemoteServerRequest,
  type RemoteTestResult,
} from '../../api/remote';
import type { EngineStatus } from '../../api/types';
import { Gpt2Tokenizer } from '../../engine/tokenizer';
import type { EngineManager } from '../engine/engineManager';
import type { SecretStore } from '../secrets';
import type { SettingsService } from '../settings/settings';
import { RemoteEngine, type RemoteEngineOptions, type RemoteFeatures, type RemoteServerKind } from './client';
import { RemoteError, type RemoteErrorCode } from './errors';
import { RemoteBackedEngine, remoteToInkling } from './remoteEngine';

/** Failures that say the server is not answering now, rather than that it refuses us. */
const TRANSIENT: ReadonlySet<RemoteErrorCode> = new Set([
  'unreachable',
  'timeout',
  'overloaded',
  'rate_limited',
  'server_error',
  'stream_cut',
  'malformed',
]);

/** Samplers beyond OpenAI's own, by the app's parameter name and the extension's name on the wire. */
const DRY = ['dryMultiplier', 'dryBase', 'dryAllowedLength', 'dryRange'] as const;
const XTC = ['xtcThreshold', 'xtcProbability'] as const;
const MIROSTAT = ['mirostatTau', 'mirostatEta'] as const;
const EXTENSIONS = ['topK', 'minP', 'typicalP', 'repetitionPenalty', ...DRY, ...XTC, ...MIROSTAT] as const;
type Extension = (typeof EXTENSIONS)[number];
type Support = RemoteSampler['supported'];

function table(
  base: Record<'topK' | 'minP' | 'typicalP' | 'repetitionPenalty', Support>,
  dry: Support,
  xtc: Support,
  mirostat: Support,
): Record<Extension, Support> {
  const out = { ...base } as Record<Extension, Support>;
  for (const k of DRY) out[k] = dry;
  for (const k of XTC) out[k] = xtc;
  for (const k of MIROSTAT) out[k] = mirostat;
  return out;
}

/**
 * What each server is documented to read (docs/REMOTE.md says where each line comes from). The
 * client sends `top_k`, `min_p`, `typical_p`, `repetition_penalty`, and DRY, XTC and mirostat under
 * llama.cpp's names (`dry_*`, `xtc_*`, `mirostat`), only when they are on.
 */
export const KNOWN_SAMPLERS: Record<RemoteServerKind, Record<Extension, Support>> = {
  inkling: table({ topK: 'yes', minP: 'yes', typicalP: 'yes', repetitionPenalty: 'yes' }, 'yes', 'yes', 'yes'),
  // vLLM's sampling parameters have no DRY, XTC or mirostat.
  vllm: table({ topK: 'yes', minP: 'yes', typicalP: 'no', repetitionPenalty: 'yes' }, 'no', 'no', 'no'),
  // llama.cpp's server reads top_k, min_p, typical_p, dry_*, xtc_*, mirostat; its penalty is
  // `repeat_penalty`, so `repetition_penalty` is not read.
  'llama.cpp': table({ topK: 'yes', minP: 'yes', typicalP: 'yes', repetitionPenalty: 'no' }, 'yes', 'yes', 'yes'),
  // Ollama's OpenAI-compatible /v1/completions reads OpenAI's parameters only.
  ollama: table({ topK: 'no', minP: 'no', typicalP: 'no', repetitionPenalty: 'no' }, 'no', 'no', 'no'),
  unknown: table(
    { topK: 'unknown', minP: 'unknown', typicalP: 'unknown', repetitionPenalty: 'unknown' },
    'unknown',
    'unknown',
    'unknown',
  ),
};

export interface RemoteServiceOptions {
  engine: EngineManager;
  settings: SettingsService;
  secrets: SecretStore;
  log: (message: string) => void;
  /** Timeouts and retries of the HTTP client (tests shorten them). */
  client?: Pick<RemoteEngineOptions, 'headersTimeoutMs' | 'idleTimeoutMs' | 'maxRetries' | 'maxRetryWaitMs'>;
}

interface Resolved {
  url: URL;
  baseUrl: string;
  apiKey: string | undefined;
  keyChanged: boolean;
}

export class RemoteService {
  constructor(private readonly options: RemoteServiceOptions) {}

  /** "Test connection": never throws for a server's failure; the verdict says what happened. */
  async test(req: RemoteServerRequest): Promise<RemoteTestResult> {
    const r = await this.resolve(req);
    const client = this.client(r, req.model);
    try {
      const f = await client.probe();
      const features = await this.apiFeatures(r, f);
      return { ok: true, message: verdict(features), features };
    } catch (e) {
      return { ok: false, message: remoteToInkling(e).message };
    } finally {
      client.dispose();
    }
  }

  /** Probes the server, then makes it the engine; remembers it (and the key) for the next start. */
  async use(req: RemoteServerRequest): Promise<EngineStatus> {
    const r = await this.resolve(req);
    const client = this.client(r, req.model);
    let f: RemoteFeatures;
    try {
      f = await client.probe();
    } catch (e) {
      client.dispose();
      // The client's own code rides along (restore() tells a server that is down from one that refused).
      throw Object.assign(remoteToInkling(e), { cause: e });
    }
    if (r.keyChanged) {
      const name = secretName(r.baseUrl);
      if (r.apiKey) await this.options.secrets.set(name, r.apiKey);
      else await this.options.secrets.delete(name);
    }
    const features = await this.apiFeatures(r, f);
    const engine = new RemoteBackedEngine(client, f, Gpt2Tokenizer.gpt2(), r.baseUrl);
    const status = await this.options.engine.useRemote(engine, features);
    await this.options.settings.update({
      remoteServer: { baseUrl: r.baseUrl, model: f.model, allowInsecure: req.allowInsecure === true },
      useRemote: true,
    });
    return status;
  }

  async useLocal(): Promise<EngineStatus> {
    const status = await this.options.engine.useLocal();
    if (this.options.settings.get().useRemote) await this.options.settings.update({ useRemote: false });
    return status;
  }

  /**
   * At start: the server the writer was using. If it does not answer now (down, busy, slow), it is
   * still the engine — the writer chose it — with a status saying so; each request then reports
   * what happens, and works again once the server is back. Anything else (a refused key, a model
   * gone, http:// no longer confirmed) is logged and the local engine stays.
   */
  async restore(): Promise<void> {
    const s = this.options.settings.get();
    if (!s.useRemote || !s.remoteServer) return;
    const req = {
      baseUrl: s.remoteServer.baseUrl,
      model: s.remoteServer.model,
      allowInsecure: s.remoteServer.allowInsecure,
    };
    try {
      await this.use(req);
    } catch (e) {
      const err = remoteToInkling(e);
      const cause = (e as { cause?: unknown }).cause;
      const transient = cause instanceof RemoteError && TRANSIENT.has(cause.reason);
      if (!transient) {
        this.options.log(
          `warning: the server ${s.remoteServer.baseUrl} could not be used; the local engine stays: ${err.message}`,
        );
        return;
      }
      const r = await this.resolve(req);
      const client = this.client(r, req.model);
      // What it supports is probed again on first use (scoring) or by Test connection.
      const f: RemoteFeatures = {
        model: req.model,
        models: [req.model],
        logprobs: true,
        scoring: 'echo',
        server: 'unknown',
        contextLength: null,
      };
      const features = await this.apiFeatures(r, f);
      const engine = new RemoteBackedEngine(client, f, Gpt2Tokenizer.gpt2(), r.baseUrl);
      await this.options.engine.useRemote(
        engine,
        features,
        `The server did not answer when Inkling started: ${err.message} Suggestions will work once it is back; or use the local engine (Models → Use a server).`,
      );
    }
  }

  /** Settings that make the engine remote go through use() / useLocal(), never a plain settings patch. */
  static guardedSettings = ['remoteServer', 'useRemote'] as const;

  private async resolve(req: RemoteServerRequest): Promise<Resolved> {
    const url = normalizeBaseUrl(req.baseUrl);
    const baseUrl = url.toString().replace(/\/+$/, '');
    const given = req.apiKey;
    const apiKey =
      given === undefined ? ((await this.options.secrets.get(secretName(baseUrl))) ?? undefined) : given || undefined;
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && req.allowInsecure !== true) {
      throw new InklingError(
        'insecure_url',
        `${url.host} is another computer and http:// is not encrypted: your text${apiKey ? ' and API key' : ''} would cross the network readable on the way. ` +
          'Use https:// if the server offers it, or confirm that you want to send it unencrypted.',
      );
    }
    return { url, baseUrl, apiKey, keyChanged: given !== undefined };
  }

  private client(r: Resolved, model: string | undefined): RemoteEngine {
    return new RemoteEngine({
      baseUrl: r.baseUrl,
      ...(r.apiKey ? { apiKey: r.apiKey } : {}),
      ...(model ? { model } : {}),
      ...this.options.client,
    });
  }

  private async apiFeatures(r: Resolved, f: RemoteFeatures): Promise<ApiFeatures> {
    const known = KNOWN_SAMPLERS[f.server];
    return {
      baseUrl: r.baseUrl,
      model: f.model,
      models: f.models,
      server: f.server,
      logprobs: f.logprobs,
      scoring: f.scoring,
      samplers: EXTENSIONS.map((param) => ({ param, supported: known[param] })),
      hasKey: Boolean(r.apiKey),
    };
  }
}

function secretName(baseUrl: string): string {
  return `remote-api-key:${baseUrl}`;
}

/** The one-sentence verdict of a good test. */
export function verdict(f: ApiFeatures): string {
  const names: Record<ApiFeatures['server'], string> = {
    inkling: 'inkling serve',
    vllm: 'vLLM',
    'llama.cpp': "llama.cpp's server",
    ollama: 'Ollama',
    unknown: 'an OpenAI-compatible server',
  };
  const parts = [`Connected to ${names[f.server]}, model "${f.model}".`];
  parts.push(f.logprobs ? 'Token probabilities: yes.' : 'Token probabilities: no (the token popup stays empty).');
  parts.push(
    f.scoring
      ? `Heat map: yes (${f.scoring === 'echo' ? 'echo + logprobs' : 'prompt_logprobs'}).`
      : 'Heat map: unavailable for this server.',
  );
  const ignored = f.samplers.filter((s) => s.supported === 'no').map((s) => s.param);
  if (ignored.length) parts.push(`Ignored samplers: ${ignored.join(', ')}.`);
  return parts.join(' ');
}
