// Prompt tuning (Lester et al. 2021) as LST's T5 baseline: N learnable token embeddings concatenated in front of the
// sequence at the host's prompt site (BERT: the embeddings output), everything else frozen. LST's config:
// prefix_dim 100, init_prefix_from_vocab, lr 0.3. The backbone extends its attention mask by N visible positions
// when the sequence grows at that site, so every token attends to the prompts and the prompts to every token.
// Init: LST copies the *first* N rows of the vocabulary ('vocab-first'); for BERT vocabularies those rows are
// [PAD]/[unusedK] tokens, so the default draws N distinct rows at random ('vocab-random'); 'uniform' is LST's other
// option, U(-0.5, 0.5). BERT's prompt site follows the embeddings LayerNorm, where tokens have zero mean and unit
// variance per vector while raw vocabulary rows have std ~0.02; `normalize_init` (default) standardises each copied
// row the same way so the prompts start at the scale of their neighbours (turn it off where prompts enter before any
// norm, as in T5).
// Position: 'prepend' (default, as LST) puts the prompts before [CLS]; a head that reads position 0 then reads the
// first prompt token's output. 'after-first' inserts them after the first token, keeping [CLS]/<s> at position 0;
// this agrees with the backbone's mask extension (N ones in front) only because the first token is always visible.
import { z } from 'zod';
import { tf, type Tensor } from '../engine/tf.js';
import type { Rng } from '../engine/rng.js';
import { Module } from '../nn/module.js';
import type { Param } from '../nn/param.js';
import * as init from '../nn/init.js';
import { setTrainableWhere, snapshotTrainable } from '../nn/trainable.js';
import { splitSite } from './adapter.js';
import type { AppliedMethod, MethodDef, PetlHost } from './types.js';

export const PromptConfigSchema = z.strictObject({
  tokens: z.number().int().positive().default(100),
  init: z.enum(['vocab-random', 'vocab-first', 'uniform']).default('vocab-random'),
  position: z.enum(['prepend', 'after-first']).default('prepend'),
  normalize_init: z.boolean().default(true),
});
export type PromptConfig = z.output<typeof PromptConfigSchema>;

export const PROMPT_METHOD: MethodDef<PromptConfig> = {
  id: 'prompt',
  version: '1',
  mode: 'through-backbone',
  title: 'Prompt tuning',
  description: 'Learnable prompt tokens prepended to the embedded sequence; the backbone is frozen.',
  schema: PromptConfigSchema,
};

/** Distinct row ids, uniformly at random (partial Fisher-Yates). */
function sampleRows(n: number, vocab: number, rng: Rng): number[] {
  const ids = Array.from({ length: vocab }, (_, i) => i);
  for (let i = 0; i < n; i++) { const j = i + rng.int(vocab - i); [ids[i], ids[j]] = [ids[j], ids[i]]; }
  return ids.slice(0, n);
}

export class PromptTokens extends Module {
  readonly prompt_embeddings: Param;
  /** Vocabulary rows the prompts were copied from (empty for 'uniform'). */
  readonly sourceRows: number[];
  constructor(readonly tokens: number, readonly width: number, vocabulary: Param, cfg: PromptConfig, rng: Rng) {
    super();
    const [V, D] = vocabulary.shape;
    if (D !== width) throw new Error(`prompt: vocabulary width ${D} differs from the prompt site width ${width}`);
    let value: Tensor;
    if (cfg.init === 'uniform') {
      this.sourceRows = [];
      value = init.uniform([tokens, width], -0.5, 0.5, rng);
    } else {
      if (tokens > V) throw new Error(`prompt: ${tokens} tokens cannot be initialised from distinct rows of a ${V}-entry vocabulary; lower "tokens" or use init "uniform"`);
      this.sourceRows = cfg.init === 'vocab-first' ? Array.from({ length: tokens }, (_, i) => i) : sampleRows(tokens, V, rng);
      value = tf.tidy(() => {
        const rows = tf.gather(vocabulary.value, tf.tensor1d(this.sourceRows, 'int32'));
        if (!cfg.normalize_init) return rows;
        const { mean, variance } = tf.moments(rows, -1, true);
        return tf.div(tf.sub(rows, mean), tf.sqrt(tf.add(variance, 1e-12)));
      });
    }
    this.prompt_embeddings = this.addParam('prompt_embeddings', value, 'embedding');
  }

  /** x [B, T, D] -> [B, T + N, D] with the prompts in front of (or after the first token of) the sequence. */
  insert(x: Tensor, position: PromptConfig['position']): Tensor {
    if (x.rank !== 3 || x.shape[2] !== this.width) {
      throw new Error(`prompt: expected the site tensor to be [B, T, ${this.width}], got [${x.shape}]`);
    }
    const [B, T] = x.shape as number[];
    const p = tf.broadcastTo(tf.expandDims(this.prompt_embeddings.value, 0), [B, this.tokens, this.width]);
    if (position === 'prepend') return tf.concat([p, x], 1);
    return tf.concat([tf.slice(x, [0, 0, 0], [B, 1, this.width]), p, tf.slice(x, [0, 1, 0], [B, T - 1, this.width])], 1);
  }
}

export function apply(host: PetlHost, config: PromptConfig, rng: Rng): AppliedMethod {
  if (!host.prompt) throw new Error(`prompt: the ${host.family} backbone declares no prompt site`);
  const { site, width, vocabulary } = host.prompt;
  const restore = snapshotTrainable(host.module);
  setTrainableWhere(host.module, () => false);
  const prompt = new PromptTokens(config.tokens, width, vocabulary, config, rng.fork('prompt:init'));
  const { path, name } = splitSite(site);
  const remove = host.module.getModule(path).onSite(name, (x) => prompt.insert(x, config.position));
  return { modules: { prompt }, detach: () => { remove(); restore(); } };
}
