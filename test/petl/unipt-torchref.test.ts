// Cross-check of the variants without README golden files (CLIP-ViL, MDETR, and the [INFERRED] T5 encoder-decoder)
// and of some ablation switches against an independent float64 PyTorch implementation written from the reference
// (../shared/docs/unipt-reference.md §2.2 D-F). The Python below (Debian's python3-torch, test support only) writes
// files in the golden format (src/petl/unipt/golden.ts) into a temporary directory; the TS runner then checks
// output, loss and every gradient within 1e-4. Skipped, with the reason, where /usr/bin/python3 has no torch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/engine/backend.js';
import { runGoldenFile, formatReport, reportFailures } from '../../src/petl/unipt/golden.js';

const PYTHON = '/usr/bin/python3';

const SCRIPT = String.raw`
import json, sys, torch
import torch.nn as nn
torch.set_default_dtype(torch.float64)
torch.manual_seed(0)
out_dir = sys.argv[1]

def l1rows(x, eps):
    return x / (x.abs().sum(-1, keepdim=True) + eps)

def interact(q, k, mask, eps, identity, kind='relu-l1'):
    s = q @ k.transpose(1, 2)
    if kind == 'softmax':
        s = s / (q.shape[-1] ** 0.5)
        if mask is not None:
            s = s + (1 - mask) * -1e9
        w = torch.softmax(s, -1)
    else:
        if mask is not None:
            s = s * mask
        w = l1rows(torch.relu(s), eps)
    if identity:
        w = w + torch.eye(w.shape[-1])
    return w @ k

def mmean(F, m):
    return F.mean(1) if m is None else (F * m[..., None]).sum(1) / m.sum(1, keepdim=True)

def combine(outs, logits, uniform):
    if uniform:
        C = torch.full((outs[0].shape[0], len(outs)), 1.0 / len(outs))
    else:
        C = torch.softmax(torch.cat(logits, -1), -1)
    if C.dim() == 2:
        return sum(C[:, i, None, None] * o for i, o in enumerate(outs))
    return sum(C[:, :, i, None] * o for i, o in enumerate(outs))

def lin_ln(i, o):
    return nn.Sequential(nn.Linear(i, o), nn.LayerNorm(o))

def mlp_ln(d, D):
    return nn.Sequential(nn.Linear(d, D), nn.ReLU(), nn.Linear(D, d), nn.LayerNorm(d))

class ClipVil(nn.Module):
    def __init__(self, H, n_hidden, r, kind, identity, uniform):
        super().__init__()
        d = H // r
        self.kind, self.identity, self.uniform = kind, identity, uniform
        self.side_first_downsample_l = lin_ln(H, d)
        self.side_downsamples_l = nn.ModuleList([lin_ln(H, d) for _ in range(n_hidden - 1)])
        self.side_final_upsample_l = nn.Sequential(nn.Linear(d, H))
        self.side_projection_l = mlp_ln(d, H)
        if not uniform:
            self.side_gate_layer_l = nn.Linear(d, 1)
    def forward(self, hs, mask):
        feats = [self.side_first_downsample_l(hs[0])] + [self.side_downsamples_l[k](hs[k + 1]) for k in range(len(hs) - 1)]
        guide = feats[-1]
        g = mmean(guide, mask)
        km = None if mask is None else mask[:, None, :]
        outs, logits = [], []
        for F in feats[:-1]:
            outs.append(interact(guide, F, km, 1e-6, self.identity, self.kind))
            if not self.uniform:
                logits.append(self.side_gate_layer_l(g * mmean(F, mask)))
        return self.side_final_upsample_l(guide + self.side_projection_l(combine(outs, logits, self.uniform)))

class EncDec(nn.Module):
    """MDETR's side network (causal=False, enc/dec layers = select_layers) or the T5 variant (causal=True)."""
    def __init__(self, D, fac, enc_layers, dec_layers, causal):
        super().__init__()
        d = D // fac
        self.enc_layers, self.dec_layers, self.causal = enc_layers, dec_layers, causal
        self.side_downsample0_encoder = lin_ln(D, d)
        self.side_downsamples_encoder = nn.ModuleList([lin_ln(D, d) for _ in enc_layers])
        self.side_projection_encoder = mlp_ln(d, D)
        self.side_gate_layer_encoder = nn.Linear(d, 1)
        self.side_downsample0_decoder = lin_ln(D, d)
        self.side_downsamples_decoder = nn.ModuleList([lin_ln(D, d) for _ in dec_layers])
        self.side_projection_decoder = mlp_ln(d, D)
        self.side_gate_layer_decoder = nn.Linear(d, 1)
        self.side_projection_crosser = nn.ModuleList([lin_ln(d, d) for _ in dec_layers])
        self.side_final_upsample = nn.Sequential(nn.ReLU(), nn.Linear(d, D), nn.LayerNorm(D))
    def forward(self, enc, emask, dec):
        eps = 1e-7
        km = None if emask is None else emask[:, None, :]
        gE = self.side_downsample0_encoder(enc[-1])
        g = mmean(gE, emask)
        outs, logits = [], []
        for k, i in enumerate(self.enc_layers):
            F = self.side_downsamples_encoder[k](enc[i])
            outs.append(interact(gE, F, km, eps, True))
            logits.append(self.side_gate_layer_encoder(g * mmean(F, emask)))
        SE = gE + self.side_projection_encoder(combine(outs, logits, False))
        gD = self.side_downsample0_decoder(dec[-1])
        T = gD.shape[1]
        if self.causal:
            cm = torch.tril(torch.ones(T, T))[None]
            counts = torch.arange(1, T + 1, dtype=torch.float64)[None, :, None]
            pool = lambda X: X.cumsum(1) / counts
        else:
            cm = None
            pool = lambda X: X.mean(1)
        g = pool(gD)
        outs, logits, Ts = [], [], []
        for k, i in enumerate(self.dec_layers):
            Tk = self.side_downsamples_decoder[k](dec[i])
            Tk = Tk + self.side_projection_crosser[k](interact(Tk, SE, km, eps, False))
            Ts.append(Tk)
            outs.append(interact(gD, Tk, cm, eps, True))
            logits.append(self.side_gate_layer_decoder(g * pool(Tk)))
        SD = gD + self.side_projection_decoder(combine(outs, logits, False))
        if self.causal:
            return self.side_final_upsample(SD)
        return self.side_final_upsample(torch.stack(Ts + [SD]))

def perturb(m, gen):
    # move every parameter off its init so LayerNorm scales, biases and gates all matter
    with torch.no_grad():
        for p in m.parameters():
            p.add_(0.3 * torch.randn(p.shape, generator=gen))

def T(x):
    return {'shape': list(x.shape), 'data': x.detach().reshape(-1).tolist()}

def dump(name, variant, config, model, inputs_json, y, gen):
    w = torch.randn(y.shape, generator=gen)
    params = {n: T(p) for n, p in model.state_dict().items()}
    loss = (y * w).sum()
    model.zero_grad()
    loss.backward()
    grads = {n: T(p.grad) for n, p in model.named_parameters()}
    with open(f'{out_dir}/{name}.json', 'w') as f:
        json.dump({'variant': variant, 'mode': 'train', 'source': 'torch reference (test support)', 'config': config,
                   'params': params, 'inputs': inputs_json, 'output': T(y),
                   'loss': {'value': loss.item(), 'loss_weights': T(w)}, 'grads': grads}, f)

gen = torch.Generator().manual_seed(7)
def randn(*s):
    return torch.randn(*s, generator=gen)

# CLIP-ViL: 5 hidden states of width 12, r = 2; row 1 padded after 3 tokens; official switches and an ablated one
B, L, H = 2, 5, 12
hs = [randn(B, L, H) for _ in range(5)]
mask = torch.tensor([[1.0] * 5, [1.0, 1.0, 1.0, 0.0, 0.0]])
for name, kind, ident, unif in [('clipvil-official', 'relu-l1', True, False), ('clipvil-softmax-noid-uniform', 'softmax', False, True)]:
    m = ClipVil(H, 5, 2, kind, ident, unif)
    perturb(m, gen)
    cfg = {'num_layer': 5, 'hidden_size': H, 'reduction_factor': 2}
    if name != 'clipvil-official':
        cfg.update({'interaction': kind, 'identity': ident, 'aggregation': 'uniform' if unif else 'gate'})
    dump(name, 'clip-vil', cfg, m, {'all_hidden_features': [T(h) for h in hs], 'mask': T(mask)}, m(hs, mask), gen)

# MDETR: d_model 8, D = 2, 4 layers per side with select_layers [1, 3]; 6 encoder tokens (row 1: 2 padded), 3 queries
D, S, Q = 8, 6, 3
enc = [randn(B, S, D) for _ in range(5)]
dec = [torch.zeros(B, Q, D)] + [randn(B, Q, D) for _ in range(4)]
emask = torch.tensor([[1.0] * 6, [1.0, 1.0, 1.0, 1.0, 0.0, 0.0]])
m = EncDec(D, 2, [1, 3], [1, 3], False)
perturb(m, gen)
dump('mdetr-official', 'mdetr', {'d_model': D, 'num_layers': 4, 'downsample_D_factor': 2, 'select_layers': [1, 3]}, m,
     {'encoder_features': [T(x) for x in enc], 'encoder_mask': T(emask), 'decoder_features': [T(x) for x in dec]},
     m(enc, emask, dec), gen)

# T5-style encoder-decoder: d_model 8, D = 2, 3 encoder and 2 decoder layers, every layer below the guide
Tt = 4
enc = [randn(B, S, D) for _ in range(4)]
dec = [randn(B, Tt, D) for _ in range(3)]
m = EncDec(D, 2, [0, 1, 2], [0, 1], True)
perturb(m, gen)
dump('encdec-inferred', 'encoder-decoder', {'d_model': D, 'num_encoder_layers': 3, 'num_decoder_layers': 2, 'downsample_D_factor': 2, 'layers': None}, m,
     {'encoder_features': [T(x) for x in enc], 'encoder_mask': T(emask), 'decoder_features': [T(x) for x in dec]},
     m(enc, emask, dec), gen)
`;

function torchAvailable(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0 ? null : `${PYTHON} cannot import torch: ${(r.stderr || '').trim().split('\n').pop()}`;
}

await initBackend('wasm');
const why = torchAvailable();

test('CLIP-ViL, MDETR and the T5 encoder-decoder match an independent float64 PyTorch implementation', { skip: why ?? false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'unipt-torchref-'));
  try {
    const script = join(dir, 'make_ref.py');
    writeFileSync(script, SCRIPT);
    const r = spawnSync(PYTHON, [script, dir], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `reference script failed: ${r.stderr}`);
    const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    assert.deepEqual(files, ['clipvil-official.json', 'clipvil-softmax-noid-uniform.json', 'encdec-inferred.json', 'mdetr-official.json']);
    for (const f of files) {
      const rep = runGoldenFile(join(dir, f));
      console.log(`torchref ${formatReport(rep)}`);
      assert.deepEqual(reportFailures(rep), []);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
