// A YAML file kept with its document, so a problem found later (by zod or by the planner) can be reported with the
// file, line and key it comes from.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { InputError } from '../util/errors.js';

export type YamlPath = readonly (string | number)[];

export class ExperimentFileError extends InputError {
  constructor(message: string) { super(message); }
}

/** "a.b[2].c" */
export function formatPath(path: YamlPath): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out || '(top level)';
}

export class YamlSource {
  private constructor(readonly file: string, readonly doc: Document.Parsed, private readonly lines: LineCounter) {}

  static read(file: string): YamlSource {
    let text: string;
    try { text = readFileSync(file, 'utf8'); } catch (e) { throw new ExperimentFileError(`${file}: cannot read: ${(e as Error).message}`); }
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const src = new YamlSource(file, doc, lines);
    if (doc.errors.length) {
      throw new ExperimentFileError(doc.errors.map((e) => `${src.where(e.pos[0])}: YAML syntax error: ${e.message.split('\n')[0]}`).join('\n'));
    }
    return src;
  }

  get displayName(): string {
    const rel = relative(process.cwd(), this.file);
    return rel && !rel.startsWith('..') ? rel : this.file;
  }

  toJS(): unknown { return this.doc.toJS({ maxAliasCount: 100 }); }

  private where(offset: number): string {
    const { line, col } = this.lines.linePos(offset);
    return `${this.displayName}:${line}:${col}`;
  }

  /** Source offset of the value at `path` (or of the key `key` inside it); falls back to the nearest ancestor. */
  private offsetOf(path: YamlPath, key?: string): number {
    let node: unknown = this.doc.contents;
    let offset = (node as { range?: number[] } | null)?.range?.[0] ?? 0;
    const steps: (string | number)[] = key === undefined ? [...path] : [...path, key];
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      const isKeyStep = key !== undefined && i === steps.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
        if (!pair) break;
        const k = pair.key as { range?: number[] };
        if (isKeyStep) return k.range?.[0] ?? offset;
        node = pair.value;
        offset = (node as { range?: number[] } | null)?.range?.[0] ?? k.range?.[0] ?? offset;
      } else if (isSeq(node) && typeof step === 'number') {
        const item = node.items[step];
        if (!item) break;
        node = item;
        offset = (item as { range?: number[] }).range?.[0] ?? offset;
      } else break;
    }
    return offset;
  }

  /** "file:line:col: key.path: message" */
  at(path: YamlPath, message: string, key?: string): string {
    return `${this.where(this.offsetOf(path, key))}: ${formatPath(key === undefined ? path : [...path, key])}: ${message}`;
  }

  error(path: YamlPath, message: string, key?: string): ExperimentFileError {
    return new ExperimentFileError(this.at(path, message, key));
  }
}
