/**
 * A minimal protocol-buffers *writer* — just enough wire format to emit ONNX models without a
 * protobuf dependency. Messages are built bottom-up: encode the children, then embed their bytes
 * as length-delimited fields of the parent. Only the graph structure goes through here (kilobytes
 * to a few megabytes); weights are written to the external data file directly, never copied here.
 *
 * Wire types: 0 = varint, 2 = length-delimited (bytes, strings, sub-messages), 5 = fixed32.
 */

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const utf8 = new TextEncoder();

export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private cur = new Uint8Array(256);
  private pos = 0;
  private total = 0;
  /** Size of the next scratch buffer: doubles up to 1 MiB so big messages need few chunks. */
  private nextSize = 512;

  private ensure(n: number): void {
    if (this.pos + n > this.cur.length) this.flushCur(n);
  }

  /** Seals the scratch buffer's bytes as a chunk (never written again) and starts a fresh buffer. */
  private flushCur(minSize = 0): void {
    if (this.pos > 0) this.chunks.push(this.cur.subarray(0, this.pos));
    this.cur = new Uint8Array(Math.max(minSize, this.nextSize));
    this.nextSize = Math.min(this.nextSize * 2, 1 << 20);
    this.pos = 0;
  }

  private byte(b: number): void {
    this.cur[this.pos++] = b;
    this.total++;
  }

  /** Unsigned varint of a non-negative safe integer, or any int64 given as a bigint (two's complement). */
  private varint(v: number | bigint): void {
    if (typeof v === 'number' && v >= 0 && Number.isSafeInteger(v)) {
      this.ensure(10);
      while (v >= 0x80) {
        this.byte((v % 0x80) | 0x80);
        v = Math.floor(v / 0x80);
      }
      this.byte(v);
      return;
    }
    if (typeof v === 'number' && !Number.isSafeInteger(v)) {
      throw new Error(`protobuf varint: ${v} is not a safe integer (pass a bigint)`);
    }
    const big = typeof v === 'bigint' ? v : BigInt(v);
    // Negative int64 values are encoded as their 64-bit two's complement: always 10 bytes.
    let u = BigInt.asUintN(64, big);
    this.ensure(10);
    while (u >= 0x80n) {
      this.byte(Number(u & 0x7fn) | 0x80);
      u >>= 7n;
    }
    this.byte(Number(u));
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** int32/int64/enum/bool field. */
  int(field: number, v: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.varint(v);
    return this;
  }

  /** float field (fixed32, IEEE-754 little-endian). */
  float(field: number, v: number): this {
    this.tag(field, WIRE_FIXED32);
    this.ensure(4);
    new DataView(this.cur.buffer, this.cur.byteOffset + this.pos, 4).setFloat32(0, v, true);
    this.pos += 4;
    this.total += 4;
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.varint(data.length);
    if (data.length <= 64) {
      this.ensure(data.length);
      this.cur.set(data, this.pos);
      this.pos += data.length;
    } else {
      // Large payloads are kept by reference rather than copied into the scratch buffer.
      this.seal();
      this.chunks.push(data);
    }
    this.total += data.length;
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, utf8.encode(s));
  }

  /** Embedded message: the child writer's bytes, length-prefixed. */
  message(field: number, child: ProtoWriter): this {
    return this.bytes(field, child.finish());
  }

  get length(): number {
    return this.total;
  }

  /**
   * Seals the bytes written so far as a chunk and goes on in the rest of the same scratch buffer
   * (no allocation: sealing used to start a fresh buffer of up to 1 MiB, for every embedded message
   * and every finish — 8–11 s of zero-filling in the XL conversion's profile).
   */
  private seal(): void {
    if (this.pos === 0) return;
    this.chunks.push(this.cur.subarray(0, this.pos));
    this.cur = this.cur.subarray(this.pos);
    this.pos = 0;
  }

  finish(): Uint8Array {
    this.seal();
    if (this.chunks.length === 1) return this.chunks[0];
    const out = new Uint8Array(this.total);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    this.chunks = [out];
    return out;
  }
}
