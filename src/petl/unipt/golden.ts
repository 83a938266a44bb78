// Checks the project's UniPT against golden files: one forward and backward pass of an official UniPT module in
// float64 (format: ../shared/golden/README.md). The file's variant is built with the file's config, its parameters
// are loaded by their PyTorch names (Linear weights transposed to [in, out], conv filters to [kh, kw, in, out],
// BatchNorm running statistics included), and the output, loss = sum(output * loss_weights) and every parameter
// gradient are compared in float32. A file naming a variant this project does not know is an error.
//
// Relative error = max|ours - golden| / max(max|golden|, 1e-12), per tensor. Exception: a gradient whose golden
// entries are all float64 round-off (max <= 1e-9 x the largest golden gradient entry of the file) is analytically
// zero (a conv bias feeding a batch-statistics BatchNorm, the gate bias under the softmax over layers); float32
// leaves ~1e-7-relative noise there, so it is divided by the file's largest gradient entry instead.
//
// Besides the README's three variants (vse-text, vse-cnn, clip4clip), files for the variants whose official modules
// are embedded in larger models are read in this format:
//   clip-vil:        config { num_layer (hidden states), hidden_size, reduction_factor };
//                    inputs { all_hidden_features, mask ([B, L] 1 = valid, or null) }
//   mdetr:           config { d_model, num_layers, downsample_D_factor, select_layers };
//                    inputs { encoder_features, encoder_mask ([B, S] 1 = valid, or null), decoder_features };
//                    output = the stacked decoder outputs [layers + 1, B, Q, d_model]
//   encoder-decoder: config { d_model, num_encoder_layers, num_decoder_layers, downsample_D_factor, layers };
//                    inputs as mdetr; output [B, T, d_model]
// Any config may also set the ablation switches `interaction`, `identity`, `aggregation`, `guideOnly` (absent: the
// official behaviour).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { tf, type Tensor } from '../../engine/tf.js';
import { Rng } from '../../engine/rng.js';
import type { Module, ForwardCtx } from '../../nn/module.js';
import { VseTextUnipt } from './vse-text.js';
import { VseCnnUnipt } from './vse-cnn.js';
import { Clip4ClipUnipt } from './clip4clip.js';
import { ClipVilUnipt } from './clip-vil.js';
import { MdetrUnipt } from './mdetr.js';
import { EncoderDecoderUnipt } from './encoder-decoder.js';
import { lengthsToMask } from './interaction.js';
import type { AblationOptions } from './options.js';

export const GOLDEN_TOLERANCE = 1e-4;

export interface GT { shape: number[]; data: number[] }
export interface Golden {
  variant: string;
  mode?: string;
  config: Record<string, unknown>;
  params: Record<string, GT>;
  inputs: Record<string, unknown>;
  output: GT;
  loss: { value: number; loss_weights: GT };
  grads: Record<string, GT>;
}

interface GoldenCase { module: Module; run(ctx: ForwardCtx): Tensor }
type Builder = (g: Golden, where: string) => GoldenCase;

function need<T>(obj: Record<string, unknown>, key: string, where: string): T {
  if (!(key in obj)) throw new Error(`${where}: missing key "${key}"`);
  return obj[key] as T;
}
function isGT(v: unknown): v is GT {
  return !!v && typeof v === 'object' && Array.isArray((v as GT).shape) && Array.isArray((v as GT).data);
}
function tensorOf(v: unknown, where: string): Tensor {
  if (!isGT(v)) throw new Error(`${where}: expected { shape, data }`);
  const n = v.shape.reduce((a, b) => a * b, 1);
  if (n !== v.data.length) throw new Error(`${where}: shape [${v.shape}] needs ${n} values, data has ${v.data.length}`);
  return tf.tensor(Float32Array.from(v.data), v.shape, 'float32');
}
function tensorList(v: unknown, where: string): Tensor[] {
  if (!Array.isArray(v)) throw new Error(`${where}: expected a list of tensors`);
  return v.map((t, i) => tensorOf(t, `${where}[${i}]`));
}
const nchwToNhwc = (t: Tensor): Tensor => tf.transpose(t, [0, 2, 3, 1]);
const rng = () => new Rng(1234);

export const GOLDEN_BUILDERS: Record<string, Builder> = {
  'vse-text': (g, where) => {
    const c = g.config;
    const module = new VseTextUnipt({
      hiddenSizes: need<number[]>(c, 'hidden_size', `${where} config`),
      embedSize: need<number>(c, 'embed_size', `${where} config`),
      downsampleFactor: need<number>(c, 'downsample_D_factor', `${where} config`),
      ...ablationFrom(c),
    }, rng());
    checkNumLayer(c, module.opts.hiddenSizes.length, where);
    const hs = tensorList(need(g.inputs, 'all_hidden_features', `${where} inputs`), `${where} inputs.all_hidden_features`);
    const lengths = need<number[]>(g.inputs, 'lengths', `${where} inputs`);
    const mask = lengthsToMask(lengths, (hs[0].shape as number[])[1]);
    return { module, run: (ctx) => module.forward(hs, mask, ctx) };
  },
  'vse-cnn': (g, where) => {
    const c = g.config;
    const module = new VseCnnUnipt({
      hiddenSizes: need<number[]>(c, 'hidden_size', `${where} config`),
      embedSize: need<number>(c, 'embed_size', `${where} config`),
      downsampleFactor: need<number>(c, 'downsample_D_factor', `${where} config`),
      hwRate: need<number[]>(c, 'HW_rate', `${where} config`),
      hwSize: need<number[]>(c, 'HW_size', `${where} config`),
      ...ablationFrom(c),
    }, rng());
    checkNumLayer(c, module.opts.hiddenSizes.length, where);
    const maps = tensorList(need(g.inputs, 'all_hidden_features', `${where} inputs`), `${where} inputs.all_hidden_features`).map(nchwToNhwc);
    return { module, run: (ctx) => module.forward(maps, ctx) };
  },
  clip4clip: (g, where) => {
    const c = g.config;
    const module = new Clip4ClipUnipt({
      hiddenSizes: need<number[]>(c, 'hidden_size', `${where} config`),
      embedSize: need<number>(c, 'embed_size', `${where} config`),
      downsampleFactor: need<number>(c, 'downsample_D_factor', `${where} config`),
      ...ablationFrom(c),
    }, rng());
    checkNumLayer(c, module.opts.hiddenSizes.length, where);
    const hs = tensorList(need(g.inputs, 'all_hidden_features', `${where} inputs`), `${where} inputs.all_hidden_features`);
    const raw = tensorOf(need(g.inputs, 'raw_anchor_features', `${where} inputs`), `${where} inputs.raw_anchor_features`);
    const m = need<unknown>(g.inputs, 'mask', `${where} inputs`);
    const mask = m === null ? null : tensorOf(m, `${where} inputs.mask`);
    const position = need<number[] | null>(g.inputs, 'position', `${where} inputs`);
    return { module, run: (ctx) => module.forward(hs, raw, mask, position, ctx) };
  },
  'clip-vil': (g, where) => {
    const c = g.config;
    const numHidden = need<number>(c, 'num_layer', `${where} config`);
    const module = new ClipVilUnipt({
      hiddenSize: need<number>(c, 'hidden_size', `${where} config`),
      numLayers: numHidden - 1,
      downsampleFactor: need<number>(c, 'reduction_factor', `${where} config`),
      ...ablationFrom(c),
    }, rng());
    const hs = tensorList(need(g.inputs, 'all_hidden_features', `${where} inputs`), `${where} inputs.all_hidden_features`);
    const m = need<unknown>(g.inputs, 'mask', `${where} inputs`);
    const mask = m === null ? null : tensorOf(m, `${where} inputs.mask`);
    return { module, run: (ctx) => module.forward(hs, mask, ctx) };
  },
  mdetr: (g, where) => {
    const c = g.config;
    const module = new MdetrUnipt({
      dModel: need<number>(c, 'd_model', `${where} config`),
      numLayers: need<number>(c, 'num_layers', `${where} config`),
      downsampleFactor: need<number>(c, 'downsample_D_factor', `${where} config`),
      layers: need<number[]>(c, 'select_layers', `${where} config`),
      ...ablationFrom(c),
    }, rng());
    const { enc, mask, dec } = encDecInputs(g, where);
    return { module, run: (ctx) => module.forward({ encoderStates: enc, encoderMask: mask, decoderStates: dec }, ctx).decoder };
  },
  'encoder-decoder': (g, where) => {
    const c = g.config;
    const module = new EncoderDecoderUnipt({
      dModel: need<number>(c, 'd_model', `${where} config`),
      numEncoderLayers: need<number>(c, 'num_encoder_layers', `${where} config`),
      numDecoderLayers: need<number>(c, 'num_decoder_layers', `${where} config`),
      downsampleFactor: need<number>(c, 'downsample_D_factor', `${where} config`),
      layers: need<number[] | null>(c, 'layers', `${where} config`),
      ...ablationFrom(c),
    }, rng());
    const { enc, mask, dec } = encDecInputs(g, where);
    return { module, run: (ctx) => module.forward({ encoderStates: enc, encoderMask: mask, decoderStates: dec }, ctx) };
  },
};

function encDecInputs(g: Golden, where: string): { enc: Tensor[]; mask: Tensor | null; dec: Tensor[] } {
  const enc = tensorList(need(g.inputs, 'encoder_features', `${where} inputs`), `${where} inputs.encoder_features`);
  const m = need<unknown>(g.inputs, 'encoder_mask', `${where} inputs`);
  const dec = tensorList(need(g.inputs, 'decoder_features', `${where} inputs`), `${where} inputs.decoder_features`);
  return { enc, mask: m === null ? null : tensorOf(m, `${where} inputs.encoder_mask`), dec };
}

const ABLATION_KEYS = ['interaction', 'identity', 'aggregation', 'guideOnly'] as const;
function ablationFrom(c: Record<string, unknown>): AblationOptions {
  const o: Record<string, unknown> = {};
  for (const k of ABLATION_KEYS) if (k in c) o[k] = c[k];
  return o as AblationOptions;
}

function checkNumLayer(c: Record<string, unknown>, n: number, where: string): void {
  if ('num_layer' in c && c.num_layer !== n) throw new Error(`${where}: config num_layer=${String(c.num_layer)} but hidden_size lists ${n} widths`);
}

/** PyTorch layout -> project layout for one parameter. */
function toProject(t: Tensor, layout: string): Tensor {
  if (layout === 'linear') return tf.transpose(t);
  if (layout === 'conv') return tf.transpose(t, [2, 3, 1, 0]);
  return t;
}
/** Project layout -> PyTorch layout. */
function toTorch(t: Tensor, layout: string): Tensor {
  if (layout === 'linear') return tf.transpose(t);
  if (layout === 'conv') return tf.transpose(t, [3, 2, 0, 1]);
  return t;
}

function maxAbs(a: Float32Array | number[]): number { let m = 0; for (const v of a) m = Math.max(m, Math.abs(v)); return m; }
function relErr(ours: ArrayLike<number>, golden: number[], floor: number): number {
  if (ours.length !== golden.length) return Infinity;
  let d = 0, m = 0;
  for (let i = 0; i < golden.length; i++) { d = Math.max(d, Math.abs(ours[i] - golden[i])); m = Math.max(m, Math.abs(golden[i])); }
  return d / Math.max(m, floor);
}

export interface GoldenReport { file: string; variant: string; output: number; loss: number; grads: Record<string, number>; worstGrad: [string, number] }

/** Runs one golden file; throws on an unknown variant, a naming mismatch or a malformed file. */
export function runGoldenFile(path: string): GoldenReport {
  const file = basename(path);
  const g = JSON.parse(readFileSync(path, 'utf8')) as Golden;
  const builder = GOLDEN_BUILDERS[g.variant];
  if (!builder) throw new Error(`${file}: unknown variant "${g.variant}"; this project knows ${Object.keys(GOLDEN_BUILDERS).join(', ')}`);
  for (const k of ['config', 'params', 'inputs', 'output', 'loss', 'grads'] as const) if (!(k in g)) throw new Error(`${file}: missing key "${k}"`);
  const mode = g.mode ?? 'train';
  if (mode !== 'train' && mode !== 'eval') throw new Error(`${file}: mode "${mode}" is neither "train" nor "eval"`);
  const ctx: ForwardCtx = { training: mode === 'train', rng: new Rng(0) };
  return tf.tidy(() => {
    const c = builder(g, file);
    try {
      const params = new Map(c.module.namedParameters());
      for (const name of params.keys()) if (!(name in g.params)) throw new Error(`${file}: the project's parameter "${name}" is not in the golden params`);
      for (const [name, gt] of Object.entries(g.params)) {
        const p = params.get(name);
        if (!p) throw new Error(`${file}: golden parameter "${name}" has no counterpart; the module's parameters are ${[...params.keys()].join(', ')}`);
        p.assign(toProject(tensorOf(gt, `${file} params.${name}`), p.layout));
      }
      const trainable = [...params].filter(([, p]) => p.trainable);
      for (const [name] of trainable) if (!(name in g.grads)) throw new Error(`${file}: no golden gradient for trainable parameter "${name}"`);
      for (const name of Object.keys(g.grads)) if (!params.get(name)?.trainable) throw new Error(`${file}: golden gradient "${name}" is not a trainable parameter here`);
      const w = tensorOf(g.loss.loss_weights, `${file} loss.loss_weights`);
      let out: Tensor | null = null;
      const { value, grads } = tf.variableGrads(() => {
        const y = c.run(ctx);
        out = tf.keep(y);
        return tf.sum(tf.mul(y, w)) as tf.Scalar;
      }, trainable.map(([, p]) => p.variable));
      const o = out! as Tensor;
      if (!sameShape(o.shape as number[], g.output.shape)) throw new Error(`${file}: output shape [${o.shape}], golden [${g.output.shape}]`);
      const outputErr = relErr(o.dataSync(), g.output.data, 1e-12);
      const lossErr = Math.abs(value.dataSync()[0] - g.loss.value) / Math.max(Math.abs(g.loss.value), 1e-12);
      const gradScale = Math.max(...Object.values(g.grads).map((t) => maxAbs(t.data)));
      const gradErrs: Record<string, number> = {};
      for (const [name, p] of trainable) {
        const gr = grads[p.variable.name];
        if (!gr) throw new Error(`${file}: no gradient reached "${name}"`);
        const gt = toTorch(gr, p.layout);
        if (!sameShape(gt.shape as number[], g.grads[name].shape)) throw new Error(`${file}: gradient of ${name} has shape [${gt.shape}], golden [${g.grads[name].shape}]`);
        // float64 round-off only (<= 1e-9 of the file's scale): the gradient is analytically zero; compare on the file's scale
        const zero = maxAbs(g.grads[name].data) <= 1e-9 * gradScale;
        gradErrs[name] = relErr(gt.dataSync(), g.grads[name].data, zero ? gradScale : 1e-12);
      }
      const worstGrad = Object.entries(gradErrs).reduce((a, b) => (b[1] > a[1] ? b : a), ['-', 0] as [string, number]);
      return { file, variant: g.variant, output: outputErr, loss: lossErr, grads: gradErrs, worstGrad };
    } finally {
      c.module.dispose();
    }
  });
}

export function goldenFiles(dir: string): string[] {
  if (!existsSync(dir)) throw new Error(`golden directory ${dir} does not exist; set UNIPT_GOLDEN_DIR or create ../shared/golden`);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));
  if (!files.length) throw new Error(`golden directory ${dir} holds no *.json files`);
  return files;
}

/** One summary line per file. */
export function formatReport(r: GoldenReport): string {
  return `${r.file} (${r.variant}): output ${r.output.toExponential(2)}, loss ${r.loss.toExponential(2)}, grads max ${r.worstGrad[1].toExponential(2)} (${r.worstGrad[0]}, ${Object.keys(r.grads).length} tensors)`;
}

/** Every comparison above the tolerance, as messages (empty = the file matches). */
export function reportFailures(r: GoldenReport, tol = GOLDEN_TOLERANCE): string[] {
  const out: string[] = [];
  if (!(r.output <= tol)) out.push(`${r.file}: output relative error ${r.output} > ${tol}`);
  if (!(r.loss <= tol)) out.push(`${r.file}: loss relative error ${r.loss} > ${tol}`);
  for (const [n, e] of Object.entries(r.grads)) if (!(e <= tol)) out.push(`${r.file}: gradient ${n} relative error ${e} > ${tol}`);
  return out;
}

function sameShape(a: number[], b: number[]): boolean { return a.length === b.length && a.every((v, i) => v === b[i]); }
