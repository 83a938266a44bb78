// clip-vil-mini: the project's own CLIP-ViL. Mini deviation from the paper's RN50x4 grid (documented): the visual
// tokens come from the clip-mini ViT (48 px images, 12 px patches -> 16 patches + the class token, 64-d), taken the
// way CLIP-ViL's own ViT-B/32 path takes them (ln_post over every token, no extra x/y position tables) -- a real
// CLIP-ViL configuration, so the architecture stays CLIP-ViL's while the tower is small and already pretrained here
// on the same procedural scenes. (The RN path with x/y position tables is implemented and tested at paper size.)
// The cross-modal encoder is text-mini (4 layers x 64, 4 heads, FFN 256): its embeddings, layers and pooler are
// copied, the word-embedding table grown to the scene vocabulary (the language's ids unchanged, new rows N(0, 0.02));
// visn_fc starts from init_bert_weights. Then LXRT-style pretraining (src/backbones/clip-vil/pretrain.ts): masked
// language modelling on scene captions and questions given the image, image-sentence matching, and LXMERT's image
// question answering (the QA head over the mini answer vocabulary on the questions' true answers; VQA-style scene
// questions and GQA-style compositional ones, as LXMERT pretrains on VQA, GQA and VG-QA questions), on a pool of
// procedural scenes (drawn from their own seed, apart from every task's data) whose tower features are computed
// once. The QA head is saved with its answer table, so fine-tuning starts logit_fc from it (--loadLXMERTQA). Deterministic from its seed; written in the
// Hugging Face layout (config.json, model.safetensors with the MLM and matching heads, tokenizer files,
// pretraining.json).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../../engine/tf.js';
import { Rng } from '../../engine/rng.js';
import { sampleScene, renderScene, sceneCaptions, sceneQuestions, writeSceneTokenizer, type Scene } from '../../data/scenes/index.js';
import { loadTokenizer, type TextTokenizer } from '../../data/tokenizer/index.js';
import { LANGUAGE_VERSION } from '../../data/language/index.js';
import { loadTextEncoder } from '../../backbones/text/checkpoint.js';
import { MlmHead } from '../../backbones/text/mlm-head.js';
import { loadClip, readClipImageStats } from '../../backbones/clip/checkpoint.js';
import { ClipVilConfigSchema, type ClipVilConfig } from '../../backbones/clip-vil/config.js';
import { ClipVilModel } from '../../backbones/clip-vil/model.js';
import { VisionTower } from '../../backbones/clip-vil/visual.js';
import { MatchHead, AnswerHead } from '../../backbones/clip-vil/heads.js';
import { compositionalQuestion, miniAnswerVocab } from '../../tasks/vqa/data/mini.js';
import { saveClipVil } from '../../backbones/clip-vil/checkpoint.js';
import { pretrainClipVil } from '../../backbones/clip-vil/pretrain.js';
import type { Param } from '../../nn/param.js';
import type { MiniRecipe } from './types.js';

/** Pretraining settings; changing any of them changes the checkpoint (and its hash, hence every run's identity). */
export const CLIP_VIL_MINI_RECIPE = {
  version: '2', seed: 0, steps: 300, batchSize: 48, lr: 1e-3, warmup: 30, weightDecay: 0.01,
  /** Scenes whose frozen-tower features are computed once; each step draws images from this pool. */
  poolImages: 2048,
  /** Share of sentences that are questions (with their answers, for the QA objective) rather than captions. */
  questionShare: 0.5,
  /** Of the questions, the share that are GQA-style compositional ones (the rest VQA-style). */
  compositionalShare: 0.5,
  scenes: { minObjects: 1, maxObjects: 5 },
  maxTextLength: 20,
};

/** The backbones it is made from (pretrained first when missing). */
export const CLIP_VIL_MINI_SOURCES = { text: 'text-mini', vision: 'clip-mini' } as const;

async function dependency(id: string, log: (l: string) => void): Promise<string> {
  const { modelsDir } = await import('../backbone-dir.js');
  const { isComplete, pretrainBackbone } = await import('../pretrain.js');
  const dir = join(modelsDir(), id);
  if (isComplete(dir)) return dir;
  log(`clip-vil-mini needs ${id}: pretraining it first`);
  return pretrainBackbone(id, { log });
}

/** Copies `src` into `dst`; for the word-embedding table only the first rows (the ids both vocabularies share). */
function copyParam(dst: Param, src: Param, name: string): void {
  if (dst.shape.every((d, i) => d === src.shape[i]) && dst.shape.length === src.shape.length) { dst.assign(src.value); return; }
  if (dst.shape.length === 2 && dst.shape[1] === src.shape[1] && dst.shape[0] > src.shape[0]) {
    const t = tf.tidy(() => tf.concat([src.value, tf.slice(dst.value, [src.shape[0], 0], [dst.shape[0] - src.shape[0], dst.shape[1]])], 0));
    dst.assign(t); t.dispose();
    return;
  }
  if (dst.shape.length === 1 && dst.shape[0] > src.shape[0]) {
    const t = tf.tidy(() => tf.concat([src.value, tf.slice(dst.value, [src.shape[0]], [dst.shape[0] - src.shape[0]])], 0));
    dst.assign(t); t.dispose();
    return;
  }
  throw new Error(`clip-vil-mini: cannot initialise ${name} [${dst.shape}] from [${src.shape}]`);
}

/** The text tokenizer's ids must be the scene tokenizer's first ids (the scene words are appended after them). */
function checkSharedIds(textTok: TextTokenizer, sceneTok: TextTokenizer): void {
  if (sceneTok.vocabSize < textTok.vocabSize) throw new Error(`clip-vil-mini: scene vocabulary (${sceneTok.vocabSize}) is smaller than text-mini's (${textTok.vocabSize})`);
  const probe = ['[CLS]', '[SEP]', '[MASK]', 'red', 'how', 'many', 'the'];
  for (const w of probe) {
    const a = textTok.textIds(w), b = sceneTok.textIds(w);
    if (a.length !== b.length || a.some((x, i) => x !== b[i])) throw new Error(`clip-vil-mini: "${w}" has id ${a} in text-mini but ${b} in the scene tokenizer; the vocabularies must share their first ids`);
  }
}

/** The BERT fields of a text encoder's config (text-mini's config.json also carries architectures etc.). */
const TEXT_KEYS = ['model_type', 'vocab_size', 'hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size', 'hidden_act',
  'hidden_dropout_prob', 'attention_probs_dropout_prob', 'max_position_embeddings', 'type_vocab_size', 'layer_norm_eps', 'pad_token_id', 'initializer_range'] as const;
function textFields(c: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(TEXT_KEYS.map((k) => [k, c[k]]));
}

export const CLIP_VIL_MINI: MiniRecipe = {
  id: 'clip-vil-mini',
  version: CLIP_VIL_MINI_RECIPE.version,
  async build(dir, log) {
    const r = CLIP_VIL_MINI_RECIPE;
    const textDir = await dependency(CLIP_VIL_MINI_SOURCES.text, log);
    const clipDir = await dependency(CLIP_VIL_MINI_SOURCES.vision, log);
    const text = loadTextEncoder(textDir, { seed: r.seed, mlmHead: true });
    const clip = loadClip(clipDir, { seed: r.seed });
    const models: { dispose(): void }[] = [text.encoder, ...(text.mlmHead ? [text.mlmHead] : []), clip.model];
    try {
      writeSceneTokenizer(dir, { modelMaxLength: text.config.max_position_embeddings });
      const tok = await loadTokenizer(dir);
      checkSharedIds(await loadTokenizer(textDir), tok);
      const vc = clip.config.vision_config;
      const stats = readClipImageStats(clipDir);
      const config: ClipVilConfig = ClipVilConfigSchema.parse({
        model_type: 'clip-vil',
        text_config: { ...textFields(text.config), vocab_size: tok.vocabSize },
        vision_tower: { kind: 'clip-vit', vision_config: { ...vc } },
        image_size: vc.image_size, image_mean: stats.mean, image_std: stats.std,
        visual_feat_dim: vc.hidden_size, use_positional_embedding: false,
        max_text_length: r.maxTextLength, pooler_activation: 'none',
      });
      const model = new ClipVilModel(config, r.seed);
      const tower = new VisionTower(config, r.seed);
      const mlmHead = new MlmHead(config.text_config, r.seed);
      const matchHead = new MatchHead(config.text_config.hidden_size, new Rng(r.seed).fork('itm'), config.text_config.initializer_range);
      const answers = miniAnswerVocab().label2ans;
      const qaHead = new AnswerHead(config.text_config.hidden_size, answers.length, new Rng(r.seed).fork('qa'), config.text_config.initializer_range);
      models.push(model, tower, mlmHead, matchHead, qaHead);
      for (const [n, p] of text.encoder.namedParameters()) copyParam(model.getParam(`bert.${n}`), p, `bert.${n}`);
      if (text.mlmHead) for (const [n, p] of text.mlmHead.namedParameters()) copyParam(mlmHead.getParam(n), p, `cls.predictions.${n}`);
      for (const [n, p] of tower.towerParameters()) p.assign(clip.model.getParam(`vision_model.${n}`).value);

      // the scene pool: rendered once, its tower features computed once (the tower is frozen)
      const poolRng = new Rng(r.seed).fork('pool');
      const S = config.image_size;
      const scenes: Scene[] = Array.from({ length: r.poolImages }, () => sampleScene(poolRng, r.scenes));
      let itemShape: number[] = [];
      let feats = new Float32Array(0);
      for (let i = 0; i < scenes.length; i += 64) {
        const chunk = scenes.slice(i, i + 64);
        const px = new Float32Array(chunk.length * S * S * 3);
        chunk.forEach((s, j) => px.set(renderScene(s, S), j * S * S * 3));
        const g = tf.tidy(() => tower.grid(tf.tensor4d(px, [chunk.length, S, S, 3])));
        if (!itemShape.length) { itemShape = (g.shape as number[]).slice(1); feats = new Float32Array(scenes.length * itemShape.reduce((a, b) => a * b, 1)); }
        feats.set(g.dataSync() as Float32Array, i * (feats.length / scenes.length));
        g.dispose();
      }
      const item = feats.length / scenes.length;
      const sample = (rng: Rng, n: number) => {
        const texts: string[] = [];
        const ans: (string | null)[] = [];
        const visual = new Float32Array(n * item);
        for (let k = 0; k < n; k++) {
          const i = rng.int(scenes.length);
          visual.set(feats.subarray(i * item, (i + 1) * item), k * item);
          let q: { question: string; answer: string } | null | undefined = null;
          if (rng.next() < r.questionShare) {
            q = rng.next() < r.compositionalShare ? compositionalQuestion(scenes[i], rng) : sceneQuestions(scenes[i], rng, 1)[0];
          }
          texts.push(q ? q.question : sceneCaptions(scenes[i], rng, 1)[0]);
          ans.push(q ? q.answer : null);
        }
        return { texts, visual, itemShape, answers: ans };
      };
      log(`pretraining clip-vil-mini: MLM + image-sentence matching, ${r.steps} steps of ${r.batchSize}, ${r.poolImages} scenes at ${S} px, vocabulary ${tok.vocabSize}, seed ${r.seed}`);
      const res = pretrainClipVil({
        model, mlmHead, matchHead, qa: { head: qaHead, answers }, tokenizer: tok, seed: r.seed, steps: r.steps, batchSize: r.batchSize, lr: r.lr,
        warmup: r.warmup, weightDecay: r.weightDecay, sample, progressEvery: 50,
        onProgress: (p) => log(`  step ${p.step}/${p.steps}  loss ${p.loss.toFixed(3)} (mlm ${p.mlm.toFixed(3)}, match ${p.match.toFixed(3)}, qa ${p.qa.toFixed(3)})  (${p.stepsPerSecond.toFixed(1)} steps/s)`),
      });
      saveClipVil(dir, model, tower, { mlmHead, matchHead, qa: { head: qaHead, answers } });
      const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
      writeFileSync(join(dir, 'pretraining.json'), `${JSON.stringify({
        backbone: 'clip-vil-mini', recipe: r, language: LANGUAGE_VERSION, sources: CLIP_VIL_MINI_SOURCES,
        objective: 'LXRT-style: masked-language modelling on matched sentences (BERT masking, 15%) + image-sentence matching (half the pairs mismatched) + image question answering (cross-entropy on the answer of matched questions)',
        heldout: { before: res.before, after: res.after }, seconds: res.seconds, stepsPerSecond: res.stepsPerSecond,
      }, null, 2)}\n`);
      log(`clip-vil-mini: held-out masked-token accuracy ${pct(res.before.maskedAccuracy)} -> ${pct(res.after.maskedAccuracy)}, matching accuracy ${pct(res.before.matchAccuracy)} -> ${pct(res.after.matchAccuracy)}, QA accuracy ${pct(res.before.qaAccuracy)} -> ${pct(res.after.qaAccuracy)} in ${res.seconds.toFixed(0)} s`);
    } finally {
      for (const m of models) m.dispose();
    }
  },
};
