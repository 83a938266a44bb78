// What a side network over a frozen T5 provides (LST's side encoder/decoder, UniPT's encoder-decoder variant), and
// how such a model is trained and decoded: the backbone runs outside the gradient tape and hands over every hidden
// state; the side network turns the encoder states into a memory once, then the decoder states (teacher-forced, or
// the prefix so far when decoding) into states the frozen LM head reads.
import { tf, type Tensor } from '../../engine/tf.js';
import { Rng } from '../../engine/rng.js';
import type { Module, ForwardCtx } from '../../nn/module.js';
import type { T5Model, T5StackOutput } from './model.js';
import type { Seq2SeqDecodable } from './generate.js';

export interface T5SideNetwork {
  /** Short name for parameter accounting ('lst', 'unipt'). */
  readonly name: string;
  readonly module: Module;
  /** From the encoder's states (the backbone's, computed outside the tape) to the side memory. */
  encode(encoder: T5StackOutput, ctx: ForwardCtx): Tensor;
  /** From the decoder's states and the side memory to [B, T, d_model] for the frozen LM head. */
  decode(decoder: T5StackOutput, memory: Tensor, encoderMask: Tensor, ctx: ForwardCtx): Tensor;
}

/** HF-style hidden states: the embeddings output, blocks 1..N-1, and the final-normed last state in place of block N. */
export function hfHiddenStates(out: T5StackOutput): Tensor[] {
  return [...out.hiddenStates.slice(0, -1), out.last];
}

const EVAL_CTX: ForwardCtx = { training: false, rng: new Rng(0) };

interface SideState { memory: Tensor; encLast: Tensor; encMask: Tensor }

/** Greedy decoding through a frozen T5 and a side network. */
export function sideDecodable(model: T5Model, side: T5SideNetwork): Seq2SeqDecodable<SideState> {
  const c = model.config;
  return {
    startId: c.decoder_start_token_id, eosId: c.eos_token_id, padId: c.pad_token_id,
    begin: (ids, mask) => tf.tidy(() => {
      const enc = model.encode(ids, mask, EVAL_CTX);
      return { memory: side.encode(enc, EVAL_CTX), encLast: enc.last, encMask: enc.mask };
    }),
    next: (s, decIds) => tf.tidy(() => {
      const [B, t] = decIds.shape as number[];
      const dec = model.decode(decIds, { last: s.encLast, mask: s.encMask }, EVAL_CTX);
      const y = side.decode(dec, s.memory, s.encMask, EVAL_CTX);
      const lastPos = tf.reshape(tf.slice(y, [0, t - 1, 0], [B, 1, c.d_model]), [B, c.d_model]);
      return model.logits(lastPos);
    }),
    end: (s) => tf.dispose([s.memory, s.encLast, s.encMask]),
  };
}
