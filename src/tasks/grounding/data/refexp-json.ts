// MDETR's pre-processed referring-expression annotations (mdetr_annotations/finetune_<dataset>_<split>.json, zenodo
// record 4729015): COCO-style JSON where every "image" entry is one expression on one COCO image:
//   images:      [{ id, file_name, height, width, caption, tokens_positive_eval?, dataset_name?, original_id?, ... }]
//   annotations: [{ id, image_id, bbox: [x, y, w, h] (absolute pixels), category_id, tokens_positive: [[beg, end], ...],
//                   area?, iscrowd?, ... }]
// (tokens_positive: character spans of the caption naming the box; MDETR's RefExpEvaluator asserts one annotation
// per expression.) Parsing validates every entry; an error names the file, the entry (images[i] / annotations[j] with
// its id) and what is wrong.
import { readFileSync, existsSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../../../util/errors.js';

const Span = z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]);

const ImageEntry = z.object({
  id: z.number().int(),
  file_name: z.string().min(1),
  height: z.number().positive(),
  width: z.number().positive(),
  caption: z.string(),
  tokens_positive_eval: z.array(z.array(Span)).optional(),
  dataset_name: z.string().optional(),
}).passthrough();

const AnnotationEntry = z.object({
  id: z.number().int().optional(),
  image_id: z.number().int(),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  category_id: z.number().int().optional(),
  tokens_positive: z.array(Span).optional(),
}).passthrough();

export interface RefexpExample {
  /** The expression's id (the "image" entry id). */
  id: number;
  /** COCO image file name (e.g. COCO_train2014_000000581857.jpg). */
  fileName: string;
  width: number;
  height: number;
  caption: string;
  /** Target box, COCO [x, y, w, h] in pixels of the original image. */
  bbox: [number, number, number, number];
  /** Character spans of the caption that name the target (empty: the whole caption, as MDETR falls back to). */
  tokensPositive: [number, number][];
}

function issueText(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.length ? i.path.join('.') : '(entry)'}: ${i.message}`).join('; ');
}

/** Parses one MDETR refexp annotation file (already read) into one example per expression. */
export function parseRefexpJson(text: string, file: string): RefexpExample[] {
  let raw: unknown;
  try { raw = JSON.parse(text); } catch (err) {
    throw new InputError(`${file} is not valid JSON: ${(err as Error).message}; download MDETR's mdetr_annotations.tar.gz again (zenodo record 4729015)`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(`${file}: expected a JSON object with "images" and "annotations" lists (MDETR's COCO-style refexp format)`);
  const obj = raw as Record<string, unknown>;
  for (const k of ['images', 'annotations']) {
    if (!Array.isArray(obj[k])) throw new InputError(`${file}: key "${k}" is ${obj[k] === undefined ? 'missing' : 'not a list'}; MDETR's refexp files have "images" (one entry per expression) and "annotations" (its box)`);
  }
  const images = (obj.images as unknown[]).map((e, i) => {
    const r = ImageEntry.safeParse(e);
    const id = (e as { id?: unknown } | null)?.id;
    if (!r.success) throw new InputError(`${file}: images[${i}]${id !== undefined ? ` (id ${JSON.stringify(id)})` : ''}: ${issueText(r.error)}`);
    return r.data;
  });
  const byImage = new Map<number, z.output<typeof AnnotationEntry>[]>();
  (obj.annotations as unknown[]).forEach((e, j) => {
    const r = AnnotationEntry.safeParse(e);
    const id = (e as { id?: unknown } | null)?.id;
    if (!r.success) throw new InputError(`${file}: annotations[${j}]${id !== undefined ? ` (id ${JSON.stringify(id)})` : ''}: ${issueText(r.error)}`);
    const [, , w, h] = r.data.bbox;
    if (!(w > 0 && h > 0)) throw new InputError(`${file}: annotations[${j}] (image_id ${r.data.image_id}): bbox [${r.data.bbox}] has a non-positive width or height (COCO boxes are [x, y, w, h])`);
    const list = byImage.get(r.data.image_id) ?? [];
    list.push(r.data);
    byImage.set(r.data.image_id, list);
  });
  const seen = new Set<number>();
  return images.map((im, i) => {
    const where = `${file}: images[${i}] (id ${im.id})`;
    if (seen.has(im.id)) throw new InputError(`${where}: the id is used by an earlier entry; every expression needs its own id`);
    seen.add(im.id);
    const anns = byImage.get(im.id) ?? [];
    if (anns.length !== 1) throw new InputError(`${where}: ${anns.length} annotations have image_id ${im.id}; a referring expression has exactly one box (MDETR's RefExpEvaluator asserts it)`);
    const a = anns[0];
    const [x, y, w, h] = a.bbox;
    const tol = 1.5;   // COCO boxes may overshoot the border by rounding
    if (x < -tol || y < -tol || x + w > im.width + tol || y + h > im.height + tol) {
      throw new InputError(`${where}: its box [${a.bbox}] lies outside the ${im.width}x${im.height} image`);
    }
    const spans = (a.tokens_positive ?? []) as [number, number][];
    for (const [b, e] of spans) {
      if (b >= e || e > im.caption.length) throw new InputError(`${where}: tokens_positive span [${b}, ${e}] does not fit the caption "${im.caption}" (${im.caption.length} characters)`);
    }
    return { id: im.id, fileName: im.file_name, width: im.width, height: im.height, caption: im.caption, bbox: [x, y, w, h], tokensPositive: spans };
  });
}

export function readRefexpJson(file: string): RefexpExample[] {
  if (!existsSync(file)) throw new InputError(`${file} does not exist; MDETR's annotation files come from https://zenodo.org/record/4729015 (mdetr_annotations.tar.gz)`);
  return parseRefexpJson(readFileSync(file, 'utf8'), file);
}
