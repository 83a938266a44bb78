import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { requireFile, readConfigJson, checkpointHash, CheckpointError } from '../../src/backbones/hf/config.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'hfcfg-'));
  try { fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

test('requireFile names the folder, the missing file, what it is for and the fix', () => {
  withDir((dir) => {
    const folder = join(dir, 'text-mini');
    assert.throws(() => requireFile(folder, 'model.safetensors', 'the weights', 'run `unipt pretrain text-mini`'),
      (e: Error) => e instanceof CheckpointError && e.message.includes(`${folder} does not exist`) && e.message.includes('run `unipt pretrain text-mini`'));
    mkdirSync(folder);
    assert.throws(() => requireFile(folder, 'model.safetensors', 'the weights', 'run `unipt pretrain text-mini`'),
      { message: `no model.safetensors in ${folder} (the weights): run \`unipt pretrain text-mini\`` });
    assert.throws(() => requireFile(folder, 'config.json', 'the model configuration'),
      /no config\.json in .*text-mini \(the model configuration\): point --backbone at a folder with config\.json, model\.safetensors and tokenizer\.json/);
    writeFileSync(join(folder, 'config.json'), '{}');
    assert.equal(requireFile(folder, 'config.json', 'x'), join(folder, 'config.json'));
    assert.throws(() => requireFile(join(folder, 'config.json'), 'a', 'x'), /config\.json is not a folder/);
  });
});

const Schema = z.object({ hidden_size: z.number().int().positive(), act: z.enum(['gelu', 'relu']), nested: z.object({ k: z.number() }).optional() });

test('readConfigJson validates with the caller schema and names the file and each bad key', () => {
  withDir((dir) => {
    const p = join(dir, 'config.json');
    writeFileSync(p, JSON.stringify({ hidden_size: 64, act: 'gelu', extra: true }));
    assert.deepEqual(readConfigJson(dir, Schema), { hidden_size: 64, act: 'gelu' });
    writeFileSync(p, JSON.stringify({ hidden_size: '64', act: 'swish', nested: { k: 'x' } }));
    assert.throws(() => readConfigJson(dir, Schema), (e: Error) => {
      assert.match(e.message, new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not a valid configuration`));
      assert.match(e.message, /key "hidden_size": [^;]*number/i);
      assert.match(e.message, /key "act": [^;]*"gelu"[^;]*"relu"/);
      assert.match(e.message, /key "nested\.k"/);
      assert.match(e.message, /Fix those keys in /);
      return true;
    });
    writeFileSync(p, '{\n  "hidden_size": 64,\n  "act": "gelu"\n  "x": 1\n}');
    assert.throws(() => readConfigJson(dir, Schema), /config\.json is not valid JSON at line 4, column 3/);
    writeFileSync(p, '[1]');
    assert.throws(() => readConfigJson(dir, Schema), /must hold a JSON object/);
  });
});

test('checkpointHash is sha256 over the weight files (name, size, bytes) and ignores other files', () => {
  withDir((dir) => {
    assert.throws(() => checkpointHash(dir), /no \*\.safetensors weight files in/);
    writeFileSync(join(dir, 'model.safetensors'), 'abc');
    writeFileSync(join(dir, 'tokenizer.json'), '{}');
    const expected = createHash('sha256').update('model.safetensors\0' + '3\0').update('abc').digest('hex');
    assert.equal(checkpointHash(dir), expected);
    writeFileSync(join(dir, 'tokenizer.json'), '{"changed": 1}');
    assert.equal(checkpointHash(dir), expected, 'a non-weight file does not change the hash');
    assert.notEqual(checkpointHash(dir, ['tokenizer.json']), expected, 'unless asked for');
    writeFileSync(join(dir, 'model.safetensors'), 'abd');
    assert.notEqual(checkpointHash(dir), expected, 'one changed byte changes the hash');
  });
});
