// Parquet files of the Hugging Face `glue` dataset, read with hyparquet. Every error names the file and, for
// bad values, the 0-based row index.
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { InputError } from '../../../util/errors.js';

export interface ParquetTable { path: string; columns: string[]; rows: Record<string, unknown>[] }

export async function readParquet(path: string): Promise<ParquetTable> {
  try {
    const file = await asyncBufferFromFile(path);
    const meta = await parquetMetadataAsync(file);
    const columns = parquetSchema(meta).children.map((c) => c.element.name);
    const rows = await parquetReadObjects({ file, metadata: meta });
    return { path, columns, rows };
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${path}: cannot read it as Parquet: ${(e as Error).message}`);
  }
}

export function requireColumns(t: ParquetTable, names: readonly string[]): void {
  for (const n of names) {
    if (!t.columns.includes(n)) throw new InputError(`${t.path}: no "${n}" column (it has: ${t.columns.join(', ')}); expected the Hugging Face glue columns ${names.join(', ')}`);
  }
}

export function stringCell(t: ParquetTable, row: number, col: string): string {
  const v = t.rows[row][col];
  if (typeof v !== 'string') throw new InputError(`${t.path}: row ${row}: column "${col}" should be a string, found ${v === null || v === undefined ? 'null' : typeof v}`);
  return v;
}

export function numberCell(t: ParquetTable, row: number, col: string): number {
  const v = t.rows[row][col];
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`${t.path}: row ${row}: column "${col}" should be a number, found ${v === null || v === undefined ? 'null' : JSON.stringify(v)}`);
  return v;
}
