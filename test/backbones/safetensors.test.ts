import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseSafetensors, serializeSafetensors, readSafetensors, writeSafetensors, halfToFloat, SafetensorsError,
} from '../../src/backbones/hf/safetensors.js';

/** Builds safetensors bytes by hand: 8-byte LE header length, the header text, the data. */
function craft(header: unknown, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function le(bytesPer: number, values: number[], set: (dv: DataView, o: number, v: number) => void): Uint8Array {
  const b = new Uint8Array(values.length * bytesPer);
  const dv = new DataView(b.buffer);
  values.forEach((v, i) => set(dv, i * bytesPer, v));
  return b;
}

test('F32, I32 and I64 round trip with metadata', () => {
  const f32 = new Float32Array([1.5, -2.25, 3e-8, 1e30, 0, -0]);
  const bytes = serializeSafetensors({
    'a.weight': { dtype: 'F32', shape: [2, 3], data: f32 },
    'b.ids': { dtype: 'I64', shape: [4], data: [0, 1, -5, 2147483647] },
    'c.i32': { dtype: 'I32', shape: [1, 2], data: new Int32Array([-2147483648, 7]) },
    scalar: { dtype: 'F32', shape: [], data: [42] },
    empty: { dtype: 'F32', shape: [0, 3], data: [] },
  }, { format: 'pt', note: 'héllo' });
  const f = parseSafetensors(bytes, 'mem.safetensors');
  assert.deepEqual(f.metadata, { format: 'pt', note: 'héllo' });
  assert.deepEqual(f.names, ['a.weight', 'b.ids', 'c.i32', 'empty', 'scalar']);
  const a = f.get('a.weight');
  assert.equal(a.dtype, 'float32');
  assert.deepEqual(a.shape, [2, 3]);
  assert.deepEqual(Array.from(a.data), Array.from(f32));
  assert.ok(Object.is(a.data[5], -0));
  const b = f.get('b.ids');
  assert.equal(b.dtype, 'int32');
  assert.equal(b.sourceDtype, 'I64');
  assert.deepEqual(Array.from(b.data), [0, 1, -5, 2147483647]);
  assert.deepEqual(Array.from(f.get('c.i32').data), [-2147483648, 7]);
  assert.deepEqual(f.get('scalar').shape, []);
  assert.deepEqual(Array.from(f.get('scalar').data), [42]);
  assert.equal(f.get('empty').data.length, 0);
});

test('the header is space-padded so the data starts 8-byte aligned, and I64 bytes are little-endian two\'s complement', () => {
  const bytes = serializeSafetensors({ x: { dtype: 'I64', shape: [2], data: [-1, 258] } });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + n) % 8, 0);
  const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  assert.match(header, /^\{.*\} *$/);
  assert.deepEqual(JSON.parse(header), { x: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } });
  assert.deepEqual(Array.from(bytes.subarray(8 + n)), [255, 255, 255, 255, 255, 255, 255, 255, 2, 1, 0, 0, 0, 0, 0, 0]);
});

test('output is deterministic: the same tensors in any insertion order give identical bytes, keys sorted', () => {
  const t1 = { dtype: 'F32' as const, shape: [2], data: [1, 2] };
  const t2 = { dtype: 'F32' as const, shape: [1], data: [3] };
  const a = serializeSafetensors({ 'z.w': t1, 'a.w': t2, '10': t2 }, { b: '1', a: '2' });
  const b = serializeSafetensors({ '10': t2, 'a.w': t2, 'z.w': t1 }, { a: '2', b: '1' });
  assert.deepEqual(a, b);
  const f = parseSafetensors(a, 'x');
  // data laid out in sorted-name order ('10' < 'a.w' < 'z.w'; an integer-like name is not moved first by JSON)
  assert.deepEqual(f.entries.map((e) => [e.name, e.begin]), [['10', 0], ['a.w', 4], ['z.w', 8]]);
});

test('F16, BF16, F64 and small integer dtypes decode to the hand-computed values', () => {
  // half: 1, -2, 65504 (max), 2^-24 (smallest subnormal), +inf, 0.333251953125 (0x3555)
  const f16 = le(2, [0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x3555], (dv, o, v) => dv.setUint16(o, v, true));
  // bfloat16: 1, 3.140625 (0x4049), -0.5 (0xbf00)
  const bf16 = le(2, [0x3f80, 0x4049, 0xbf00], (dv, o, v) => dv.setUint16(o, v, true));
  const f64 = le(8, [0.1, -1e300], (dv, o, v) => dv.setFloat64(o, v, true));
  const i8 = new Uint8Array([0xff, 0x7f, 0x80]);
  const u8 = new Uint8Array([0, 200]);
  const bool = new Uint8Array([1, 0, 1]);
  const parts = [['h', 'F16', [6], f16], ['bf', 'BF16', [3], bf16], ['d', 'F64', [2], f64], ['i8', 'I8', [3], i8], ['u8', 'U8', [2], u8], ['ok', 'BOOL', [3], bool]] as const;
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const [name, dtype, shape, data] of parts) { header[name] = { dtype, shape, data_offsets: [off, off + data.length] }; off += data.length; }
  const data = new Uint8Array(off);
  off = 0;
  for (const [, , , d] of parts) { data.set(d, off); off += d.length; }
  // the data section starts at an odd offset here: the reader must not rely on alignment
  const f = parseSafetensors(craft(header, data), 'dtypes.safetensors');
  assert.deepEqual(Array.from(f.getFloat('h')), [1, -2, 65504, 2 ** -24, Infinity, 0.333251953125]);
  assert.deepEqual(Array.from(f.getFloat('bf')), [1, 3.140625, -0.5]);
  assert.deepEqual(Array.from(f.getFloat('d')), [Math.fround(0.1), -Infinity]);
  assert.deepEqual(Array.from(f.get('i8').data), [-1, 127, -128]);
  assert.deepEqual(Array.from(f.get('u8').data), [0, 200]);
  assert.deepEqual(Array.from(f.get('ok').data), [1, 0, 1]);
  assert.ok(Number.isNaN(halfToFloat(0x7e00)));
  assert.equal(halfToFloat(0x8000), -0);
});

test('an I64 value outside int32 is an error naming the file, the tensor and the index', () => {
  const d = le(8, [0, 0], () => undefined);
  new DataView(d.buffer).setBigInt64(8, 2n ** 40n, true);
  const f = parseSafetensors(craft({ pos: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, d), 'big.safetensors');
  assert.throws(() => f.get('pos'), /big\.safetensors: tensor "pos": I64 value at index 1 \(1099511627776\) does not fit in int32/);
});

test('an undecodable dtype fails only when that tensor is asked for, naming it', () => {
  const f = parseSafetensors(craft({ q: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] }, w: { dtype: 'F32', shape: [1], data_offsets: [2, 6] } }, new Uint8Array(6)), 'q.safetensors');
  assert.deepEqual(Array.from(f.getFloat('w')), [0]);
  assert.throws(() => f.get('q'), /q\.safetensors: tensor "q" has dtype F8_E4M3/);
  assert.throws(() => f.getFloat('missing'), /q\.safetensors: no tensor "missing"/);
});

test('corrupt headers and offsets are errors naming the file (and the tensor)', () => {
  const src = 'bad.safetensors';
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(5), /bad\.safetensors: only 5 bytes/],
    [(() => { const b = new Uint8Array(16); new DataView(b.buffer).setBigUint64(0, 1000n, true); return b; })(), /header length 1000 runs past the end/],
    [(() => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, 2n ** 60n, true); return b; })(), /exceeds the 100000000-byte limit/],
    [craft('{"a": {"dtype": "F32",'), /the JSON header does not parse/],
    [craft('[1,2]'), /does not start with "\{"/],
    [craft({ a: { dtype: 'F99', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), /tensor "a": unknown dtype "F99"/],
    [craft({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), /tensor "a": shape \[-1\] is not a list/],
    [craft({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)), /tensor "a": shape \[2\] of F32 needs 8 bytes but data_offsets \[0, 4\] span 4/],
    [craft({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(4)), /tensor "a": data_offsets \[0, 8\] run past the end of the data \(4 bytes\)/],
    [craft({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, new Uint8Array(4)), /tensor "a": data_offsets \[4, 0\] end before they begin/],
    [craft({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)), /tensor "b": data_offsets \[4, 8\] overlap/],
    [craft({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)), /tensor "a": data_offsets \[4, 8\] leave a gap after byte 0/],
    [craft({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(12)), /cover 4 bytes of data but the file has 12/],
    [craft({ a: { dtype: 'F32', shape: [1] } }, new Uint8Array(4)), /tensor "a": data_offsets undefined is not \[begin, end\]/],
    [craft({ __metadata__: { format: 1 } }), /"__metadata__" key "format" is not a string/],
  ];
  for (const [bytes, re] of cases) {
    assert.throws(() => parseSafetensors(bytes, src), (err: Error) => {
      assert.ok(err instanceof SafetensorsError, `${err}`);
      assert.match(err.message, /^bad\.safetensors: /);
      assert.match(err.message, re);
      return true;
    });
  }
});

test('the writer rejects inconsistent input', () => {
  assert.throws(() => serializeSafetensors({ a: { dtype: 'F32', shape: [2, 2], data: [1, 2, 3] } }), /tensor "a": shape \[2,2\] has 4 elements but 3 values/);
  assert.throws(() => serializeSafetensors({ a: { dtype: 'I32', shape: [1], data: [1.5] } }), /tensor "a": value 1\.5 at index 0 is not an int32/);
  assert.throws(() => serializeSafetensors({ a: { dtype: 'F16' as never, shape: [1], data: [1] } }), /cannot write dtype F16/);
});

test('file round trip is atomic (no temporary file left) and a read error names the path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-'));
  try {
    const p = join(dir, 'model.safetensors');
    writeSafetensors(p, { w: { dtype: 'F32', shape: [3], data: [1, 2, 3] } }, { format: 'pt' });
    writeSafetensors(p, { w: { dtype: 'F32', shape: [2], data: [4, 5] } }, { format: 'pt' });   // overwrite
    assert.deepEqual(readdirSync(dir), ['model.safetensors']);
    const f = readSafetensors(p);
    assert.equal(f.source, p);
    assert.deepEqual(Array.from(f.getFloat('w')), [4, 5]);
    writeFileSync(join(dir, 'trunc.safetensors'), new Uint8Array(3));
    assert.throws(() => readSafetensors(join(dir, 'trunc.safetensors')), new RegExp(`${join(dir, 'trunc.safetensors').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: only 3 bytes`));
    assert.throws(() => readSafetensors(join(dir, 'nope.safetensors')), /cannot read .*nope\.safetensors/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
