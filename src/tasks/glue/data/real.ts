// Real GLUE data from a local folder, in either layout users have:
//   (a) the GLUE distribution's TSV folders (CoLA/train.tsv ...; MRPC may instead hold the raw
//       msr_paraphrase_train.txt + dev_ids.tsv that GLUE's download script turns into train/dev);
//   (b) the Hugging Face `glue` dataset's Parquet files (<config>/train-00000-of-00001.parquet,
//       validation-*.parquet; MNLI validation_matched-* / validation_mismatched-*).
// The path may be the task's folder or a root holding it (CoLA/ or cola/).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../../util/errors.js';
import { glueSourceHint, type GlueExample, type GlueTaskId, type GlueTaskSchema } from './schema.js';
import { checkFieldCount, columnIndexes, readTsv, type TsvFile, type TsvRow } from './tsv.js';
import { numberCell, readParquet, requireColumns, stringCell } from './parquet.js';
import type { RawSets } from './splits.js';

export type RealLayout = 'tsv' | 'parquet' | 'msr';
export interface SkippedRow { file: string; line: number; reason: string }
export interface RealRaw { raw: RawSets; layout: RealLayout; folder: string; files: string[]; skipped: SkippedRow[] }

type LabelKind = 'int' | 'name' | 'score';
interface TsvSpec { text: readonly (string | number)[]; label: string | number; kind: LabelKind; fieldCount?: number }
/** Column names (or, for header-less CoLA, positions) in the GLUE distribution's TSV files. */
const TSV_SPECS: Record<GlueTaskId, TsvSpec> = {
  'glue-cola': { text: [3], label: 1, kind: 'int', fieldCount: 4 },
  'glue-sst2': { text: ['sentence'], label: 'label', kind: 'int' },
  'glue-mrpc': { text: ['#1 String', '#2 String'], label: 'Quality', kind: 'int' },
  'glue-qqp': { text: ['question1', 'question2'], label: 'is_duplicate', kind: 'int' },
  'glue-stsb': { text: ['sentence1', 'sentence2'], label: 'score', kind: 'score' },
  'glue-mnli': { text: ['sentence1', 'sentence2'], label: 'gold_label', kind: 'name' },
  'glue-qnli': { text: ['question', 'sentence'], label: 'label', kind: 'name' },
  'glue-rte': { text: ['sentence1', 'sentence2'], label: 'label', kind: 'name' },
};

/** Raw set name -> TSV file name and HF split name. */
function setFiles(schema: GlueTaskSchema): { set: keyof RawSets; tsv: string; split: string }[] {
  if (schema.splitRule === 'mnli') {
    return [
      { set: 'train', tsv: 'train.tsv', split: 'train' },
      { set: 'dev_matched', tsv: 'dev_matched.tsv', split: 'validation_matched' },
      { set: 'dev_mismatched', tsv: 'dev_mismatched.tsv', split: 'validation_mismatched' },
    ];
  }
  return [{ set: 'train', tsv: 'train.tsv', split: 'train' }, { set: 'dev', tsv: 'dev.tsv', split: 'validation' }];
}

function parseLabel(schema: GlueTaskSchema, kind: LabelKind, v: string, where: string): number {
  if (kind === 'score') {
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x) || x < 0 || x > 5) throw new InputError(`${where}: the similarity score "${v}" is not a number in [0, 5]`);
    return x;
  }
  const labels = schema.labels!;
  if (kind === 'name') {
    const i = labels.indexOf(v);
    if (i < 0) throw new InputError(`${where}: unknown label "${v}"; ${schema.name} labels are ${labels.join(', ')}`);
    return i;
  }
  if (!/^\d+$/.test(v) || Number(v) >= labels.length) throw new InputError(`${where}: the label "${v}" is not one of ${labels.map((_, i) => i).join(', ')} (${labels.join(', ')})`);
  return Number(v);
}

function example(schema: GlueTaskSchema, idx: number, texts: string[], label: number): GlueExample {
  const ex: Record<string, string | number> = { idx, label };
  schema.fields.forEach((f, i) => { ex[f] = texts[i]; });
  return ex as unknown as GlueExample;
}

function tsvExamples(schema: GlueTaskSchema, path: string, skipped: SkippedRow[]): GlueExample[] {
  const spec = TSV_SPECS[schema.id];
  const out: GlueExample[] = [];
  let cols: number[] | null = null;
  readTsv(path, { header: schema.id !== 'glue-cola' }, (f, row) => {
    cols ??= f.header ? columnIndexes(f, [...(spec.text as string[]), spec.label as string]) : [...(spec.text as number[]), spec.label as number];
    const expected = spec.fieldCount ?? f.header!.length;
    // GLUE's QQP train.tsv has a few broken rows with missing fields; Hugging Face's glue loader drops them
    // ("corrupted rows"), and so do we, reporting each one. Anything else malformed is an error.
    if (schema.id === 'glue-qqp' && row.fields.length < expected) { skipped.push({ file: f.path, line: row.line, reason: `${row.fields.length} of ${expected} fields` }); return; }
    checkFieldCount(f, row, expected);
    out.push(tsvRow(schema, spec.kind, f, row, cols.slice(0, -1), cols[cols.length - 1], out.length));
  });
  return out;
}

function tsvRow(schema: GlueTaskSchema, kind: LabelKind, f: TsvFile, row: TsvRow, textCols: number[], labelCol: number, idx: number): GlueExample {
  const where = `${f.path}:${row.line}`;
  const texts = textCols.map((c) => row.fields[c]);
  texts.forEach((t, i) => { if (t.trim() === '') throw new InputError(`${where}: the ${schema.fields[i]} text is empty`); });
  return example(schema, idx, texts, parseLabel(schema, kind, row.fields[labelCol], where));
}

// ---- folder resolution --------------------------------------------------------------------------------------

const isDir = (p: string) => { try { return statSync(p).isDirectory(); } catch { return false; } };

/** The Parquet files of one HF split in `dir`: <split>-*.parquet or <split>.parquet or <split>/*.parquet, sorted. */
export function parquetFiles(dir: string, split: string): string[] {
  const names = readdirSync(dir);
  const direct = names.filter((n) => n === `${split}.parquet` || (n.startsWith(`${split}-`) && n.endsWith('.parquet'))).sort().map((n) => join(dir, n));
  if (direct.length) return direct;
  const sub = join(dir, split);
  return isDir(sub) ? readdirSync(sub).filter((n) => n.endsWith('.parquet')).sort().map((n) => join(sub, n)) : [];
}

function expectedLayout(schema: GlueTaskSchema): string {
  const tsv = setFiles(schema).map((s) => s.tsv).join(', ');
  const pq = setFiles(schema).map((s) => `${s.split}-00000-of-00001.parquet`).join(', ');
  return `either ${schema.glueDir}/{${tsv}} (GLUE distribution) or ${schema.hfConfig}/{${pq}} (Hugging Face glue Parquet)`;
}

export function resolveRealFolder(schema: GlueTaskSchema, path: string): { dir: string; layout: RealLayout } {
  if (!existsSync(path)) throw new InputError(`the GLUE data folder ${path} does not exist; expected ${expectedLayout(schema)} in it or under it; ${glueSourceHint(schema)}`);
  if (!isDir(path)) throw new InputError(`${path} is not a folder; pass the GLUE root or the ${schema.name} folder`);
  const candidates = [path, join(path, schema.glueDir), join(path, schema.hfConfig)].filter(isDir);
  const sets = setFiles(schema);
  for (const dir of candidates) {
    if (existsSync(join(dir, 'train.tsv'))) return { dir, layout: 'tsv' };
    if (schema.id === 'glue-mrpc' && existsSync(join(dir, 'msr_paraphrase_train.txt'))) return { dir, layout: 'msr' };
    if (parquetFiles(dir, sets[0].split).length) return { dir, layout: 'parquet' };
  }
  throw new InputError(`no ${schema.name} data found in ${path}: expected ${expectedLayout(schema)}, in ${path} itself or in ${join(path, schema.glueDir)} / ${join(path, schema.hfConfig)}; ${glueSourceHint(schema)}`);
}

// ---- loaders ------------------------------------------------------------------------------------------------

function loadTsvLayout(schema: GlueTaskSchema, dir: string, files: string[], skipped: SkippedRow[]): RawSets {
  const raw: Partial<RawSets> = {};
  for (const s of setFiles(schema)) {
    const p = join(dir, s.tsv);
    if (!existsSync(p)) throw new InputError(`${dir}: ${s.tsv} is missing (found train.tsv, so this looks like the GLUE distribution's ${schema.glueDir} folder, which has ${setFiles(schema).map((x) => x.tsv).join(', ')}); ${glueSourceHint(schema)}`);
    files.push(p);
    raw[s.set] = tsvExamples(schema, p, skipped);
  }
  return raw as RawSets;
}

/** MRPC from the raw Microsoft files: GLUE's dev set is the msr_paraphrase_train rows listed in dev_ids.tsv. */
function loadMsrLayout(schema: GlueTaskSchema, dir: string, files: string[]): RawSets {
  const trainPath = join(dir, 'msr_paraphrase_train.txt');
  const idsPath = join(dir, 'dev_ids.tsv');
  if (!existsSync(idsPath)) {
    throw new InputError(`${dir}: has msr_paraphrase_train.txt but no dev_ids.tsv; GLUE's MRPC dev split is the rows listed in dev_ids.tsv (from GLUE's download script, https://dl.fbaipublicfiles.com/glue/data/mrpc_dev_ids.tsv), or use the train.tsv/dev.tsv it produces`);
  }
  files.push(trainPath, idsPath);
  const dev = new Set<string>();
  readTsv(idsPath, { header: false }, (f, r) => { checkFieldCount(f, r, 2); dev.add(`${r.fields[0]}\t${r.fields[1]}`); });
  const raw: RawSets = { train: [], dev: [] };
  let cols: number[] | null = null;
  readTsv(trainPath, { header: true }, (f, row) => {
    cols ??= columnIndexes(f, ['#1 ID', '#2 ID', '#1 String', '#2 String', 'Quality']);
    checkFieldCount(f, row);
    const key = `${row.fields[cols[0]]}\t${row.fields[cols[1]]}`;
    const target = dev.has(key) ? raw.dev! : raw.train;
    target.push(tsvRow(schema, 'int', f, row, [cols[2], cols[3]], cols[4], target.length));
  });
  if (!raw.dev!.length) throw new InputError(`${idsPath}: none of its ${dev.size} id pairs occurs in ${trainPath}; is it the MRPC dev_ids.tsv?`);
  return raw;
}

async function loadParquetLayout(schema: GlueTaskSchema, dir: string, files: string[]): Promise<RawSets> {
  const raw: Partial<RawSets> = {};
  for (const s of setFiles(schema)) {
    const paths = parquetFiles(dir, s.split);
    if (!paths.length) throw new InputError(`${dir}: no Parquet file for the "${s.split}" split (expected ${s.split}-00000-of-00001.parquet); ${glueSourceHint(schema)}`);
    const out: GlueExample[] = [];
    for (const p of paths) {
      files.push(p);
      const t = await readParquet(p);
      requireColumns(t, [...schema.fields, 'label']);
      for (let r = 0; r < t.rows.length; r++) {
        const texts = schema.fields.map((f) => stringCell(t, r, f));
        const label = numberCell(t, r, 'label');
        if (schema.isRegression) {
          if (label < 0 || label > 5) throw new InputError(`${p}: row ${r}: the similarity score ${label} is outside [0, 5]`);
        } else if (!Number.isInteger(label) || label < 0 || label >= schema.labels!.length) {
          const hint = label === -1 ? ' (-1 marks the unlabelled GLUE test split; use train and validation files)' : '';
          throw new InputError(`${p}: row ${r}: label ${label} is not one of 0..${schema.labels!.length - 1} (${schema.labels!.join(', ')})${hint}`);
        }
        // HF stores STS-B scores as float32 (3.8 -> 3.7999999523); GLUE's scores have at most 3 decimals
        out.push(example(schema, out.length, texts, schema.isRegression ? Math.round(label * 1e5) / 1e5 : label));
      }
    }
    raw[s.set] = out;
  }
  return raw as RawSets;
}

export async function loadRealRaw(schema: GlueTaskSchema, path: string): Promise<RealRaw> {
  const { dir, layout } = resolveRealFolder(schema, path);
  const files: string[] = [];
  const skipped: SkippedRow[] = [];
  const raw = layout === 'tsv' ? loadTsvLayout(schema, dir, files, skipped)
    : layout === 'msr' ? loadMsrLayout(schema, dir, files)
      : await loadParquetLayout(schema, dir, files);
  return { raw, layout, folder: dir, files, skipped };
}
