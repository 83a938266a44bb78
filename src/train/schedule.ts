// Learning-rate schedules as the reference codebases use them: linear warm-up then linear decay to zero (Hugging
// Face Trainer, CLIP-ViL), cosine (CLIP4Clip's warmup_cosine), constant, or a step drop x0.1 at an epoch (VSE∞,
// MDETR).
import type { TrainConfig } from './spec.js';

export function lrAt(cfg: TrainConfig, step: number, totalSteps: number, stepsPerEpoch: number): number {
  const warm = Math.round(cfg.warmupRatio * totalSteps);
  if (warm > 0 && step < warm) return cfg.lr * (step + 1) / warm;
  const span = Math.max(1, totalSteps - warm);
  const t = Math.min(1, (step - warm) / span);
  switch (cfg.schedule) {
    case 'constant': return cfg.lr;
    case 'linear': return cfg.lr * (1 - t);
    case 'cosine': return cfg.lr * 0.5 * (1 + Math.cos(Math.PI * t));
    case 'step': {
      const epoch = Math.floor(step / Math.max(1, stepsPerEpoch));
      return cfg.lrDropEpoch !== undefined && epoch >= cfg.lrDropEpoch ? cfg.lr * 0.1 : cfg.lr;
    }
  }
}
