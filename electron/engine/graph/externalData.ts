/**
 * The external-data files an ONNX graph declares, read from the graph itself, so they can be checked
 * before onnxruntime opens them by path: each must be a regular file inside the graph's folder
 * (no absolute path, no `..`), at least as long as the byte ranges the graph declares in it.
 *
 * Only the structure is walked, with small positioned reads: tensor payloads (raw_data and friends)
 * are skipped by their length, so a 500 MB graph with inline weights costs a few thousand reads of
 * a few bytes, not 500 MB. Messages walked (onnx.proto field numbers):
 *   ModelProto.graph 7 → GraphProto { node 1, initializer 5, sparse_initializer 15 }
 *   NodeProto.attribute 5 → AttributeProto { t 5, g 6, tensors 10, graphs 11, sparse_tensor 22, sparse_tensors 23 }
 *   SparseTensorProto { values 1, indices 2 }
 *   TensorProto { name 8, external_data 13 → StringStringEntryProto { key 1, value 2 }, data_location 14 }
 */
import fs from 'node:fs';
import path from 'node:path';
import { InklingError } from '../../common/errors';
import { UnsafeFileError, openRegularSync, statRegularSync } from '../util/safeRead';

/** A graph's external weights file is missing, too short or not where the graph says (code `model_invalid`). */
export class ExternalDataError extends InklingError {
  override readonly name = 'ExternalDataError';
  constructor(message: string) {
    super('model_invalid', message);
  }
}

export interface ExternalRef {
  tensor: string;
  location: string;
  offset: number;
  /** Bytes the tensor occupies, when the graph says (it usually does). */
  length: number | null;
}

/** Nesting limit: Inkling's and Hugging Face's graphs nest If branches a few levels deep at most. */
const MAX_DEPTH = 32;
/** A hostile graph with millions of tiny tensors must not make this walk run for minutes. */
const MAX_TENSORS = 1_000_000;

class Reader {
  private buf = Buffer.alloc(64 * 1024);
  private bufStart = 0;
  private bufLen = 0;
  constructor(
    private readonly fd: number,
    readonly size: number,
    private readonly file: string,
  ) {}

  byte(pos: number): number {
    if (pos >= this.size) throw this.truncated();
    if (pos < this.bufStart || pos >= this.bufStart + this.bufLen) {
      this.bufStart = pos;
      this.bufLen = fs.readSync(this.fd, this.buf, 0, this.buf.length, pos);
      if (this.bufLen === 0) throw this.truncated();
    }
    return this.buf[pos - this.bufStart];
  }

  bytes(pos: number, n: number): Buffer {
    if (pos + n > this.size) throw this.truncated();
    const out = Buffer.alloc(n);
    let done = 0;
    while (done < n) {
      const r = fs.readSync(this.fd, out, done, n - done, pos + done);
      if (r === 0) throw this.truncated();
      done += r;
    }
    return out;
  }

  /**
   * A varint at `pos`: [value, next position]. Negative int64s (10 bytes, e.g. axis -1) come out as
   * large, inexact numbers, which is fine where only the position matters; lengths are checked.
   */
  varint(pos: number): [number, number] {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte(pos + i);
      value += (b & 0x7f) * scale;
      if (b < 0x80) return [value, pos + i + 1];
      scale *= 128;
    }
    throw new ExternalDataError(
      `${path.basename(this.file)}: malformed number in the graph; the file is damaged or not an ONNX model`,
    );
  }

  truncated(): ExternalDataError {
    return new ExternalDataError(
      `${path.basename(this.file)}: the graph ends in the middle of a field; the file is truncated or not an ONNX model`,
    );
  }
}

type Visit = (field: number, wire: number, start: number, end: number) => void;

/** Calls `visit` for each field of the message in [start, end); length-delimited fields get their payload range. */
function fields(r: Reader, start: number, end: number, visit: Visit): void {
  let pos = start;
  while (pos < end) {
    const [tag, afterTag] = r.varint(pos);
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    let next: number;
    let payload = afterTag;
    if (wire === 0) next = r.varint(afterTag)[1];
    else if (wire === 1) next = afterTag + 8;
    else if (wire === 5) next = afterTag + 4;
    else if (wire === 2) {
      const [len, afterLen] = r.varint(afterTag);
      if (!Number.isSafeInteger(len)) throw r.truncated();
      payload = afterLen;
      next = afterLen + len;
    } else
      throw new ExternalDataError(
        `graph field ${field} has wire type ${wire}, which ONNX does not use; the file is damaged or not an ONNX model`,
      );
    if (next > end) throw r.truncated();
    visit(field, wire, payload, next);
    pos = next;
  }
}

/** Reads the external-data references of every tensor in an ONNX model file. */
export function readExternalRefs(graphFile: string): ExternalRef[] {
  const { fd, info } = openRegularSync(graphFile, { what: path.basename(graphFile) });
  try {
    const r = new Reader(fd, info.size, graphFile);
    const refs: ExternalRef[] = [];
    let tensors = 0;
    const text = (s: number, e: number): string => r.bytes(s, e - s).toString('utf8');

    const tensor = (s: number, e: number): void => {
      if (++tensors > MAX_TENSORS)
        throw new ExternalDataError(
          `${path.basename(graphFile)}: more than ${MAX_TENSORS} tensors; not a model Inkling can load`,
        );
      let name = '';
      let external = false;
      const entries = new Map<string, string>();
      fields(r, s, e, (f, w, ps, pe) => {
        if (f === 8 && w === 2) name = text(ps, Math.min(pe, ps + 300));
        else if (f === 14 && w === 0) external = r.varint(ps)[0] === 1;
        else if (f === 13 && w === 2) {
          let key = '';
          let value = '';
          fields(r, ps, pe, (f2, w2, s2, e2) => {
            if (w2 !== 2 || e2 - s2 > 4096) return;
            if (f2 === 1) key = text(s2, e2);
            else if (f2 === 2) value = text(s2, e2);
          });
          entries.set(key, value);
        }
      });
      if (!external) return;
      const num = (k: string): number | null => {
        const v = entries.get(k);
        if (v === undefined) return null;
        if (!/^\d{1,15}$/.test(v))
          throw new ExternalDataError(
            `${path.basename(graphFile)}: tensor ${name}: external data ${k} ${JSON.stringify(v.slice(0, 40))} is not a byte count`,
          );
        return Number(v);
      };
      const location = entries.get('location');
      if (!location)
        throw new ExternalDataError(
          `${path.basename(graphFile)}: tensor ${name}: stored outside the graph but names no file`,
        );
      refs.push({ tensor: name, location, offset: num('offset') ?? 0, length: num('length') });
    };

    const graph = (s: number, e: number, depth: number): void => {
      if (depth > MAX_DEPTH)
        throw new ExternalDataError(`${path.basename(graphFile)}: subgraphs nested more than ${MAX_DEPTH} deep`);
      fields(r, s, e, (f, w, ps, pe) => {
        if (w !== 2) return;
        if (f === 5) tensor(ps, pe);
        else if (f === 15) sparse(ps, pe);
        else if (f === 1) node(ps, pe, depth);
      });
    };
    const sparse = (s: number, e: number): void => {
      fields(r, s, e, (f, w, ps, pe) => {
        if (w === 2 && (f === 1 || f === 2)) tensor(ps, pe);
      });
    };
    const node = (s: number, e: number, depth: number): void => {
      fields(r, s, e, (f, w, ps, pe) => {
        if (f !== 5 || w !== 2) return;
        fields(r, ps, pe, (fa, wa, sa, ea) => {
          if (wa !== 2) return;
          if (fa === 5 || fa === 10) tensor(sa, ea);
          else if (fa === 6 || fa === 11) graph(sa, ea, depth + 1);
          else if (fa === 22 || fa === 23) sparse(sa, ea);
        });
      });
    };

    fields(r, 0, info.size, (f, w, ps, pe) => {
      if (f === 7 && w === 2) graph(ps, pe, 0);
    });
    return refs;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Checks every external-data file `graphFile` declares: inside the graph's folder, a regular file,
 * and long enough for every byte range declared in it. Returns the files (relative to the folder)
 * with the bytes the graph needs of each.
 */
export function checkExternalData(graphFile: string): Map<string, number> {
  const dir = path.dirname(graphFile);
  const graphName = path.basename(graphFile);
  const needed = new Map<string, number>();
  for (const ref of readExternalRefs(graphFile)) {
    const loc = ref.location.replace(/\\/g, '/');
    if (
      path.isAbsolute(ref.location) ||
      /^[A-Za-z]:/.test(loc) ||
      loc.split('/').some((part) => part === '..') ||
      loc.includes('\0')
    ) {
      throw new ExternalDataError(
        `${graphName}: tensor ${ref.tensor} keeps its weights in ${JSON.stringify(ref.location.slice(0, 200))}, outside the model's folder; Inkling loads weights only from the model's own folder`,
      );
    }
    const end = ref.offset + (ref.length ?? 0);
    needed.set(loc, Math.max(needed.get(loc) ?? 0, end));
  }
  for (const [loc, end] of needed) {
    let size: number;
    try {
      size = statRegularSync(path.join(dir, loc), { what: loc }).size;
    } catch (e) {
      if (e instanceof UnsafeFileError && e.reason === 'not_found')
        throw new ExternalDataError(`${graphName}: its weights file ${loc} is missing from ${dir}`);
      throw e;
    }
    if (size < end) {
      throw new ExternalDataError(
        `${loc} is ${size} bytes but ${graphName} needs ${end}; the weights file is truncated or belongs to another model`,
      );
    }
  }
  return needed;
}
