// A minimal, safe reader for Python pickles of plain data (protocols 0-5 in their binary opcodes: dicts, lists,
// tuples, str, bytes, ints, floats, bools, None), enough for MSVD's raw-captions.pkl (a dict of video id -> list of
// captions, each a list of word tokens), as written by Python 2 (protocol 2, BINSTRING/BINUNICODE) or Python 3
// (protocols 3-5, SHORT_BINUNICODE, FRAME, MEMOIZE). Anything that would construct objects or call code (GLOBAL,
// REDUCE, BUILD, NEWOBJ, INST, OBJ, PERSID ...) is refused with the opcode and its byte offset: a data file must never
// run code. Python 2 `str` (bytes) values are decoded as UTF-8.
import { InputError } from '../../../util/errors.js';

export type PickleValue = null | boolean | number | bigint | string | Uint8Array | PickleValue[] | Map<PickleValue, PickleValue>;

const MARK = Symbol('mark');
type StackItem = PickleValue | typeof MARK;

const NAMES: Record<number, string> = {
  0x63: 'GLOBAL', 0x93: 'STACK_GLOBAL', 0x52: 'REDUCE', 0x62: 'BUILD', 0x81: 'NEWOBJ', 0x92: 'NEWOBJ_EX', 0x69: 'INST',
  0x6f: 'OBJ', 0x50: 'PERSID', 0x51: 'BINPERSID', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4',
};

/** Parses pickle bytes; `file` names the source in errors. */
export function readPickle(bytes: Uint8Array, file: string): PickleValue {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: StackItem[] = [];
  const memo = new Map<number, PickleValue>();
  let pos = 0;
  const fail = (msg: string, at = pos): never => { throw new InputError(`${file}: ${msg} at byte ${at}`); };
  const need = (n: number) => { if (pos + n > bytes.length) fail(`truncated pickle (needs ${n} more bytes)`); };
  const u8 = () => { need(1); return bytes[pos++]; };
  const u16 = () => { need(2); const v = dv.getUint16(pos, true); pos += 2; return v; };
  const i32 = () => { need(4); const v = dv.getInt32(pos, true); pos += 4; return v; };
  const u32 = () => { need(4); const v = dv.getUint32(pos, true); pos += 4; return v; };
  const u64 = () => { need(8); const v = dv.getBigUint64(pos, true); pos += 8; if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail('length too large'); return Number(v); };
  const take = (n: number) => { need(n); const b = bytes.subarray(pos, pos + n); pos += n; return b; };
  const utf8 = (b: Uint8Array) => new TextDecoder('utf-8', { fatal: false }).decode(b);
  const line = () => { const s = pos; while (pos < bytes.length && bytes[pos] !== 0x0a) pos++; if (pos >= bytes.length) fail('unterminated text line', s); const t = utf8(bytes.subarray(s, pos)); pos++; return t; };
  const pop = (): PickleValue => {
    const v = stack.pop();
    if (v === undefined) fail('stack underflow');
    if (v === MARK) fail('unexpected MARK');
    return v as PickleValue;
  };
  const popMark = (): PickleValue[] => {
    const items: PickleValue[] = [];
    for (;;) {
      const v = stack.pop();
      if (v === undefined) fail('MARK not found');
      if (v === MARK) return items.reverse();
      items.push(v as PickleValue);
    }
  };
  const top = (): PickleValue => { const v = stack[stack.length - 1]; if (v === undefined || v === MARK) fail('no container on the stack'); return v as PickleValue; };
  const asList = (v: PickleValue, op: string): PickleValue[] => { if (!Array.isArray(v)) fail(`${op} on a non-list`); return v as PickleValue[]; };
  const asDict = (v: PickleValue, op: string): Map<PickleValue, PickleValue> => { if (!(v instanceof Map)) fail(`${op} on a non-dict`); return v as Map<PickleValue, PickleValue>; };
  const key = (k: PickleValue): PickleValue => (k instanceof Uint8Array ? utf8(k) : k);

  for (;;) {
    const at = pos;
    const op = u8();
    switch (op) {
      case 0x80: { const proto = u8(); if (proto > 5) fail(`unsupported pickle protocol ${proto}`, at); break; }   // PROTO
      case 0x95: u64(); break;                                                      // FRAME (length; data follows inline)
      case 0x2e: {                                                                  // STOP
        const v = pop();
        return v;
      }
      case 0x28: stack.push(MARK); break;                                           // MARK
      case 0x7d: stack.push(new Map()); break;                                      // EMPTY_DICT
      case 0x5d: stack.push([]); break;                                             // EMPTY_LIST
      case 0x29: stack.push([]); break;                                             // EMPTY_TUPLE (tuples as lists)
      case 0x8f: stack.push([]); break;                                             // EMPTY_SET (as a list)
      case 0x4e: stack.push(null); break;                                           // NONE
      case 0x88: stack.push(true); break;                                           // NEWTRUE
      case 0x89: stack.push(false); break;                                          // NEWFALSE
      case 0x4b: stack.push(u8()); break;                                           // BININT1
      case 0x4d: stack.push(u16()); break;                                          // BININT2
      case 0x4a: stack.push(i32()); break;                                          // BININT
      case 0x8a: {                                                                  // LONG1
        const n = u8(); const b = take(n);
        let v = 0n; for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        if (n && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: { need(8); stack.push(dv.getFloat64(pos, false)); pos += 8; break; } // BINFLOAT (big-endian)
      case 0x49: {                                                                  // INT (text)
        const t = line();
        stack.push(t === '01' ? true : t === '00' ? false : Number(t));
        break;
      }
      case 0x4c: stack.push(Number(line().replace(/L$/, ''))); break;               // LONG (text)
      case 0x46: stack.push(Number(line())); break;                                 // FLOAT (text)
      case 0x8c: stack.push(utf8(take(u8()))); break;                               // SHORT_BINUNICODE
      case 0x58: stack.push(utf8(take(u32()))); break;                              // BINUNICODE
      case 0x8d: stack.push(utf8(take(u64()))); break;                              // BINUNICODE8
      case 0x55: stack.push(take(u8()).slice()); break;                             // SHORT_BINSTRING (py2 str)
      case 0x54: { const n = i32(); if (n < 0) fail('negative BINSTRING length', at); stack.push(take(n).slice()); break; }
      case 0x43: stack.push(take(u8()).slice()); break;                             // SHORT_BINBYTES
      case 0x42: stack.push(take(u32()).slice()); break;                            // BINBYTES
      case 0x8e: stack.push(take(u64()).slice()); break;                            // BINBYTES8
      case 0x56: {                                                                  // UNICODE (text, raw-unicode-escape)
        const st = pos;
        while (pos < bytes.length && bytes[pos] !== 0x0a) pos++;
        if (pos >= bytes.length) fail('unterminated text line', st);
        const latin1 = Array.from(bytes.subarray(st, pos), (b) => String.fromCharCode(b)).join('');
        pos++;
        stack.push(latin1.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, a, b) => String.fromCodePoint(parseInt(a ?? b, 16))));
        break;
      }
      case 0x53: {                                                                  // STRING (text, quoted)
        const t = line();
        stack.push(t.length >= 2 && (t[0] === "'" || t[0] === '"') ? t.slice(1, -1) : t);
        break;
      }
      case 0x71: memo.set(u8(), top()); break;                                      // BINPUT
      case 0x72: memo.set(u32(), top()); break;                                     // LONG_BINPUT
      case 0x70: memo.set(Number(line()), top()); break;                            // PUT
      case 0x94: memo.set(memo.size, top()); break;                                 // MEMOIZE
      case 0x68: case 0x6a: case 0x67: {                                            // BINGET, LONG_BINGET, GET
        const i = op === 0x68 ? u8() : op === 0x6a ? u32() : Number(line());
        if (!memo.has(i)) fail(`memo entry ${i} was never stored`, at);
        stack.push(memo.get(i)!);
        break;
      }
      case 0x61: { const v = pop(); asList(top(), 'APPEND').push(v); break; }       // APPEND
      case 0x65: { const items = popMark(); asList(top(), 'APPENDS').push(...items); break; }
      case 0x90: { const items = popMark(); asList(top(), 'ADDITEMS').push(...items); break; }
      case 0x73: { const v = pop(); const k = pop(); asDict(top(), 'SETITEM').set(key(k), v); break; }
      case 0x75: {                                                                  // SETITEMS
        const items = popMark();
        if (items.length % 2) fail('SETITEMS with an odd number of items', at);
        const d = asDict(top(), 'SETITEMS');
        for (let i = 0; i < items.length; i += 2) d.set(key(items[i]), items[i + 1]);
        break;
      }
      case 0x64: {                                                                  // DICT (from MARK)
        const items = popMark();
        const d = new Map<PickleValue, PickleValue>();
        for (let i = 0; i + 1 < items.length; i += 2) d.set(key(items[i]), items[i + 1]);
        stack.push(d);
        break;
      }
      case 0x6c: case 0x74: case 0x91: stack.push(popMark()); break;               // LIST, TUPLE, FROZENSET
      case 0x85: stack.push([pop()]); break;                                        // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push([a, b]); break; }   // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push([a, b, c]); break; }
      case 0x30: pop(); break;                                                      // POP
      case 0x31: popMark(); break;                                                  // POP_MARK
      case 0x32: stack.push(top()); break;                                          // DUP
      default:
        fail(NAMES[op]
          ? `pickle opcode ${NAMES[op]} would construct a Python object or call code; only plain data (dicts, lists, strings, numbers) is read. Export the captions as JSON instead (see the README)`
          : `unknown pickle opcode 0x${op.toString(16)}`, at);
    }
  }
}
