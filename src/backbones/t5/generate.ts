// Greedy decoding for any encoder-decoder whose next-token logits can be computed from an encoded source and the
// decoder inputs so far (plain T5, T5 with LST's side network, T5 with UniPT): start from decoder_start_token_id,
// append the arg-max token, stop an example at EOS or at its own maximum length. The decoder is re-run over the
// whole prefix each step (no key/value cache): GLUE targets are a few tokens long, so the saving would be small.
import { tf, type Tensor } from '../../engine/tf.js';
import { Rng } from '../../engine/rng.js';
import type { ForwardCtx } from '../../nn/module.js';
import type { T5Model, EncoderMemory } from './model.js';

export interface Seq2SeqDecodable<S> {
  readonly startId: number;
  readonly eosId: number;
  readonly padId: number;
  /** Encodes the source (outside the gradient tape, evaluation mode); the state is kept across steps. */
  begin(ids: Tensor, mask: Tensor): S;
  /** Next-token logits [B, vocab] given the decoder inputs so far [B, t]. */
  next(state: S, decoderIds: Tensor): Tensor;
  end(state: S): void;
}

export interface GreedyOptions {
  /** Most tokens to generate (EOS included) per example, or one limit for all. */
  maxLength: number | readonly number[];
}

/** Generated token ids per example, without the start token and without EOS. */
export function greedyDecode<S>(model: Seq2SeqDecodable<S>, ids: Tensor, mask: Tensor, opts: GreedyOptions): number[][] {
  const B = (ids.shape as number[])[0];
  const limits = typeof opts.maxLength === 'number' ? new Array<number>(B).fill(opts.maxLength) : [...opts.maxLength];
  if (limits.length !== B) throw new Error(`greedyDecode: ${limits.length} length limits for a batch of ${B}`);
  for (const l of limits) if (!Number.isInteger(l) || l < 1) throw new Error(`greedyDecode: maxLength ${l} must be a positive integer`);
  const steps = Math.max(...limits);
  const out: number[][] = Array.from({ length: B }, () => []);
  const done = limits.map(() => false);
  const prefix: number[][] = Array.from({ length: B }, () => [model.startId]);
  const state = model.begin(ids, mask);
  try {
    for (let t = 0; t < steps && done.some((d) => !d); t++) {
      const dec = tf.tensor2d(Int32Array.from(prefix.flat()), [B, t + 1], 'int32');
      const best = tf.tidy(() => tf.argMax(model.next(state, dec), -1));
      dec.dispose();
      const tok = best.dataSync() as Int32Array;
      best.dispose();
      for (let b = 0; b < B; b++) {
        if (done[b]) { prefix[b].push(model.padId); continue; }
        const k = tok[b];
        prefix[b].push(k);
        if (k === model.eosId) done[b] = true;
        else {
          out[b].push(k);
          if (out[b].length >= limits[b]) done[b] = true;
        }
      }
    }
  } finally {
    model.end(state);
  }
  return out;
}

const EVAL_CTX: ForwardCtx = { training: false, rng: new Rng(0) };

/** A plain T5 (with whatever through-backbone method is attached to it) as a greedy-decodable model. */
export function t5Decodable(model: T5Model): Seq2SeqDecodable<EncoderMemory> {
  const c = model.config;
  return {
    startId: c.decoder_start_token_id, eosId: c.eos_token_id, padId: c.pad_token_id,
    begin: (ids, mask) => tf.tidy(() => {
      const enc = model.encode(ids, mask, EVAL_CTX);
      return { last: enc.last, mask: enc.mask };
    }),
    next: (mem, decIds) => tf.tidy(() => {
      const [B, t] = decIds.shape as number[];
      const out = model.decode(decIds, mem, EVAL_CTX);
      const lastPos = tf.reshape(tf.slice(out.last, [0, t - 1, 0], [B, 1, c.d_model]), [B, c.d_model]);
      return model.logits(lastPos);
    }),
    end: (mem) => tf.dispose([mem.last, mem.mask]),
  };
}
