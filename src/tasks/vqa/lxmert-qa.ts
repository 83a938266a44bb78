// LXMERT's `load_lxmert_qa` (lxmert src/pretrain/qa_answer_table.py; CLIP-ViL's VQA/GQA scripts pass
// --loadLXMERTQA with the pretrained checkpoint): the fine-tuning answer head starts from the pretraining QA head.
// logit_fc.0 and logit_fc.2 are copied whole; for the last layer, each label of the task's answer table takes the
// pretraining row of the same answer, and answers the pretraining table lacks get zero weights and a zero bias.
import { tf } from '../../engine/tf.js';
import type { AnswerHead } from '../../backbones/clip-vil/heads.js';
import type { PretrainedAnswerHead } from '../../backbones/clip-vil/checkpoint.js';

export interface LxmertQaLoad { loaded: number; unloaded: number }

export function loadLxmertQa(target: AnswerHead, src: PretrainedAnswerHead, label2ans: readonly string[]): LxmertQaLoad {
  if (target.hidden !== src.head.hidden) throw new Error(`loadLxmertQa: the pretraining QA head reads ${src.head.hidden}-d pooled outputs, the task head ${target.hidden}-d`);
  if (label2ans.length !== target.numAnswers) throw new Error(`loadLxmertQa: ${label2ans.length} answers for a head of ${target.numAnswers}`);
  const t = target.logit_fc, s = src.head.logit_fc;
  for (const [a, b] of [[t.fc1.weight, s.fc1.weight], [t.fc1.bias, s.fc1.bias], [t.norm.weight, s.norm.weight], [t.norm.bias, s.norm.bias]] as const) {
    if (!a || !b) throw new Error('loadLxmertQa: answer heads without biases');
    a.assign(b.value);
  }
  const pos = new Map(src.answers.map((a, i) => [a, i]));
  const idx = label2ans.map((a) => pos.get(a) ?? 0);
  const keep: number[] = label2ans.map((a) => (pos.has(a) ? 1 : 0));
  const loaded = keep.reduce((x, y) => x + y, 0);
  tf.tidy(() => {
    const m = tf.tensor1d(keep, 'float32');
    // weights are [in, out] here: the answers are columns
    t.fc2.weight.assign(tf.mul(tf.gather(s.fc2.weight.value, tf.tensor1d(idx, 'int32'), 1), tf.reshape(m, [1, -1])));
    t.fc2.bias!.assign(tf.mul(tf.gather(s.fc2.bias!.value, tf.tensor1d(idx, 'int32')), m));
  });
  return { loaded, unloaded: label2ans.length - loaded };
}
