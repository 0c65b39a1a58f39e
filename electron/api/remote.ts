/**
 * Remote engines in the contract: the writer points Inkling at an OpenAI-compatible server (vLLM,
 * llama.cpp's server, Ollama, another computer's `inkling serve`) instead of the local model.
 * Types and validators only (no Node): the renderer imports this too.
 */
import { InklingError } from './errors';

/** What the Models page sends to test or use a server. */
export interface RemoteServerRequest {
  /** The API root, e.g. http://127.0.0.1:8000/v1 (a missing /v1 is added). */
  baseUrl: string;
  /**
   * The API key. Omitted: the key stored for this server (if any) is used. '' : no key (and the
   * stored one is forgotten when the server is used).
   */
  apiKey?: string;
  /** The model to use; omitted: the first one the server lists. */
  model?: string;
  /** The writer confirmed plain http:// to a computer other than this one (text and key travel unencrypted). */
  allowInsecure?: boolean;
}

/** A sampler the app has and whether this server reads it. */
export interface RemoteSampler {
  /** The app's parameter name (SamplingParams key). */
  param: string;
  /** 'yes': documented and accepted; 'no': the server does not read it (the control is marked); 'unknown'. */
  supported: 'yes' | 'no' | 'unknown';
}

/** What a server offers, as probed by `testRemoteServer` (and kept while it is in use). */
export interface RemoteFeatures {
  baseUrl: string;
  /** The model requests use. */
  model: string;
  /** Every model the server lists. */
  models: string[];
  /** Which software answers, as far as `GET /v1/models` tells ('unknown' otherwise). */
  server: 'inkling' | 'vllm' | 'llama.cpp' | 'ollama' | 'unknown';
  /** Generated tokens come with log-probabilities and top alternatives (the token popup). */
  logprobs: boolean;
  /** How the heat map scores text on this server, or null: it is unavailable there. */
  scoring: 'echo' | 'prompt_logprobs' | null;
  /** Samplers beyond OpenAI's own that this server is known to read or ignore. */
  samplers: RemoteSampler[];
  /** A key is stored for this server (the key itself never leaves the host). */
  hasKey: boolean;
}

/** The verdict of "Test connection". */
export interface RemoteTestResult {
  ok: boolean;
  /** One sentence for the writer: what works, or what failed and what to do. */
  message: string;
  /** Present when the server answered. */
  features?: RemoteFeatures;
}

const MAX_URL = 2048;
const MAX_KEY = 4096;
const MAX_MODEL = 256;

function bad(message: string): never {
  throw new InklingError('bad_request', message);
}

export function remoteServerRequest(where: string, v: unknown): RemoteServerRequest {
  if (!v || typeof v !== 'object' || Array.isArray(v))
    bad(`${where} must be an object with baseUrl (and optionally apiKey, model, allowInsecure).`);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['baseUrl', 'apiKey', 'model', 'allowInsecure'].includes(k))
      bad(`${where} has an unknown field '${k}'; expected only baseUrl, apiKey, model, allowInsecure.`);
  }
  if (typeof o.baseUrl !== 'string' || o.baseUrl.trim() === '' || o.baseUrl.length > MAX_URL)
    bad(`${where}.baseUrl must be a server address like http://127.0.0.1:8000/v1.`);
  const out: RemoteServerRequest = { baseUrl: o.baseUrl.trim() };
  if (o.apiKey !== undefined) {
    if (typeof o.apiKey !== 'string' || o.apiKey.length > MAX_KEY || /[\r\n\0]/.test(o.apiKey))
      bad(`${where}.apiKey must be one line of text (at most ${MAX_KEY} characters).`);
    out.apiKey = o.apiKey.trim();
  }
  if (o.model !== undefined) {
    if (typeof o.model !== 'string' || o.model.length === 0 || o.model.length > MAX_MODEL)
      bad(`${where}.model must be a model name (1–${MAX_MODEL} characters).`);
    out.model = o.model;
  }
  if (o.allowInsecure !== undefined) {
    if (typeof o.allowInsecure !== 'boolean') bad(`${where}.allowInsecure must be true or false.`);
    out.allowInsecure = o.allowInsecure;
  }
  return out;
}

/** The remembered server in settings (never its key). */
export interface RemoteServerSetting {
  baseUrl: string;
  model: string;
  allowInsecure: boolean;
}

/** settings.remoteServer's check: null or a RemoteServerSetting. */
export function remoteServerSettingProblem(v: unknown): string | null {
  const expected = 'null or {baseUrl, model, allowInsecure}';
  if (v === null) return null;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return expected;
  const o = v as Record<string, unknown>;
  if (Object.keys(o).some((k) => !['baseUrl', 'model', 'allowInsecure'].includes(k))) return expected;
  if (typeof o.baseUrl !== 'string' || !/^https?:\/\//.test(o.baseUrl) || o.baseUrl.length > MAX_URL) return expected;
  if (typeof o.model !== 'string' || o.model.length === 0 || o.model.length > MAX_MODEL) return expected;
  if (typeof o.allowInsecure !== 'boolean') return expected;
  return null;
}

/**
 * Normalizes a server address: http(s) only, no credentials in it, a trailing /v1 added when the
 * path is empty. Throws a writer-facing InklingError.
 */
export function normalizeBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    bad(`"${raw}" is not a server address: write it like http://127.0.0.1:8000/v1.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') bad(`"${raw}" must start with http:// or https://.`);
  if (url.username || url.password) bad('Put the API key in the key field, not in the address.');
  url.hash = '';
  url.search = '';
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1';
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

/** 127.0.0.0/8, ::1 and localhost: plain http:// to these never leaves this computer. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** "Share this model with other apps on this computer": the app's own `inkling serve`. */
export interface ShareStatus {
  running: boolean;
  /** e.g. http://127.0.0.1:41234/v1 (loopback only). */
  url?: string;
  /** This session's key (other apps send it as `Authorization: Bearer …`); a new one at each start, never stored. */
  apiKey?: string;
  /** The model served (the id clients name). */
  model?: string;
}
