// A small RFC 4180 CSV reader (quoted fields, doubled quotes, commas and newlines inside quotes, CRLF), as pandas
// writes MSR-VTT's split files. Rows carry their 1-based line number for error messages.
import { InputError } from '../../../util/errors.js';

export interface CsvTable { header: string[]; rows: { line: number; cells: string[] }[] }

export function parseCsv(text: string, file: string): CsvTable {
  const records: { line: number; cells: string[] }[] = [];
  let cells: string[] = [], cell = '', quoted = false, line = 1, start = 1, i = 0;
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const endRecord = () => { cells.push(cell); records.push({ line: start, cells }); cells = []; cell = ''; };
  while (i < s.length) {
    const ch = s[i];
    if (quoted) {
      if (ch === '"') {
        if (s[i + 1] === '"') { cell += '"'; i += 2; continue; }
        quoted = false; i++; continue;
      }
      if (ch === '\n') line++;
      cell += ch; i++; continue;
    }
    if (ch === '"') {
      if (cell !== '') throw new InputError(`${file}, line ${line}: a quote inside an unquoted field; quote the whole field ("...") and double inner quotes`);
      quoted = true; i++; continue;
    }
    if (ch === ',') { cells.push(cell); cell = ''; i++; continue; }
    if (ch === '\r' && s[i + 1] === '\n') { i++; continue; }
    if (ch === '\n') { endRecord(); line++; start = line; i++; continue; }
    cell += ch; i++;
  }
  if (quoted) throw new InputError(`${file}, line ${start}: a quoted field is never closed`);
  if (cell !== '' || cells.length) endRecord();
  const nonEmpty = records.filter((r) => !(r.cells.length === 1 && r.cells[0].trim() === ''));
  if (!nonEmpty.length) throw new InputError(`${file} is empty; it needs a header row`);
  const [head, ...rows] = nonEmpty;
  for (const r of rows) {
    if (r.cells.length !== head.cells.length) {
      throw new InputError(`${file}, line ${r.line}: ${r.cells.length} fields, but the header has ${head.cells.length} (${head.cells.join(', ')})`);
    }
  }
  return { header: head.cells.map((h) => h.trim()), rows };
}

/** Index of a named column; error naming the file and the columns it has. */
export function column(t: CsvTable, name: string, file: string): number {
  const i = t.header.indexOf(name);
  if (i < 0) throw new InputError(`${file}: no "${name}" column; the header has: ${t.header.map((h) => JSON.stringify(h)).join(', ')}`);
  return i;
}
