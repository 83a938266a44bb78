// The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
// ({ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": { string: string } }), then the raw
// little-endian tensor bytes, offsets relative to the end of the header. Reading decodes floats to float32 and
// integers to int32 on demand (so an unsupported dtype only matters for a tensor someone asks for); writing lays
// tensors out in sorted-name order with a space-padded header, so the same tensors always give the same bytes.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../util/fs.js';

/** Every dtype the format defines, with its element size in bytes. */
export const SAFETENSORS_DTYPES = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
} as const;
export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPES;

/** The dtypes this reader decodes: floats become Float32Array, integers Int32Array. */
export const READABLE_DTYPES: readonly SafetensorsDtype[] = ['F32', 'F16', 'BF16', 'F64', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL'];
export const WRITABLE_DTYPES = ['F32', 'I32', 'I64'] as const;
export type WritableDtype = (typeof WRITABLE_DTYPES)[number];

/** The Rust reference implementation refuses headers above 100 MB; so do we (a larger one is a corrupt length). */
const MAX_HEADER_BYTES = 100_000_000;

export class SafetensorsError extends Error {
  constructor(message: string) { super(message); this.name = 'SafetensorsError'; }
}

export interface TensorEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte offsets relative to the start of the data section. */
  begin: number;
  end: number;
}

export type DecodedTensor =
  | { name: string; dtype: 'float32'; sourceDtype: SafetensorsDtype; shape: number[]; data: Float32Array }
  | { name: string; dtype: 'int32'; sourceDtype: SafetensorsDtype; shape: number[]; data: Int32Array };

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** A parsed safetensors file: the header's entries and metadata; tensors are decoded when asked for. */
export class SafetensorsFile {
  private readonly byName: Map<string, TensorEntry>;

  constructor(
    /** Where the bytes came from (a path), used in every error message. */
    readonly source: string,
    readonly entries: readonly TensorEntry[],
    readonly metadata: Readonly<Record<string, string>>,
    private readonly data: Uint8Array,
  ) {
    this.byName = new Map(entries.map((e) => [e.name, e]));
  }

  get names(): string[] { return [...this.byName.keys()]; }
  has(name: string): boolean { return this.byName.has(name); }
  entry(name: string): TensorEntry {
    const e = this.byName.get(name);
    if (!e) throw new SafetensorsError(`${this.source}: no tensor "${name}" (the file has ${this.byName.size} tensors)`);
    return e;
  }

  /** Decodes one tensor: F32/F16/BF16/F64 to Float32Array, I64/I32/I16/I8/U8/BOOL to Int32Array. */
  get(name: string): DecodedTensor {
    const e = this.entry(name);
    const bytes = this.data.subarray(e.begin, e.end);
    const where = `${this.source}: tensor "${name}"`;
    switch (e.dtype) {
      case 'F32': return { name, dtype: 'float32', sourceDtype: e.dtype, shape: e.shape, data: readF32(bytes) };
      case 'F16': return { name, dtype: 'float32', sourceDtype: e.dtype, shape: e.shape, data: readF16(bytes) };
      case 'BF16': return { name, dtype: 'float32', sourceDtype: e.dtype, shape: e.shape, data: readBF16(bytes) };
      case 'F64': return { name, dtype: 'float32', sourceDtype: e.dtype, shape: e.shape, data: readF64(bytes) };
      case 'I64': return { name, dtype: 'int32', sourceDtype: e.dtype, shape: e.shape, data: readI64(bytes, where) };
      case 'I32': return { name, dtype: 'int32', sourceDtype: e.dtype, shape: e.shape, data: readI32(bytes) };
      case 'I16': return { name, dtype: 'int32', sourceDtype: e.dtype, shape: e.shape, data: Int32Array.from(readView(bytes, 2, (v, o) => v.getInt16(o, true))) };
      case 'I8': return { name, dtype: 'int32', sourceDtype: e.dtype, shape: e.shape, data: Int32Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length)) };
      case 'U8': case 'BOOL': return { name, dtype: 'int32', sourceDtype: e.dtype, shape: e.shape, data: Int32Array.from(bytes) };
      default:
        throw new SafetensorsError(`${where} has dtype ${e.dtype}, which this reader does not decode (readable: ${READABLE_DTYPES.join(', ')}); convert the checkpoint to F32, F16 or BF16`);
    }
  }

  /** Decodes a floating-point tensor (error naming the tensor when it is an integer tensor). */
  getFloat(name: string): Float32Array {
    const t = this.get(name);
    if (t.dtype !== 'float32') throw new SafetensorsError(`${this.source}: tensor "${name}" has integer dtype ${t.sourceDtype}; a floating-point tensor was expected`);
    return t.data;
  }
}

function readView(bytes: Uint8Array, size: number, get: (v: DataView, off: number) => number): number[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength / size;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = get(v, i * size);
  return out;
}

/** Copies into a fresh (aligned) buffer: the data section of a file need not be aligned to the element size. */
function aligned(bytes: Uint8Array): ArrayBuffer {
  const b = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(b).set(bytes);
  return b;
}

function readF32(bytes: Uint8Array): Float32Array {
  if (LITTLE_ENDIAN_HOST) return new Float32Array(aligned(bytes));
  return Float32Array.from(readView(bytes, 4, (v, o) => v.getFloat32(o, true)));
}

function readF64(bytes: Uint8Array): Float32Array {
  if (LITTLE_ENDIAN_HOST) return Float32Array.from(new Float64Array(aligned(bytes)));
  return Float32Array.from(readView(bytes, 8, (v, o) => v.getFloat64(o, true)));
}

function readU16(bytes: Uint8Array): Uint16Array {
  if (LITTLE_ENDIAN_HOST) return new Uint16Array(aligned(bytes));
  return Uint16Array.from(readView(bytes, 2, (v, o) => v.getUint16(o, true)));
}

/** IEEE half to float32 (subnormals, infinities and NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function readF16(bytes: Uint8Array): Float32Array {
  const h = readU16(bytes);
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) out[i] = halfToFloat(h[i]);
  return out;
}

/** bfloat16 is the top half of a float32: shift it back into place. */
function readBF16(bytes: Uint8Array): Float32Array {
  const h = readU16(bytes);
  const bits = new Uint32Array(h.length);
  for (let i = 0; i < h.length; i++) bits[i] = h[i] << 16;
  return new Float32Array(bits.buffer);
}

function readI32(bytes: Uint8Array): Int32Array {
  if (LITTLE_ENDIAN_HOST) return new Int32Array(aligned(bytes));
  return Int32Array.from(readView(bytes, 4, (v, o) => v.getInt32(o, true)));
}

/** I64 values are narrowed to int32; one that does not fit is an error naming the tensor and the index. */
function readI64(bytes: Uint8Array, where: string): Int32Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength / 8;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const lo = v.getUint32(i * 8, true);
    const hi = v.getInt32(i * 8 + 4, true);
    // fits in int32 exactly when the high word is the sign extension of the low word
    if (hi !== (lo & 0x80000000 ? -1 : 0)) {
      throw new SafetensorsError(`${where}: I64 value at index ${i} (${v.getBigInt64(i * 8, true)}) does not fit in int32`);
    }
    out[i] = lo | 0;
  }
  return out;
}

function fail(source: string, msg: string): never {
  throw new SafetensorsError(`${source}: ${msg} (the file is not valid safetensors: it is corrupt, truncated or not a safetensors file)`);
}

/** Parses safetensors bytes; `source` (a path) names the file in errors. Validates every entry and offset. */
export function parseSafetensors(bytes: Uint8Array, source: string): SafetensorsFile {
  if (bytes.byteLength < 8) fail(source, `only ${bytes.byteLength} bytes, shorter than the 8-byte header length`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = dv.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES)) fail(source, `header length ${n64} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const n = Number(n64);
  if (8 + n > bytes.byteLength) fail(source, `header length ${n} runs past the end of the file (${bytes.byteLength} bytes)`);
  const headerText = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  if (!headerText.startsWith('{')) fail(source, 'the JSON header does not start with "{"');
  let header: unknown;
  try { header = JSON.parse(headerText); } catch (err) {
    fail(source, `the JSON header does not parse: ${(err as Error).message}`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) fail(source, 'the header is not a JSON object');
  const data = bytes.subarray(8 + n);
  const metadata: Record<string, string> = {};
  const entries: TensorEntry[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail(source, '"__metadata__" is not an object of strings');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(source, `"__metadata__" key "${k}" is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    entries.push(parseEntry(source, name, raw, data.byteLength));
  }
  checkLayout(source, entries, data.byteLength);
  return new SafetensorsFile(source, entries, metadata, data);
}

function parseEntry(source: string, name: string, raw: unknown, dataBytes: number): TensorEntry {
  const bad = (msg: string): never => fail(source, `tensor "${name}": ${msg}`);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) bad('its header entry is not an object');
  const r = raw as Record<string, unknown>;
  const dtype = r.dtype;
  if (typeof dtype !== 'string' || !(dtype in SAFETENSORS_DTYPES)) bad(`unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(SAFETENSORS_DTYPES).join(', ')})`);
  const shape = r.shape;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) bad(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  const off = r.data_offsets;
  if (!Array.isArray(off) || off.length !== 2 || off.some((d) => !Number.isSafeInteger(d) || d < 0)) bad(`data_offsets ${JSON.stringify(off)} is not [begin, end]`);
  const [begin, end] = off as number[];
  if (end < begin) bad(`data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataBytes) bad(`data_offsets [${begin}, ${end}] run past the end of the data (${dataBytes} bytes)`);
  const size = SAFETENSORS_DTYPES[dtype as SafetensorsDtype];
  const want = numel(shape as number[]) * size;
  if (end - begin !== want) bad(`shape [${shape}] of ${dtype} needs ${want} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`);
  return { name, dtype: dtype as SafetensorsDtype, shape: [...(shape as number[])], begin, end };
}

/** Tensors must tile the data section exactly: no overlap, no gap, nothing after the last one (as the reference reader requires). */
function checkLayout(source: string, entries: TensorEntry[], dataBytes: number): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of sorted) {
    if (e.begin !== pos) {
      fail(source, e.begin < pos
        ? `tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] overlap the previous tensor (which ends at ${pos})`
        : `tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] leave a gap after byte ${pos}`);
    }
    pos = e.end;
  }
  if (pos !== dataBytes) fail(source, `the tensors cover ${pos} bytes of data but the file has ${dataBytes} after the header`);
}

export function readSafetensors(path: string): SafetensorsFile {
  let bytes: Buffer;
  try { bytes = readFileSync(path); } catch (err) {
    throw new SafetensorsError(`cannot read ${path}: ${(err as Error).message}`);
  }
  return parseSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}

export interface TensorToWrite {
  dtype: WritableDtype;
  shape: readonly number[];
  /** F32: Float32Array (or numbers); I32/I64: Int32Array, BigInt64Array or numbers. */
  data: Float32Array | Int32Array | BigInt64Array | readonly number[];
}

/** Serialises tensors (sorted by name) and string metadata into safetensors bytes. */
export function serializeSafetensors(tensors: Readonly<Record<string, TensorToWrite>>, metadata?: Readonly<Record<string, string>>): Uint8Array {
  const names = Object.keys(tensors).sort();
  const parts: string[] = [];
  if (metadata && Object.keys(metadata).length) {
    const keys = Object.keys(metadata).sort();
    for (const k of keys) if (typeof metadata[k] !== 'string') throw new SafetensorsError(`metadata "${k}" must be a string`);
    parts.push(`"__metadata__":{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`);
  }
  let offset = 0;
  const blobs: Uint8Array[] = [];
  for (const name of names) {
    if (name === '__metadata__') throw new SafetensorsError('"__metadata__" cannot be a tensor name');
    const t = tensors[name];
    if (!(WRITABLE_DTYPES as readonly string[]).includes(t.dtype)) throw new SafetensorsError(`tensor "${name}": cannot write dtype ${t.dtype} (writable: ${WRITABLE_DTYPES.join(', ')})`);
    if (t.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new SafetensorsError(`tensor "${name}": shape [${t.shape}] is not a list of non-negative integers`);
    const n = numel(t.shape);
    if (t.data.length !== n) throw new SafetensorsError(`tensor "${name}": shape [${t.shape}] has ${n} elements but ${t.data.length} values were given`);
    const blob = encode(name, t);
    parts.push(`${JSON.stringify(name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${offset + blob.byteLength}]}`);
    offset += blob.byteLength;
    blobs.push(blob);
  }
  let header = `{${parts.join(',')}}`;
  const headerBytes0 = new TextEncoder().encode(header).byteLength;
  // pad with spaces so the data starts 8-byte aligned (as the reference writer does)
  header += ' '.repeat((8 - ((8 + headerBytes0) % 8)) % 8);
  const hb = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + hb.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(hb.byteLength), true);
  out.set(hb, 8);
  let pos = 8 + hb.byteLength;
  for (const b of blobs) { out.set(b, pos); pos += b.byteLength; }
  return out;
}

function encode(name: string, t: TensorToWrite): Uint8Array {
  const n = t.data.length;
  const out = new Uint8Array(n * SAFETENSORS_DTYPES[t.dtype]);
  const dv = new DataView(out.buffer);
  if (t.dtype === 'F32') {
    if (t.data instanceof BigInt64Array) throw new SafetensorsError(`tensor "${name}": F32 data cannot be a BigInt64Array`);
    if (t.data instanceof Float32Array && LITTLE_ENDIAN_HOST) { out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)); return out; }
    for (let i = 0; i < n; i++) dv.setFloat32(i * 4, t.data[i] as number, true);
  } else if (t.dtype === 'I32') {
    for (let i = 0; i < n; i++) {
      const v = Number(t.data[i]);
      if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) throw new SafetensorsError(`tensor "${name}": value ${v} at index ${i} is not an int32`);
      dv.setInt32(i * 4, v, true);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const x = t.data[i];
      if (typeof x === 'number' && !Number.isSafeInteger(x)) throw new SafetensorsError(`tensor "${name}": value ${x} at index ${i} is not an integer`);
      dv.setBigInt64(i * 8, BigInt(x), true);
    }
  }
  return out;
}

/** Checkpoint files are written atomically (util/fs.ts), so a reader never sees a half-written one. */
export { writeFileAtomic };

export function writeSafetensors(path: string, tensors: Readonly<Record<string, TensorToWrite>>, metadata?: Readonly<Record<string, string>>): void {
  writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}
