import { miniRefexpData } from '../../src/tasks/grounding/data/mini.js';
for (const style of ['refcoco', 'refcoco+', 'refcocog'] as const) {
  const t0 = performance.now();
  const d = miniRefexpData(style, 0);
  console.log(style, ((performance.now() - t0) / 1000).toFixed(2), 's', d.train.items.length, d.train.images.count, d.evals.map((e) => `${e.name}:${e.items.length}`).join(' '));
  for (const it of d.train.items.slice(0, 6)) console.log('  ', JSON.stringify(it.caption), it.targets[0].spans, JSON.stringify(it.caption.slice(...it.targets[0].spans[0])), it.targets[0].box.map((v) => v.toFixed(2)).join(','));
  const L = d.train.items.map((i) => i.caption.split(' ').length); console.log('  max words', Math.max(...L), 'mean', (L.reduce((a, b) => a + b, 0) / L.length).toFixed(1));
}
