/**
 * Opens a model folder of any of the three kinds the engine accepts:
 *   - an Inkling model folder (inkling.json, written by `inkling convert` / the model library);
 *   - a Hugging Face / transformers.js ONNX export (onnx/model.onnx or model.onnx, config.json, tokenizer);
 *   - a Hugging Face checkpoint folder (config.json + model.safetensors): converted once into the
 *     cache folder, then opened as the first kind.
 * A model library folder (manifest.json naming one folder per precision) is the library's to
 * resolve (services/library/resolve.ts): it passes the engine one of those folders, with the
 * precision, the graph and the name its manifest gives (`LoadModelOptions`).
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { InklingError } from '../../common/errors';
import type { LoadOptions, ModelInfo } from '../host/protocol';
import { convertCheckpoint, MANIFEST, MANIFEST_FORMAT, MANIFEST_VERSION, type InklingManifest } from '../convert';
import { INKLING_INPUTS, INKLING_OUTPUTS } from '../graph/contract';
import { ExternalDataError, checkExternalData } from '../graph/externalData';
import { Gpt2Tokenizer } from '../tokenizer';
import { readGpt2Config } from '../weights';
import type { DecoderInfo } from './decoder';
import { Engine } from './engine';
import { HfDecoder, describeHfSession } from './hfDecoder';
import { InklingDecoder } from './inklingDecoder';
import { openSession, type SessionSettings } from './ort';
import { resolveThreads, startCpuSample, type SpinningChoice } from './threads';
import {
  READ_LIMITS,
  UnsafeFileError,
  readRegularFileSync,
  readRegularTextSync,
  statRegularSync,
} from '../util/safeRead';

/** A model folder that cannot be opened; the message names the folder or file (code `model_invalid`). */
export class ModelLoadError extends InklingError {
  constructor(message: string) {
    super('model_invalid', message);
    this.name = 'ModelLoadError';
  }
}

export type ModelFolderKind = 'inkling' | 'hf-onnx' | 'hf-checkpoint';

/** What a decoder is told of its model: the GPT-2 shape and where onnxruntime runs it. */
function decoderInfoOf(
  format: DecoderInfo['format'],
  c: { nLayer: number; nEmbd: number; nHead: number; vocabSize: number; nPositions: number },
  opened: { device: string; fallbackReason?: string },
): DecoderInfo {
  const { nLayer, nEmbd, nHead, vocabSize } = c;
  const { device, fallbackReason } = opened;
  return { format, nLayer, nEmbd, nHead, vocabSize, contextLength: c.nPositions, device, fallbackReason };
}

/** What marks a model library folder (services/models), which the engine does not open itself. */
const LIBRARY_MANIFEST = 'manifest.json';

const HF_ONNX_CANDIDATES = [
  'onnx/model.onnx',
  'model.onnx',
  'onnx/decoder_model_merged.onnx',
  'onnx/decoder_with_past_model.onnx',
];

export function detectModelFolder(dir: string): { kind: ModelFolderKind; onnx?: string } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ModelLoadError(`${dir}: no such model folder`);
  if (existsSync(join(dir, '.inkling-partial'))) {
    throw new ModelLoadError(`${dir}: this conversion did not finish; delete the folder and convert again`);
  }
  if (existsSync(join(dir, MANIFEST))) return { kind: 'inkling' };
  if (existsSync(join(dir, LIBRARY_MANIFEST))) {
    throw new ModelLoadError(
      `${dir}: a model library folder; open it through Inkling's model library (the app, or --model in the inkling command), which picks one of its precision folders`,
    );
  }
  const onnx = HF_ONNX_CANDIDATES.find((f) => existsSync(join(dir, f)));
  if (onnx) return { kind: 'hf-onnx', onnx: join(dir, onnx) };
  if (existsSync(join(dir, 'model.safetensors'))) return { kind: 'hf-checkpoint' };
  if (existsSync(join(dir, 'pytorch_model.bin'))) {
    throw new ModelLoadError(
      `${dir}: PyTorch .bin checkpoints are not supported; use a revision with model.safetensors`,
    );
  }
  throw new ModelLoadError(
    `${dir}: not a model folder (expected ${MANIFEST}, onnx/model.onnx or model.safetensors with config.json)`,
  );
}

export interface LoadedModel {
  engine: Engine;
  info: ModelInfo;
}

export interface LoadModelOptions extends SessionSettings, Pick<LoadOptions, 'precision' | 'graph' | 'name'> {
  /** Where checkpoint folders are converted (default: $INKLING_CACHE_DIR or ~/.cache/inkling). */
  cacheDir?: string;
  onProgress?: (fraction: number, stage: string) => void;
}

export async function loadModel(dirIn: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const t0 = performance.now();
  const dir = resolve(dirIn);
  const found = detectModelFolder(dir);
  if (options.graph !== undefined) {
    if (found.kind !== 'hf-onnx')
      throw new ModelLoadError(`${dir}: a graph file (${options.graph}) can only be chosen in an ONNX export`);
    found.onnx = graphIn(dir, options.graph);
  }
  if (found.kind === 'hf-checkpoint') {
    const converted = await convertedCopy(dir, options);
    const loaded = await loadModel(converted, options);
    loaded.info.dir = dir;
    loaded.info.loadMs = Math.round(performance.now() - t0);
    return loaded;
  }
  // What other programs use of the CPUs decides spinning (runtime/threads.ts); sampled while the
  // tokenizer loads, so it adds no wait of its own.
  const cpuSample = startCpuSample();
  const tokenizer = Gpt2Tokenizer.fromDir(dir);
  let decoderInfo: DecoderInfo;
  let spinning: SpinningChoice;
  let engine: Engine;
  let name = basename(dir);
  let precision = 'fp32';
  if (found.kind === 'inkling') {
    const manifest = readManifest(dir);
    // A precision folder of a library model (models/<id>/<precision>/) goes by the library's name.
    name = options.name ?? (manifest.name || name);
    precision = manifest.precision;
    const graph = join(dir, manifest.graph);
    checkGraphFiles(graph);
    const opened = await openSession(graph, options, cpuSample);
    spinning = opened.spinning;
    checkInklingSession(opened.session.inputNames, opened.session.outputNames, manifest.config.nLayer, graph);
    decoderInfo = decoderInfoOf('inkling', manifest.config, opened);
    engine = new Engine(tokenizer, new InklingDecoder(opened.session, decoderInfo));
  } else {
    const c = readGpt2Config(dir);
    checkGraphFiles(found.onnx!);
    const opened = await openSession(found.onnx!, options, cpuSample);
    spinning = opened.spinning;
    const inputs = describeHfSession(opened.session, c.nLayer, found.onnx!);
    decoderInfo = decoderInfoOf('hf', c, opened);
    engine = new Engine(tokenizer, new HfDecoder(opened.session, decoderInfo, inputs));
    if (options.name !== undefined) name = options.name;
    if (options.precision !== undefined) precision = options.precision;
    else if (found.onnx!.includes('quantized')) precision = 'int8';
  }
  if (tokenizer.vocabSize > decoderInfo.vocabSize) {
    await engine.dispose();
    throw new ModelLoadError(
      `${dir}: the tokenizer has ${tokenizer.vocabSize} tokens but the model only ${decoderInfo.vocabSize}`,
    );
  }
  const info: ModelInfo = {
    name,
    dir,
    format: decoderInfo.format,
    precision,
    device: decoderInfo.device,
    contextLength: decoderInfo.contextLength,
    nLayer: decoderInfo.nLayer,
    nEmbd: decoderInfo.nEmbd,
    nHead: decoderInfo.nHead,
    vocabSize: decoderInfo.vocabSize,
    loadMs: Math.round(performance.now() - t0),
    cpuNote: `${options.onnxruntimeThreads ? 'threads chosen by onnxruntime' : `${resolveThreads(options.threads)} threads`}; spinning ${spinning.reason}`,
    ...(decoderInfo.fallbackReason ? { deviceNote: decoderInfo.fallbackReason } : {}),
  };
  return { engine, info };
}

/** A graph file chosen inside an ONNX export (`graph`, relative to it): it must stay in the folder and exist. */
function graphIn(dir: string, graph: string): string {
  const file = resolve(dir, graph);
  const inside = relative(dir, file);
  if (!graph.endsWith('.onnx') || !inside || inside.startsWith('..') || isAbsolute(inside))
    throw new ModelLoadError(`${dir}: ${graph} is not an .onnx graph inside the folder`);
  if (!existsSync(file)) throw new ModelLoadError(`${dir}: the graph ${graph} is missing`);
  return file;
}

export function readManifest(dir: string): InklingManifest {
  const file = join(dir, MANIFEST);
  let m: InklingManifest;
  try {
    m = JSON.parse(readRegularTextSync(file, { maxBytes: READ_LIMITS.manifest })) as InklingManifest;
  } catch (err) {
    if (err instanceof UnsafeFileError) throw new ModelLoadError(err.message);
    throw new ModelLoadError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (m?.format !== MANIFEST_FORMAT) throw new ModelLoadError(`${file}: not an Inkling model manifest`);
  if (m.version !== MANIFEST_VERSION)
    throw new ModelLoadError(
      `${file}: manifest version ${m.version} is not supported (expected ${MANIFEST_VERSION}); convert the model again`,
    );
  if (typeof m.graph !== 'string' || !m.config || typeof m.files !== 'object')
    throw new ModelLoadError(`${file}: manifest is missing graph, config or files`);
  for (const [f, meta] of Object.entries(m.files)) {
    const p = join(dir, f);
    if (!existsSync(p)) throw new ModelLoadError(`${dir}: ${f} is missing; the model folder is incomplete`);
    // Regular files only: onnxruntime and the tokenizer open these paths themselves.
    const size = regularFile(p, f).size;
    if (size !== meta.size)
      throw new ModelLoadError(
        `${dir}: ${f} is ${size} bytes, the manifest says ${meta.size}; the file is damaged — convert or download the model again`,
      );
  }
  return m;
}

function checkInklingSession(
  inputs: readonly string[],
  outputs: readonly string[],
  nLayer: number,
  file: string,
): void {
  const need: string[] = [
    INKLING_INPUTS.inputIds,
    INKLING_INPUTS.positionIds,
    INKLING_INPUTS.attentionMask,
    INKLING_INPUTS.logitsIndex,
  ];
  for (let i = 0; i < nLayer; i++) need.push(INKLING_INPUTS.pastKey(i), INKLING_INPUTS.pastValue(i));
  const missing = need.filter((n) => !inputs.includes(n));
  const needOut: string[] = [INKLING_OUTPUTS.logits];
  for (let i = 0; i < nLayer; i++) needOut.push(INKLING_OUTPUTS.newKey(i), INKLING_OUTPUTS.newValue(i));
  missing.push(...needOut.filter((n) => !outputs.includes(n)));
  if (missing.length)
    throw new ModelLoadError(
      `${file}: the graph does not match Inkling's layout (missing ${missing.slice(0, 4).join(', ')})`,
    );
}

export function defaultCacheDir(): string {
  if (process.env.INKLING_CACHE_DIR) return process.env.INKLING_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'inkling');
}

/** A file onnxruntime or the loaders will open by path: must resolve to a regular file. */
function regularFile(p: string, what: string): { size: number; mtimeMs: number } {
  try {
    return statRegularSync(p, { what });
  } catch (err) {
    throw new ModelLoadError(err instanceof UnsafeFileError ? err.message : `${p}: ${(err as Error).message}`);
  }
}

/**
 * The graph and the external-data files it declares, which onnxruntime opens by path: each must be
 * a regular file (a FIFO would hang the engine, a link to /dev/zero would fill its memory) inside the
 * model's folder, as long as the byte ranges the graph declares in it.
 */
function checkGraphFiles(graph: string): void {
  regularFile(graph, basename(graph));
  try {
    checkExternalData(graph);
  } catch (err) {
    if (err instanceof UnsafeFileError) throw new ModelLoadError(err.message);
    if (err instanceof ExternalDataError) throw new ModelLoadError(`${dirname(graph)}: ${err.message}`);
    throw err;
  }
}

/** Converts a checkpoint folder once; the copy is keyed by the checkpoint's identity (path, size, mtime). */
async function convertedCopy(dir: string, options: LoadModelOptions): Promise<string> {
  const st = regularFile(join(dir, 'model.safetensors'), 'model.safetensors');
  let cfg: Buffer;
  try {
    cfg = readRegularFileSync(join(dir, 'config.json'), { maxBytes: READ_LIMITS.config });
  } catch (err) {
    throw new ModelLoadError(
      err instanceof UnsafeFileError && err.reason !== 'not_found'
        ? err.message
        : `${dir}: config.json is missing or unreadable`,
    );
  }
  const key = createHash('sha256')
    .update(dir)
    .update(String(st.size))
    .update(String(st.mtimeMs))
    .update(cfg)
    .digest('hex')
    .slice(0, 16);
  const out = join(options.cacheDir ?? defaultCacheDir(), 'converted', `${basename(dir)}-${key}`);
  if (existsSync(join(out, MANIFEST))) return out;
  await convertCheckpoint(dir, out, { name: basename(dir), onProgress: options.onProgress });
  return out;
}
