/**
 * A tiny protobuf *reader* for tests: decodes a message into field number → raw values, so tests
 * can check the bytes the writer produced independently of onnxruntime.
 */
export type Field =
  { wire: 0; value: bigint } | { wire: 2; bytes: Uint8Array } | { wire: 5; value: number } | { wire: 1; value: bigint };

export function decodeMessage(buf: Uint8Array): Map<number, Field[]> {
  const out = new Map<number, Field[]>();
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error('truncated varint');
      const b = buf[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    let f: Field;
    if (wire === 0) f = { wire, value: varint() };
    else if (wire === 2) {
      const len = Number(varint());
      if (pos + len > buf.length) throw new Error(`field ${field}: length ${len} runs past the end`);
      f = { wire, bytes: buf.subarray(pos, pos + len) };
      pos += len;
    } else if (wire === 5) {
      f = { wire, value: new DataView(buf.buffer, buf.byteOffset + pos, 4).getFloat32(0, true) };
      pos += 4;
    } else if (wire === 1) {
      f = { wire, value: new DataView(buf.buffer, buf.byteOffset + pos, 8).getBigUint64(0, true) };
      pos += 8;
    } else throw new Error(`unsupported wire type ${wire} for field ${field}`);
    const list = out.get(field) ?? [];
    list.push(f);
    out.set(field, list);
  }
  return out;
}

const text = new TextDecoder();

export function strings(m: Map<number, Field[]>, field: number): string[] {
  return (m.get(field) ?? []).map((f) => (f.wire === 2 ? text.decode(f.bytes) : ''));
}

export function messages(m: Map<number, Field[]>, field: number): Map<number, Field[]>[] {
  return (m.get(field) ?? []).map((f) => decodeMessage(f.wire === 2 ? f.bytes : new Uint8Array(0)));
}

export function ints(m: Map<number, Field[]>, field: number): bigint[] {
  return (m.get(field) ?? []).map((f) => (f.wire === 0 ? BigInt.asIntN(64, f.value) : 0n));
}

export function bytesOf(m: Map<number, Field[]>, field: number): Uint8Array | undefined {
  const f = m.get(field)?.[0];
  return f && f.wire === 2 ? f.bytes : undefined;
}
