// What a frozen mini encoder's features carry for each mini GLUE classification task: a linear probe (multinomial
// logistic regression, full batch, Adam) on the mean-pooled last encoder layer, trained on the task's training split
// and scored on its test split beside the best constant prediction. text-mini reads the encoder path's input
// (sentence pairs as two segments); t5-mini's encoder reads the text-to-text source (LST's task prefix and fields).
// STS-B (regression) is left out. For a T5 backbone the bench also decodes the test split with the frozen model as it
// is (greedy, no training: what the pretraining mixture alone gives, "frozen decode"). Last, the lexicon probe
// (bench/lexicon-probe.ts): the rare lemmas' morphology read from each checkpoint's input embeddings. Usage: node dist/bench/glue-probe.js [--backbones text-mini,t5-mini] [--tasks a,b]
// [--steps 300] [--json]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { tf, type Tensor } from '../src/engine/tf.js';
import { initBackend } from '../src/engine/backend.js';
import { projectRoot } from '../src/train/env.js';
import { Rng } from '../src/engine/rng.js';
import { GLUE_TASK_IDS, loadGlue, exampleTexts, glueSchema, MINI_MAX_TOKENS, type GlueExample, type GlueTaskId } from '../src/tasks/glue/data/index.js';
import { GLUE_DATA_SEED } from '../src/tasks/glue/family.js';
import { computeGlueMetrics } from '../src/tasks/glue/metrics.js';
import { encodeSplit, sequentialBatches } from '../src/tasks/glue/batches.js';
import { loadTokenizer } from '../src/data/tokenizer/index.js';
import { loadTextEncoder } from '../src/backbones/text/checkpoint.js';
import { loadT5 } from '../src/backbones/t5/checkpoint.js';
import { loadT5Tokenizer } from '../src/backbones/t5/tokenizer.js';
import { t5GlueMetrics } from '../src/tasks/glue-t5/format.js';
import { greedyDecode, t5Decodable } from '../src/backbones/t5/generate.js';
import { encodeExample, makeBatch, maxTargetTokens } from '../src/tasks/glue-t5/run.js';
import type { Seq2SeqBatch } from '../src/tasks/glue-t5/model.js';
import { lexiconProbeSets } from './lexicon-probe.js';

const { values } = parseArgs({ options: {
  backbones: { type: 'string', default: 'text-mini,t5-mini' },
  tasks: { type: 'string', default: GLUE_TASK_IDS.filter((t) => t !== 'glue-stsb').join(',') },
  steps: { type: 'string', default: '300' }, json: { type: 'boolean', default: false },
} });
const log = (s: string) => process.stderr.write(`${s}\n`);
const BATCH = 64;
const ctx = { training: false } as const;

/** Mean-pooled features [n, H] of a list of examples, for one backbone. */
type Featurizer = ((task: GlueTaskId, xs: GlueExample[]) => Promise<Float32Array[]>) & {
  /** T5 only: the frozen model's greedy decodes of the examples (strings). */
  decode?: (task: GlueTaskId, xs: GlueExample[]) => string[];
};

const meanPool = (last: Tensor, mask: Tensor): Tensor => {
  const m = tf.expandDims(tf.cast(mask, 'float32'), 2);
  return tf.div(tf.sum(tf.mul(last, m), 1), tf.maximum(tf.sum(m, 1), 1));
};

async function rowsOf(pooled: Tensor): Promise<Float32Array[]> {
  const [n, h] = pooled.shape as number[];
  const v = await pooled.data() as Float32Array;
  return Array.from({ length: n }, (_, i) => v.slice(i * h, (i + 1) * h));
}

async function textMiniFeaturizer(dir: string): Promise<Featurizer> {
  const tok = await loadTokenizer(dir);
  const { encoder } = loadTextEncoder(dir, { seed: 0 });
  const maxLength = Math.min(encoder.maxLength, MINI_MAX_TOKENS + 4);
  return async (task, xs) => {
    const schema = glueSchema(task);
    const texts = xs.map((x) => exampleTexts(schema, x));
    const s = texts[0]?.length === 2 ? encodeSplit(tok, texts.map((t) => [t[0], t[1]!] as const), xs.map(() => 0), maxLength) : encodeSplit(tok, texts.map((t) => t[0]), xs.map(() => 0), maxLength);
    const out: Float32Array[] = [];
    for (const rows of sequentialBatches(s.n, BATCH)) {
      const pick = (a: Int32Array) => tf.tensor2d(rows.flatMap((r) => Array.from(a.subarray(r * s.T, (r + 1) * s.T))), [rows.length, s.T], 'int32');
      const pooled = tf.tidy(() => {
        const o = encoder.forward({ ids: pick(s.ids), mask: pick(s.mask), typeIds: pick(s.typeIds) }, { ...ctx, rng: new Rng(0) });
        return meanPool(o.last, o.mask);
      });
      out.push(...await rowsOf(pooled)); pooled.dispose();
    }
    return out;
  };
}

async function t5MiniFeaturizer(dir: string): Promise<Featurizer> {
  const tok = await loadT5Tokenizer(dir);
  const { model } = loadT5(dir, { seed: 0 });
  /** The run path's batches (LST-format sources cut to 128 tokens with </s>, padded), BATCH examples at a time. */
  function* batches(task: GlueTaskId, xs: GlueExample[]): Generator<Seq2SeqBatch> {
    const items = xs.map((x) => encodeExample(tok, task, x));
    for (const rows of sequentialBatches(xs.length, BATCH)) {
      const b = makeBatch(rows.map((r) => items[r]), tok.padId);
      try { yield b; } finally { tf.dispose([b.ids, b.mask]); }
    }
  }
  const decode = (task: GlueTaskId, xs: GlueExample[]): string[] => {
    const out: string[] = [];
    for (const b of batches(task, xs)) for (const d of greedyDecode(t5Decodable(model), b.ids, b.mask, { maxLength: maxTargetTokens(tok, task) })) out.push(tok.decode(d));
    return out;
  };
  const featurize = async (task: GlueTaskId, xs: GlueExample[]) => {
    const out: Float32Array[] = [];
    for (const b of batches(task, xs)) {
      const pooled = tf.tidy(() => {
        const o = model.encode(b.ids, b.mask, { ...ctx, rng: new Rng(0) });
        return meanPool(o.last, o.mask);
      });
      out.push(...await rowsOf(pooled)); pooled.dispose();
    }
    return out;
  };
  return Object.assign(featurize, { decode });
}

/** Logistic regression on standardised features; returns test predictions. Deterministic (zero init, full batch). */
function probe(train: Float32Array[], labels: number[], test: Float32Array[], classes: number, steps: number): Int32Array {
  return tf.tidy(() => {
    const X = tf.tensor2d(train.flatMap((r) => Array.from(r)), [train.length, train[0].length]);
    const { mean, variance } = tf.moments(X, 0);
    const std = tf.sqrt(tf.add(variance, 1e-6));
    const Xs = tf.div(tf.sub(X, mean), std);
    const Y = tf.oneHot(tf.tensor1d(labels, 'int32'), classes);
    const W = tf.variable(tf.zeros([train[0].length, classes])), b = tf.variable(tf.zeros([classes]));
    const opt = tf.train.adam(0.05);
    for (let i = 0; i < steps; i++) {
      opt.minimize(() => tf.add(tf.losses.softmaxCrossEntropy(Y, tf.add(tf.matMul(Xs, W), b)), tf.mul(1e-3, tf.sum(tf.square(W)))) as tf.Scalar);
    }
    const Xt = tf.div(tf.sub(tf.tensor2d(test.flatMap((r) => Array.from(r)), [test.length, test[0].length]), mean), std);
    const pred = tf.argMax(tf.add(tf.matMul(Xt, W), b), 1).dataSync() as Int32Array;
    opt.dispose(); W.dispose(); b.dispose();
    return Int32Array.from(pred);
  });
}

const backend = await initBackend('auto');
const tasks = values.tasks!.split(',') as GlueTaskId[];
const backbones = values.backbones!.split(',');
const steps = Number(values.steps);
for (const t of tasks) {
  if (!(GLUE_TASK_IDS as readonly string[]).includes(t) || t === 'glue-stsb') { log(`--tasks: "${t}" is not a GLUE classification task; valid: ${GLUE_TASK_IDS.filter((x) => x !== 'glue-stsb').join(', ')}`); process.exit(2); }
}
if (!(steps > 0)) { log(`--steps: expected a positive number, got "${values.steps}"`); process.exit(2); }
const results: Record<string, Record<string, { probe: number; constant: number; metric: string; frozenDecode?: number; invalid?: number }>> = {};
log(`GLUE linear probe on frozen mini encoders (backend ${backend.name}, ${steps} full-batch steps)`);
for (const id of backbones) {
  const dir = join(projectRoot(), 'models', id);
  const featurize = id.startsWith('t5') ? await t5MiniFeaturizer(dir) : await textMiniFeaturizer(dir);
  results[id] = {};
  for (const task of tasks) {
    const data = await loadGlue(task, { source: 'mini' }, GLUE_DATA_SEED);
    if (!data.meta.labels) throw new Error(`${task}: no label set`);
    const [tr, te] = [await featurize(task, data.train), await featurize(task, data.test)];
    const gold = data.test.map((x) => x.label);
    const pred = probe(tr, data.train.map((x) => x.label), te, data.meta.labels.length, steps);
    const m = computeGlueMetrics(task, Array.from(pred), gold);
    const metric = Object.keys(m)[0];
    const constant = Math.max(...data.meta.labels.map((_, c) => computeGlueMetrics(task, gold.map(() => c), gold)[metric]));
    results[id][task] = { probe: m[metric], constant, metric };
    if (featurize.decode) {
      const z = t5GlueMetrics(task, featurize.decode(task, data.test), gold);
      results[id][task] = { ...results[id][task], frozenDecode: z[metric], invalid: z.invalid };
    }
    const fd = results[id][task].frozenDecode;
    log(`  ${id} ${task}: ${metric} ${m[metric].toFixed(2)}${fd === undefined ? '' : `, frozen decode ${fd.toFixed(2)} (invalid ${results[id][task].invalid!.toFixed(1)}%)`} (constant ${constant.toFixed(2)})`);
  }
}
// What the input embeddings hold about the words the mini GLUE training sets never use (mini CoLA's evaluation sets
// need their morphology): probes trained on the common lemmas' word vectors, scored on the rare lemmas'.
const lexicon: Record<string, Record<string, { accuracy: number; train: number; test: number }>> = {};
for (const id of backbones) {
  lexicon[id] = {};
  for (const set of lexiconProbeSets(join(projectRoot(), 'models', id))) {
    const pred = probe(set.train.map((x) => x.vector), set.train.map((x) => x.label), set.test.map((x) => x.vector), set.classes, steps);
    const accuracy = (100 * set.test.filter((x, i) => x.label === pred[i]).length) / set.test.length;
    lexicon[id][set.name] = { accuracy, train: set.train.length, test: set.test.length };
    log(`  ${id} rare-lemma ${set.name}: ${accuracy.toFixed(1)}% (${set.train.length} common-lemma words -> ${set.test.length} rare; chance ${(100 / set.classes).toFixed(0)}%)`);
  }
}
if (values.json) console.log(JSON.stringify({ backend: backend.name, steps, results, lexicon }));
else {
  const decoded = backbones.filter((b) => tasks.every((t) => results[b][t].frozenDecode !== undefined));
  console.log(`\nlinear probe on the frozen encoder's mean-pooled last layer${decoded.length ? ' and the frozen T5 decoding as is (no training)' : ''}, test headline`);
  console.log(`${'task'.padEnd(11)}${backbones.map((b) => b.padStart(12)).join('')}${decoded.map((b) => `${b} decode`.padStart(17)).join('')}${'constant'.padStart(10)}`);
  for (const t of tasks) console.log(`${t.padEnd(11)}${backbones.map((b) => results[b][t].probe.toFixed(2).padStart(12)).join('')}${decoded.map((b) => results[b][t].frozenDecode!.toFixed(2).padStart(17)).join('')}${results[backbones[0]][t].constant.toFixed(2).padStart(10)}`);
  console.log('\nrare-lemma morphology read from the input embeddings (probe trained on the common lemmas), accuracy %');
  console.log(`${'feature'.padEnd(14)}${backbones.map((b) => b.padStart(12)).join('')}`);
  for (const f of Object.keys(lexicon[backbones[0]])) console.log(`${f.padEnd(14)}${backbones.map((b) => lexicon[b][f].accuracy.toFixed(1).padStart(12)).join('')}`);
}
