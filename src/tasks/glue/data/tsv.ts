// GLUE's TSV files: tab-separated, quotes not special (Python's csv.QUOTE_NONE, as the GLUE loaders read them),
// UTF-8 with an optional byte-order mark, \n or \r\n line ends. Every error names the file and the 1-based line.
// Rows are handed to a callback one at a time (MNLI's train.tsv is ~300 MB with its parse-tree columns; only the
// needed fields should be kept).
import { readFileSync } from 'node:fs';
import { InputError } from '../../../util/errors.js';

export interface TsvRow { line: number; fields: string[] }
export interface TsvFile { path: string; header: string[] | null }

export function readTsv(path: string, opts: { header: boolean }, onRow: (f: TsvFile, row: TsvRow) => void): TsvFile {
  let buf: Buffer;
  try { buf = readFileSync(path); } catch (e) { throw new InputError(`cannot read ${path}: ${(e as Error).message}`); }
  let pos = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  // the trailing newline(s) end the file; an empty line before real content is an error
  let end = buf.length;
  while (end > pos && (buf[end - 1] === 0x0a || buf[end - 1] === 0x0d)) end--;
  const file: TsvFile = { path, header: null };
  if (opts.header && pos >= end) throw new InputError(`${path}: the file is empty; expected a header line`);
  let line = 0;
  while (pos < end) {
    let nl = buf.indexOf(0x0a, pos);
    if (nl < 0 || nl > end) nl = end;
    const stop = nl > pos && buf[nl - 1] === 0x0d ? nl - 1 : nl;
    const text = buf.toString('utf8', pos, stop);
    line++;
    pos = nl + 1;
    if (line === 1 && opts.header) { file.header = text.split('\t'); continue; }
    if (text === '') throw new InputError(`${path}:${line}: empty line inside the file`);
    onRow(file, { line, fields: text.split('\t') });
  }
  return file;
}

/** Column indexes for the named columns of a headed file; an error lists what the header has. */
export function columnIndexes(f: TsvFile, names: readonly string[]): number[] {
  const h = f.header!;
  return names.map((n) => {
    const i = h.indexOf(n);
    if (i < 0) throw new InputError(`${f.path}:1: the header has no "${n}" column (it has: ${h.join(', ')}); expected the GLUE layout with columns ${names.join(', ')}`);
    return i;
  });
}

/** Every row must have exactly the header's (or `expected`) number of fields: a stray tab or a cut line is an error. */
export function checkFieldCount(f: TsvFile, row: TsvRow, expected = f.header?.length ?? 0): void {
  if (row.fields.length !== expected) {
    throw new InputError(`${f.path}:${row.line}: expected ${expected} tab-separated fields, found ${row.fields.length} (a stray tab inside a text, or a truncated line)`);
  }
}
