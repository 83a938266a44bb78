// Parameter accounting (backbone, method modules, head; each parameter once; buffers excluded) and method configs
// (strict schemas whose errors name the unknown key; defaults from the LST scripts).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/engine/tf.js';
import { initBackend } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/rng.js';
import { Module } from '../../src/nn/module.js';
import { Linear } from '../../src/nn/layers.js';
import type { Param } from '../../src/nn/param.js';
import { TextEncoder } from '../../src/backbones/text/bert.js';
import { TextEncoderConfigSchema } from '../../src/backbones/text/config.js';
import { textEncoderHost } from '../../src/petl/hosts/text-encoder.js';
import { accountParams } from '../../src/petl/accounting.js';
import { applyThroughBackbone, parseMethodConfig, THROUGH_BACKBONE_METHODS } from '../../src/petl/apply.js';
import { FULL_METHOD } from '../../src/petl/full.js';
import { BITFIT_METHOD } from '../../src/petl/bitfit.js';
import { ADAPTER_METHOD } from '../../src/petl/adapter.js';
import { LORA_METHOD } from '../../src/petl/lora.js';
import { PROMPT_METHOD } from '../../src/petl/prompt.js';
import { LST_METHOD, buildTextLst, LstConfigSchema } from '../../src/petl/lst/index.js';
import { ModuleTree, ModuleDict } from '../../src/nn/container.js';
import type { MethodDef } from '../../src/petl/types.js';

const H = 16, L = 2;
const cfg = TextEncoderConfigSchema.parse({ vocab_size: 30, hidden_size: H, num_hidden_layers: L, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 16 });
const size = (m: Module) => m.parameters().reduce((s, p) => s + p.size, 0);

before(async () => { await initBackend('wasm'); });

class WithBuffer extends Module {
  constructor() {
    super();
    this.addParam('weight', tf.ones([3]), 'norm');
    this.addParam('running_mean', tf.zeros([5]), 'buffer');
  }
}
/** A module that also exposes a parameter it does not own (as a tied embedding would). */
class Sharing extends Module {
  constructor(private readonly shared: Param) {
    super();
    this.addParam('own', tf.zeros([7]), 'weight');
  }
  override namedParameters(prefix = ''): [string, Param][] {
    return [...super.namedParameters(prefix), [`${prefix}tied`, this.shared]];
  }
  override dispose(): void { for (const [n, p] of super.namedParameters()) if (n === 'own') p.dispose(); }
}

test('accounting: totals, trainable, added and by-module counts for LoRA + head', () => {
  const enc = new TextEncoder(cfg, 1);
  const applied = applyThroughBackbone('lora', textEncoderHost(enc), { r: 2 }, new Rng(3));
  const head = new Linear(H, 3, new Rng(4));
  const acc = accountParams(enc, applied.modules, { head });
  const backbone = size(enc), lora = 2 * L * (H * 2 + 2 * H), headN = H * 3 + 3;
  const biases = enc.parameters().filter((p) => p.role === 'bias').reduce((s, p) => s + p.size, 0);
  assert.equal(acc.backbone, backbone);
  assert.equal(acc.total, backbone + lora + headN);
  assert.equal(acc.added, lora + headN);
  assert.equal(acc.trainable, biases + lora + headN);
  assert.deepEqual(acc.byModule, {
    backbone: { total: backbone, trainable: biases },
    lora: { total: lora, trainable: lora },
    head: { total: headN, trainable: headN },
  });
  applied.detach(); applied.modules.lora.dispose(); head.dispose(); enc.dispose();
});

test('accounting: LST counts only the side network as trainable', () => {
  const enc = new TextEncoder(cfg, 1);
  const side = buildTextLst(enc, LstConfigSchema.parse({ r: 4 }), new Rng(2));
  const acc = accountParams(enc, { lst: side.module });
  assert.equal(acc.byModule.backbone.trainable, 0);
  assert.equal(acc.trainable, size(side));
  assert.equal(acc.added, size(side));
  side.dispose(); enc.dispose();
});

test('accounting: buffers are not parameters, a shared parameter counts once, names must be distinct', () => {
  const enc = new TextEncoder(cfg, 1);
  const buf = new WithBuffer();
  const tiedTo = enc.embeddings.word_embeddings.weight;
  const sharing = new Sharing(tiedTo);
  const acc = accountParams(enc, { buf, sharing });
  assert.deepEqual(acc.byModule.buf, { total: 3, trainable: 3 });
  assert.deepEqual(acc.byModule.sharing, { total: 7, trainable: 7 }, 'the tied embedding is already counted under backbone');
  assert.equal(acc.total, size(enc) + 3 + 7);
  assert.throws(() => accountParams(enc, { head: buf }, { head: sharing }), /module name "head" is used twice/);
  assert.throws(() => accountParams(enc, { backbone: buf }), /"backbone" is reserved/);
  buf.dispose(); sharing.dispose(); enc.dispose();
});

test('configs: every method rejects unknown keys with a message naming the method and the key', () => {
  for (const def of [FULL_METHOD, BITFIT_METHOD, ADAPTER_METHOD, LORA_METHOD, PROMPT_METHOD, LST_METHOD] as MethodDef<unknown>[]) {
    assert.throws(() => parseMethodConfig(def, { bogus_key: 1 }), (e: Error) => {
      assert.match(e.message, new RegExp(`method "${def.id}"`));
      assert.match(e.message, /unknown key "bogus_key"/);
      return true;
    });
    const r = def.schema.safeParse({ bogus_key: 1 });
    assert.equal(r.success, false, `${def.id} schema must be strict`);
  }
  assert.throws(() => parseMethodConfig(LORA_METHOD, { rank: 8 }), /unknown key "rank".*allowed keys: r, alpha, dropout, targets, train_biases/);
  assert.throws(() => parseMethodConfig(ADAPTER_METHOD, { reduction_factor: 0 }), /reduction_factor/);
  assert.throws(() => parseMethodConfig(FULL_METHOD, { lr: 1 }), /takes no options/);
});

test('configs: defaults follow the LST scripts', () => {
  // seq2seq/configs/lora.json + lora/config.py: lora_dim 32, lora_alpha 32, lora_dropout 0.1, bitfit true
  assert.deepEqual(parseMethodConfig(LORA_METHOD, {}), { r: 32, alpha: 32, dropout: 0.1, train_biases: true });
  // adapters.json: task_reduction_factor 16, non_linearity gelu_new, unfreeze_layer_norms true
  const a = parseMethodConfig(ADAPTER_METHOD, {});
  assert.equal(a.reduction_factor, 16); assert.equal(a.non_linearity, 'gelu_new'); assert.equal(a.unfreeze_layer_norms, true);
  // prompt_tuning_tokens_init.json: prefix_dim 100
  assert.equal(parseMethodConfig(PROMPT_METHOD, {}).tokens, 100);
  assert.deepEqual(parseMethodConfig(FULL_METHOD, undefined), {});
  assert.equal(LST_METHOD.mode, 'side');
  for (const def of Object.values(THROUGH_BACKBONE_METHODS)) assert.equal(def.mode, 'through-backbone');
});

test('apply: unknown method ids and missing sites are errors that say what exists', () => {
  const enc = new TextEncoder(cfg, 1);
  const host = textEncoderHost(enc);
  assert.throws(() => applyThroughBackbone('lst', host, {}, new Rng(1)), /not a through-backbone method; known: full, bitfit, adapter, lora, prompt/);
  assert.throws(() => applyThroughBackbone('adapter', { ...host, adapterSites: [{ site: 'encoder.layer.0:nowhere', width: H }] }, {}, new Rng(1)), /has no site "nowhere"/);
  assert.throws(() => applyThroughBackbone('adapter', host, { reduction_factor: 64 }, new Rng(1)), /leaves no bottleneck unit/);
  enc.dispose();
});

test('containers: ModuleTree mirrors dotted paths, ModuleDict holds gapped keys', () => {
  const t = new ModuleTree();
  t.put('encoder.layer.0.query', new Linear(2, 2, new Rng(1)));
  t.put('encoder.layer.1.query', new Linear(2, 2, new Rng(1)));
  assert.deepEqual(t.namedParameters().map(([n]) => n), ['encoder.layer.0.query.weight', 'encoder.layer.0.query.bias', 'encoder.layer.1.query.weight', 'encoder.layer.1.query.bias']);
  assert.deepEqual(t.leaves().map(([n]) => n), ['encoder.layer.0.query', 'encoder.layer.1.query']);
  assert.throws(() => t.put('encoder.layer.0.query', new Linear(2, 2, new Rng(1))), /already taken/);
  assert.throws(() => t.put('encoder.layer.0.query.inner', new Linear(2, 2, new Rng(1))), /cannot also be a path prefix/);
  const d = new ModuleDict<Linear>();
  d.set('3', new Linear(1, 1, new Rng(1)));
  d.set('7', new Linear(1, 1, new Rng(1)));
  assert.deepEqual(d.namedParameters().map(([n]) => n), ['3.weight', '3.bias', '7.weight', '7.bias']);
  assert.throws(() => d.set('a.b', new Linear(1, 1, new Rng(1))), /not a plain name/);
  t.dispose(); d.dispose();
});
