// `unipt pretrain <id>`: builds one of the project's mini backbones (deterministic) into models/<id>.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { initBackend } from '../engine/backend.js';
import { miniRecipeIds, pretrainBackbone } from '../train/pretrain.js';

export function registerPretrainCommand(program: Command): void {
  program.command('pretrain')
    .description(`pretrain a mini backbone the project makes itself (${miniRecipeIds().join(', ')}) into models/<id>`)
    .argument('<id>', 'mini backbone id')
    .option('--out <folder>', 'write the checkpoint here instead of models/<id>')
    .option('--force', 'rebuild even if the checkpoint exists', false)
    .option('--backend <name>', 'tensor backend', 'auto')
    .action(async (id: string, o: { out?: string; force: boolean; backend: string }) => {
      const b = await initBackend(o.backend);
      const log = (l: string) => process.stderr.write(`${l}\n`);
      log(`backend: ${b.name}`);
      const dir = await pretrainBackbone(id, { out: o.out ? resolve(o.out) : undefined, force: o.force, log });
      console.log(dir);
    });
}
