/**
 * ONNX messages (onnx.proto, IR version 8) as plain TypeScript data, and their protobuf encoding.
 * Field numbers follow onnx/onnx.proto; only the fields this project emits are modelled.
 */
import { ProtoWriter } from './proto';

/** TensorProto.DataType values used here. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
} as const;
export type DataTypeId = (typeof DataType)[keyof typeof DataType];

/** Bytes per element of each data type (for size checks on external data). */
export const DATA_TYPE_BYTES: Record<DataTypeId, number> = {
  1: 4,
  2: 1,
  3: 1,
  6: 4,
  7: 8,
  9: 1,
  10: 2,
};

/** A dimension: a fixed size, or a symbolic name (dim_param) such as "batch". */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  elemType: DataTypeId;
  dims: Dim[];
}

/** A tensor whose bytes live inside the .onnx file (small constants). */
export interface InlineTensor {
  name: string;
  dataType: DataTypeId;
  dims: number[];
  /** Little-endian element bytes. */
  raw: Uint8Array;
}

/** A tensor whose bytes live in the external data file. */
export interface ExternalTensor {
  name: string;
  dataType: DataTypeId;
  dims: number[];
  /** Data file name, relative to the .onnx file's directory. */
  location: string;
  offset: number;
  length: number;
}

/** Attribute values: integer → INT, integer[] → INTS, string → STRING, tagged objects for the rest. */
export type AttrValue =
  | number
  | number[]
  | string
  | { float: number }
  | { floats: number[] }
  | { tensor: InlineTensor }
  | { graph: SubgraphDef };

/**
 * A graph held in an attribute (the branches of `If`). It has no inputs or initializers of its own:
 * it reads values of the enclosing graph by name (outer scope), which is how ONNX control flow works.
 */
export interface SubgraphDef {
  name: string;
  nodes: NodeDef[];
  outputs: ValueInfo[];
}

export interface NodeDef {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  domain?: string;
  attrs?: Record<string, AttrValue>;
}

export interface OpsetImport {
  domain: string;
  version: number;
}

export interface ModelDef {
  graphName: string;
  producerName: string;
  producerVersion: string;
  docString?: string;
  opsets: OpsetImport[];
  nodes: NodeDef[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers: Array<InlineTensor | ExternalTensor>;
  metadata?: Record<string, string>;
}

export const IR_VERSION = 8;

// AttributeProto.AttributeType
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_TENSOR = 4;
const ATTR_GRAPH = 5;
const ATTR_FLOATS = 6;
const ATTR_INTS = 7;

const DATA_LOCATION_EXTERNAL = 1;

function stringEntry(key: string, value: string): ProtoWriter {
  return new ProtoWriter().string(1, key).string(2, value);
}

export function encodeTensor(t: InlineTensor | ExternalTensor): ProtoWriter {
  const w = new ProtoWriter();
  // Repeated scalars are written unpacked: the proto2 default, accepted by every parser.
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.dataType);
  w.string(8, t.name);
  if ('raw' in t) {
    w.bytes(9, t.raw);
  } else {
    w.message(13, stringEntry('location', t.location));
    w.message(13, stringEntry('offset', String(t.offset)));
    w.message(13, stringEntry('length', String(t.length)));
    w.int(14, DATA_LOCATION_EXTERNAL);
  }
  return w;
}

/** Throws, naming the node and attribute, when an attribute value cannot be encoded as written. */
export function checkAttrs(node: string, attrs: Record<string, AttrValue>): void {
  for (const [name, v] of Object.entries(attrs)) {
    const ints = typeof v === 'number' ? [v] : Array.isArray(v) ? v : [];
    for (const x of ints) {
      if (!Number.isSafeInteger(x))
        throw new Error(`${node}: attribute "${name}" value ${x} is not an integer; wrap floats as { float: x }`);
    }
  }
}

function encodeAttr(name: string, v: AttrValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) {
      throw new Error(`ONNX attribute "${name}": ${v} is not an integer; wrap floats as { float: x }`);
    }
    w.int(3, BigInt(v)).int(20, ATTR_INT);
  } else if (typeof v === 'string') {
    w.string(4, v).int(20, ATTR_STRING);
  } else if (Array.isArray(v)) {
    for (const x of v) {
      if (!Number.isInteger(x)) throw new Error(`ONNX attribute "${name}": ${x} is not an integer`);
      w.int(8, BigInt(x));
    }
    w.int(20, ATTR_INTS);
  } else if ('float' in v) {
    w.float(2, v.float).int(20, ATTR_FLOAT);
  } else if ('floats' in v) {
    for (const x of v.floats) w.float(7, x);
    w.int(20, ATTR_FLOATS);
  } else if ('graph' in v) {
    w.message(6, encodeSubgraph(v.graph)).int(20, ATTR_GRAPH);
  } else {
    w.message(5, encodeTensor(v.tensor)).int(20, ATTR_TENSOR);
  }
  return w;
}

function encodeNode(n: NodeDef): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const [k, v] of Object.entries(n.attrs ?? {})) w.message(5, encodeAttr(k, v));
  if (n.domain) w.string(7, n.domain);
  return w;
}

function encodeValueInfo(v: ValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().int(1, v.elemType).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, v.name).message(2, type);
}

function encodeSubgraph(sg: SubgraphDef): ProtoWriter {
  const g = new ProtoWriter();
  for (const n of sg.nodes) g.message(1, encodeNode(n));
  g.string(2, sg.name);
  for (const o of sg.outputs) g.message(12, encodeValueInfo(o));
  return g;
}

export function encodeModel(m: ModelDef): Uint8Array {
  const g = new ProtoWriter();
  for (const n of m.nodes) g.message(1, encodeNode(n));
  g.string(2, m.graphName);
  for (const t of m.initializers) g.message(5, encodeTensor(t));
  for (const i of m.inputs) g.message(11, encodeValueInfo(i));
  for (const o of m.outputs) g.message(12, encodeValueInfo(o));

  const w = new ProtoWriter();
  w.int(1, IR_VERSION);
  w.string(2, m.producerName);
  w.string(3, m.producerVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, g);
  for (const o of m.opsets) {
    const op = new ProtoWriter();
    if (o.domain) op.string(1, o.domain);
    op.int(2, o.version);
    w.message(8, op);
  }
  for (const [k, v] of Object.entries(m.metadata ?? {})) w.message(14, stringEntry(k, v));
  return w.finish();
}
