// Measures MLM pretraining speed and quality of a mini backbone on the toy corpus (not a test: run by hand).
//   node dist/test/backbones/pretrain-bench.js [steps=600] [batch=32] [maxLength=32] [layers=4] [hidden=64] [nouns=700] [dropout=0.1] [lr=1e-3] [initRange=0.02] [pack=0] [maskProb=0.15]
import { initBackend } from '../../src/engine/backend.js';
import { TextEncoderConfigSchema } from '../../src/backbones/text/config.js';
import { pretrainMlm, packedCorpus } from '../../src/backbones/text/pretrain.js';
import { toyCorpus } from './toy-corpus.js';

const [steps = 600, batch = 32, maxLength = 32, layers = 4, hidden = 64, nouns = 700, dropout = 0.1, lr = 1e-3, initRange = 0.02, pack = 0, maskProb = 0.15] = process.argv.slice(2).map(Number);
const info = await initBackend('wasm');
const corpus = pack ? packedCorpus(toyCorpus(nouns, 100)) : toyCorpus(nouns, 100);
const config = TextEncoderConfigSchema.parse({
  model_type: 'bert', vocab_size: corpus.vocabSize, hidden_size: hidden, num_hidden_layers: layers, num_attention_heads: 4,
  intermediate_size: 4 * hidden, max_position_embeddings: maxLength, initializer_range: initRange, hidden_dropout_prob: dropout, attention_probs_dropout_prob: dropout,
});
console.log(`backend ${info.name} (threads ${info.wasm?.threads}); vocab ${corpus.vocabSize}, ${layers} x ${hidden}, batch ${batch} x ${maxLength}, ${steps} steps, dropout ${dropout}, lr ${lr}, init ${initRange}, packed ${!!pack}, mask ${maskProb}`);
let cpuRate = NaN;
// CPU time as well as wall time: on a shared machine the wall-clock rate depends on the other processes
let cpu0: NodeJS.CpuUsage | null = null;
const every = Math.max(1, Math.round(steps / 10));
const r = pretrainMlm({
  config, seed: 1, steps, batchSize: batch, maxLength, lr, maskProb, warmup: Math.round(steps * 0.06), corpus,
  progressEvery: 1,
  onProgress: (p) => {
    if (p.step === 1) cpu0 = process.cpuUsage();
    if (p.step === steps && cpu0) { const c = process.cpuUsage(cpu0); cpuRate = (steps - 1) / ((c.user + c.system) / 1e6); }
    if (p.step % every === 0) console.log(`step ${p.step}/${p.steps} loss ${p.loss.toFixed(3)} lr ${p.lr.toExponential(2)} ${p.stepsPerSecond.toFixed(1)} steps/s`);
  },
});
console.log(JSON.stringify({
  stepsPerSecond: +r.stepsPerSecond.toFixed(2), stepsPerCpuSecond: +cpuRate.toFixed(2), seconds: +r.seconds.toFixed(1),
  initialAccuracy: +r.initialAccuracy.toFixed(4), accuracy: +r.accuracy.toFixed(4),
  initialHeldoutLoss: +r.initialHeldoutLoss.toFixed(3), heldoutLoss: +r.heldoutLoss.toFixed(3),
  firstLoss: +r.losses[0].toFixed(3), lastLoss: +r.losses[r.losses.length - 1].toFixed(3),
}));
r.encoder.dispose(); r.mlmHead.dispose();
