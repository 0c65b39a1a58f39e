/**
 * GraphBuilder: collects ONNX nodes, graph inputs/outputs and initializers, then writes the model
 * as two files: `<name>.onnx` (structure + small inline constants) and `<name>.onnx_data` (every
 * weight, 64-byte aligned). Weights are pulled one at a time from their source while writing, so
 * the builder never holds a copy of the model: peak extra memory is one converted tensor at most.
 */
import fs from 'node:fs';
import path from 'node:path';
import { atomicWriteFile, commitTempFile, tempPathFor } from '../../common/fs';
import {
  DATA_TYPE_BYTES,
  DataType,
  checkAttrs,
  encodeModel,
  type AttrValue,
  type DataTypeId,
  type Dim,
  type ExternalTensor,
  type InlineTensor,
  type NodeDef,
  type OpsetImport,
  type SubgraphDef,
  type ValueInfo,
} from './onnx';

/** Offsets of tensors in the data file are multiples of this (cache-line / SIMD friendly). */
export const EXTERNAL_DATA_ALIGNMENT = 64;

/** A weight whose bytes are produced only when the data file is written. */
export interface WeightSource {
  name: string;
  dataType: DataTypeId;
  dims: number[];
  /** Little-endian element bytes; called exactly once, while writing (unless `pieces` is given). */
  bytes(): Uint8Array | Promise<Uint8Array>;
  /** The same bytes in consecutive pieces, written as they come (large tensors, never held whole). */
  pieces?(): Iterable<Uint8Array>;
  /**
   * The bytes already lie in a file next to the graph (`location`, relative to its folder, at
   * `offset`): the graph points there and nothing is written (a temporary reference graph).
   */
  external?: { location: string; offset: number };
}

export interface SavedModel {
  onnxPath: string;
  dataPath: string;
  /** Total size on disk of both files. */
  bytes: number;
}

export interface OpOptions {
  /** Number of outputs (auto-named), or explicit output names ('' leaves an optional output out). */
  outputs?: number | string[];
  domain?: string;
}

export const DEFAULT_OPSETS: OpsetImport[] = [
  { domain: '', version: 17 },
  // Contrib ops (fused attention, MatMulNBits) for the optimized/quantized graphs.
  { domain: 'com.microsoft', version: 1 },
];

/** The data file that belongs to an .onnx file: `model.onnx` → `model.onnx_data` (the transformers.js naming). */
export function dataPathFor(onnxPath: string): string {
  return `${onnxPath}_data`;
}

/**
 * What a model and all its subgraphs share: value names are unique across the whole model (ONNX
 * subgraphs see the enclosing graph's values by name), and constants and weights are initializers of
 * the main graph, visible from every subgraph.
 */
interface ModelState {
  names: Set<string>;
  inline: InlineTensor[];
  weights: WeightSource[];
  constCache: Map<string, string>;
  counter: number;
  scopeStack: string[];
}

export class GraphBuilder {
  private nodes: NodeDef[] = [];
  private inputs: ValueInfo[] = [];
  private outputs: ValueInfo[] = [];
  private readonly m: ModelState;

  constructor(
    readonly graphName: string,
    private readonly opsets: OpsetImport[] = DEFAULT_OPSETS,
    parent?: GraphBuilder,
  ) {
    this.m = parent
      ? parent.m
      : { names: new Set(), inline: [], weights: [], constCache: new Map(), counter: 0, scopeStack: [] };
  }

  private get names(): Set<string> {
    return this.m.names;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`ONNX graph "${this.graphName}": duplicate value name "${name}"`);
    this.names.add(name);
    return name;
  }

  private autoName(base: string): string {
    const scope = this.m.scopeStack.join('/');
    return `${scope ? scope + '/' : ''}${base}_${this.m.counter++}`;
  }

  /** A new unique value name, for outputs named before their node exists (claimed by that node). */
  fresh(base: string): string {
    return this.autoName(base);
  }

  /**
   * Builds a subgraph (e.g. a branch of `If`) whose nodes may read any value defined so far in the
   * enclosing graph. `build` returns the values that become the subgraph's outputs, with their types.
   */
  subgraph(
    name: string,
    build: (sg: GraphBuilder) => Array<{ name: string; elemType: DataTypeId; dims: Dim[] }>,
  ): { graph: SubgraphDef } {
    const sg = new GraphBuilder(name, this.opsets, this);
    const outs = build(sg);
    for (const o of outs) sg.output(o.name, o.elemType, o.dims);
    return { graph: { name, nodes: sg.nodes, outputs: sg.outputs } };
  }

  /** Runs `fn` with node names prefixed by `name` (e.g. "h.3/attn"), for readable graphs and errors. */
  scope<T>(name: string, fn: () => T): T {
    this.m.scopeStack.push(name);
    try {
      return fn();
    } finally {
      this.m.scopeStack.pop();
    }
  }

  input(name: string, elemType: DataTypeId, dims: Dim[]): string {
    this.inputs.push({ name: this.claim(name), elemType, dims });
    return name;
  }

  /** Declares an existing value (produced by a node) as a graph output. */
  output(name: string, elemType: DataTypeId, dims: Dim[]): void {
    if (!this.names.has(name)) throw new Error(`ONNX graph "${this.graphName}": output "${name}" is never produced`);
    this.outputs.push({ name, elemType, dims });
  }

  /**
   * Lists an existing weight among the graph inputs too, which makes it an "overridable
   * initializer": onnxruntime then treats it as data rather than a constant — it neither folds it
   * nor pre-packs a second copy of it for one kernel while another kernel reads the original.
   * Callers need not feed it; the stored value is the default.
   */
  overridable(name: string, elemType: DataTypeId, dims: number[]): void {
    if (!this.names.has(name)) throw new Error(`ONNX graph "${this.graphName}": "${name}" is not defined`);
    this.inputs.push({ name, elemType, dims });
  }

  /** Registers a weight stored in the external data file. */
  weight(src: WeightSource): string {
    this.m.weights.push(src);
    return this.claim(src.name);
  }

  private constant(dataType: DataTypeId, dims: number[], raw: Uint8Array, key: string): string {
    const cached = this.m.constCache.get(key);
    if (cached) return cached;
    const name = this.claim(`const_${this.m.constCache.size}`);
    this.m.inline.push({ name, dataType, dims, raw });
    this.m.constCache.set(key, name);
    return name;
  }

  /** int64 constant; `dims` defaults to a 1-D tensor of the values' length ([] for a scalar). */
  constI64(values: number[], dims: number[] = [values.length]): string {
    const raw = new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer);
    return this.constant(DataType.INT64, dims, raw, `i64:${dims.join('x')}:${values.join(',')}`);
  }

  /** float32 constant; `dims` defaults to a scalar. */
  constF32(values: number[], dims: number[] = []): string {
    const raw = new Uint8Array(Float32Array.from(values).buffer);
    return this.constant(DataType.FLOAT, dims, raw, `f32:${dims.join('x')}:${values.join(',')}`);
  }

  /** Adds a node; returns its output names. */
  opN(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, opts: OpOptions = {}): string[] {
    for (const i of inputs) {
      if (i !== '' && !this.names.has(i)) {
        throw new Error(`ONNX graph "${this.graphName}": ${opType} input "${i}" is not defined yet`);
      }
    }
    const nodeName = this.autoName(opType);
    checkAttrs(`ONNX graph "${this.graphName}" node ${nodeName}`, attrs);
    const spec = opts.outputs ?? 1;
    const outputs =
      typeof spec === 'number'
        ? Array.from({ length: spec }, (_, k) => this.claim(spec === 1 ? nodeName : `${nodeName}:${k}`))
        : spec.map((n) => (n === '' ? '' : this.claim(n)));
    this.nodes.push({ opType, name: nodeName, inputs, outputs, attrs, domain: opts.domain });
    return outputs;
  }

  /** Adds a single-output node; returns its output name. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputName?: string): string {
    return this.opN(opType, inputs, attrs, { outputs: outputName ? [outputName] : 1 })[0];
  }

  /**
   * Writes `<onnxPath>` and its data file. Each file is written under a temporary name and
   * renamed into place, so a crash never leaves a half-written model that looks complete.
   */
  async save(
    onnxPath: string,
    meta: {
      producerVersion?: string;
      docString?: string;
      metadata?: Record<string, string>;
      onProgress?: (fraction: number) => void;
    } = {},
  ): Promise<SavedModel> {
    const dataPath = dataPathFor(onnxPath);
    const location = path.basename(dataPath);
    fs.mkdirSync(path.dirname(onnxPath), { recursive: true });

    const external: ExternalTensor[] = [];
    const dataTmp = tempPathFor(dataPath);
    const fh = await fs.promises.open(dataTmp, 'w');
    let offset = 0;
    const sizes = this.m.weights.map((w) =>
      w.external ? 0 : w.dims.reduce((a, b) => a * b, 1) * DATA_TYPE_BYTES[w.dataType],
    );
    const totalBytes = sizes.reduce((a, b) => a + b, 0);
    let doneBytes = 0;
    try {
      for (const [index, src] of this.m.weights.entries()) {
        if (meta.onProgress && totalBytes > 0) meta.onProgress(doneBytes / totalBytes);
        doneBytes += sizes[index];
        if (src.external) {
          const length = src.dims.reduce((a, b) => a * b, 1) * DATA_TYPE_BYTES[src.dataType];
          external.push({
            name: src.name,
            dataType: src.dataType,
            dims: src.dims,
            location: src.external.location,
            offset: src.external.offset,
            length,
          });
          continue;
        }
        const pad = (EXTERNAL_DATA_ALIGNMENT - (offset % EXTERNAL_DATA_ALIGNMENT)) % EXTERNAL_DATA_ALIGNMENT;
        if (pad) await writeAll(fh, new Uint8Array(pad), offset);
        offset += pad;
        const expected = src.dims.reduce((a, b) => a * b, 1) * DATA_TYPE_BYTES[src.dataType];
        let written = 0;
        for (const bytes of src.pieces ? src.pieces() : [await src.bytes()]) {
          // Counted before writing: a source that produces too much never writes past its slot.
          written += bytes.byteLength;
          if (written > expected) break;
          await writeAll(fh, bytes, offset + written - bytes.byteLength);
        }
        if (written !== expected) {
          throw new Error(
            `weight "${src.name}": expected ${expected} bytes for shape [${src.dims.join(', ')}], got ${written > expected ? 'more' : written}`,
          );
        }
        external.push({ name: src.name, dataType: src.dataType, dims: src.dims, location, offset, length: expected });
        offset += expected;
      }
    } catch (e) {
      await fh.close();
      await fs.promises.rm(dataTmp, { force: true });
      throw e;
    }
    await fh.close();

    const model = encodeModel({
      graphName: this.graphName,
      producerName: 'inkling',
      producerVersion: meta.producerVersion ?? '0.1.0',
      docString: meta.docString,
      metadata: meta.metadata,
      opsets: this.opsets,
      nodes: this.nodes,
      inputs: this.inputs,
      outputs: this.outputs,
      initializers: [...external, ...this.m.inline],
    });
    // The data first, then the graph that points into it: a crash in between leaves the old graph or
    // none, never a graph without its data.
    await commitTempFile(dataTmp, dataPath);
    await atomicWriteFile(onnxPath, model, { resolved: true });
    return { onnxPath, dataPath, bytes: model.byteLength + offset };
  }
}

async function writeAll(fh: fs.promises.FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    // Chunks of ≤1 GiB: a single write() of more than 2 GiB is rejected by Node.
    const len = Math.min(bytes.byteLength - done, 1 << 30);
    const { bytesWritten } = await fh.write(bytes, done, len, position + done);
    if (bytesWritten <= 0) throw new Error(`short write to model data file at offset ${position + done}`);
    done += bytesWritten;
  }
}
