// The ten vision-and-language tasks (reference section 1) with the training setups of their codebases (section 5).
// Their task families are built in a separate issue; until a family exists its tasks are listed as "not yet
// implemented" by the capability matrix and the planner, never silently dropped.
import type { MetricDef } from '../train/spec.js';
import type { PaperTrain, TaskDef } from './types.js';

const max = (name: string, description: string): MetricDef => ({ name, direction: 'max', description });
const min = (name: string, description: string): MetricDef => ({ name, direction: 'min', description });

/** Image-text retrieval (VSE∞ train.py validate): rsum first, then R@K in both directions. */
const ITR_METRICS: MetricDef[] = [
  max('rsum', 'sum of the six recalls below'),
  max('i2t_r1', 'image-to-text R@1 (%)'), max('i2t_r5', 'image-to-text R@5 (%)'), max('i2t_r10', 'image-to-text R@10 (%)'),
  max('t2i_r1', 'text-to-image R@1 (%)'), max('t2i_r5', 'text-to-image R@5 (%)'), max('t2i_r10', 'text-to-image R@10 (%)'),
];

/** Video-text retrieval (CLIP4Clip main_task_retrieval.py L452-465); model selection is by T2V R@1 (L578-584). */
const VTR_METRICS: MetricDef[] = [
  max('t2v_r1', 'text-to-video R@1 (%)'), max('t2v_r5', 'text-to-video R@5 (%)'), max('t2v_r10', 'text-to-video R@10 (%)'),
  min('t2v_mdr', 'text-to-video median rank'), min('t2v_mnr', 'text-to-video mean rank'),
  max('v2t_r1', 'video-to-text R@1 (%)'), max('v2t_r5', 'video-to-text R@5 (%)'), max('v2t_r10', 'video-to-text R@10 (%)'),
  min('v2t_mdr', 'video-to-text median rank'), min('v2t_mnr', 'video-to-text mean rank'),
];

// Mini defaults for families still being built: the family's author tunes them when the family lands.
const VL_MINI = { epochs: 4, batchSize: 32, lr: 1e-3, schedule: 'linear', warmupRatio: 0.06 } as const;
/** Image-text mini (tuned for ~6 s runs): 2 epochs = VSE∞'s VSE0 warm-up epoch + one hardest-negative epoch. */
const ITR_MINI = { epochs: 2, batchSize: 16, lr: 2e-3, schedule: 'linear', warmupRatio: 0.06 } as const;
/** Video-text mini (tuned for ~6 s runs). */
const VTR_MINI = { epochs: 2, batchSize: 32, lr: 2e-3, schedule: 'linear', warmupRatio: 0.06 } as const;

const VSE_TRAIN: PaperTrain = {
  train: { epochs: 25, batchSize: 112, lr: 5e-4, schedule: 'step', lrDropEpoch: 15, weightDecay: 1e-4, clipNorm: 2 },
  provenance: '[CODE UniPT] VSE-infty/train_{coco,f30k}_wsl.sh + arguments.py: 1 GPU, batch 112, 25 epochs, AdamW lr 5e-4 for all groups, x0.1 at epoch 15, weight_decay 1e-4, grad-clip 2.0, margin 0.2, D=2; baselines\' lrs are [UNKNOWN]: the same lr is used [INFERRED]',
};
const VSE_SETUP = { epochs: 25, lr: 5e-4, batchSize: 112, notes: 'VSE∞ scripts: AdamW wd 1e-4, lr x0.1 at epoch 15, grad-clip 2.0, hinge triplet loss (VSE0 in epoch 0, hardest negatives after), D=2 [CODE]' };

const CLIP4CLIP_TRAIN: PaperTrain = {
  train: { epochs: 5, batchSize: 128, lr: 1e-4, schedule: 'cosine', warmupRatio: 0.1, weightDecay: 0.2, clipNorm: 1 },
  provenance: '[CODE UniPT] CLIP4Clip/train_{msrvtt,msvd}_tuning.sh: 4 GPUs, batch 128 total, 5 epochs, BertAdam lr 1e-4 warmup_cosine (warm-up 0.1), betas (0.9,0.98), eps 1e-6, weight decay 0.2, grad-norm clip 1.0; baselines\' lrs [UNKNOWN]: the same lr is used [INFERRED]',
};
const CLIP4CLIP_SETUP = { epochs: 5, lr: 1e-4, batchSize: 128, notes: 'CLIP4Clip meanP, ViT-B/32, max_words 32, max_frames 12, 4 GPUs DDP [CODE]' };

function clipVilTrain(lr: number, lstBaselines: boolean): PaperTrain {
  const common = `[CODE UniPT] CLIP-ViL/scripts/train_side_{vqa,gqa}.sh: 4 processes x batch 32 x gradient accumulation 8 (= 1,024 examples per optimizer step), 5 epochs, AdamW lr ${lr} linear with warm-up 0.05, weight_decay 0.01, fp16`;
  return {
    train: { epochs: 5, batchSize: 1024, lr, schedule: 'linear', warmupRatio: 0.05, weightDecay: 0.01 },
    ...(lstBaselines
      ? { lrByMethod: { full: 5e-5, adapter: 5e-4, lora: 5e-4, lst: 5e-4 }, provenance: `${common}; full/adapter/LoRA/LST lrs from the LST repo's CLIP-ViL VQA scripts [CODE LST]; other baselines' lrs [UNKNOWN]: UniPT's lr is used [INFERRED]` }
      : { provenance: `${common}; baselines' lrs [UNKNOWN]: UniPT's lr is used [INFERRED]` }),
  };
}

const MDETR_TRAIN: PaperTrain = {
  train: { epochs: 10, batchSize: 8, lr: 5e-4, schedule: 'step', lrDropEpoch: 5, weightDecay: 1e-4, clipNorm: 0.1 },
  provenance: '[CODE UniPT] MDETR/train_refcoco*.sh + configs/refcoco*.json: 2 GPUs x batch 4, 10 epochs, side lr 5e-4 and heads 5e-5 (two groups), all x0.1 at epoch 5, AdamW weight_decay 1e-4, grad-clip 0.1, EMA 0.9998; baselines\' lrs [UNKNOWN]: the same lr is used [INFERRED]',
};
const MDETR_SETUP = { epochs: 10, lr: 'side 5e-4, heads 5e-5', batchSize: 8, notes: 'MDETR scripts: lr_drop 5, AdamW wd 1e-4, grad-clip 0.1, EMA, Hungarian matching losses, init from the MDETR pre-trained R101 checkpoint [CODE]' };

const VSE_BACKBONE = 'VSE∞ (BERT-base + ResNeXt-101 32x8d WSL, GPO pooling)';
const SCAN_SOURCE = 'SCAN/VSE∞ split files (https://github.com/kuanghuei/SCAN "data.zip", or the VSE∞ README\'s links) + the raw images (Flickr30K: https://shannon.cs.illinois.edu/DenotationGraph/ ; COCO: https://cocodataset.org train2014/val2014) + id_mapping.json from the VSE∞ README';

function itr(id: string, title: string, dataset: string, folder: string, splits: TaskDef['splits'], layout: string, extra: Partial<TaskDef> = {}): TaskDef {
  return {
    id, title, family: 'image-text', dataset, paperBackbone: VSE_BACKBONE, backboneFamilies: ['vse'], defaultBackbone: 'vse-mini',
    metrics: ITR_METRICS, splits,
    realData: { layout, source: SCAN_SOURCE, folder },
    mini: { description: 'procedural scenes (shapes with colour, size and position) rendered to pixels, with captions generated from each scene, 5 per image' },
    paperSetup: VSE_SETUP, paperTrain: VSE_TRAIN, miniTrain: { ...ITR_MINI }, version: '1', ...extra,
  };
}

function vtr(id: string, title: string, dataset: string, folder: string, splits: TaskDef['splits'], layout: string, source: string): TaskDef {
  return {
    id, title, family: 'video-text', dataset, paperBackbone: 'CLIP4Clip (CLIP ViT-B/32 image encoder over frames + CLIP text transformer, meanP)',
    backboneFamilies: ['clip'], defaultBackbone: 'clip-mini', metrics: VTR_METRICS, splits,
    realData: { layout, source, folder },
    mini: { description: 'short procedural frame sequences with moving shapes, captions generated from the motion' },
    paperSetup: CLIP4CLIP_SETUP, paperTrain: CLIP4CLIP_TRAIN, miniTrain: { ...VTR_MINI }, version: '1',
  };
}

// VQA mini: one epoch of 600 questions at a constant lr (the head starts from clip-vil-mini's pretraining QA head,
// --loadLXMERTQA), so a run stays within a few seconds on one core; GQA's compositional questions take steps of 8.
const VQA_MINI = { epochs: 1, batchSize: 16, lr: 1e-3, schedule: 'constant', warmupRatio: 0 } as const;
const GQA_MINI = { ...VQA_MINI, batchSize: 8 } as const;

function vqa(id: string, title: string, dataset: string, folder: string, metric: MetricDef, splits: TaskDef['splits'], layout: string, source: string, lr: number): TaskDef {
  return {
    id, title, family: 'vqa', dataset,
    paperBackbone: 'CLIP-ViL (CLIP RN50x4 grid features + 12-layer single-stream BERT-style cross-modal encoder)',
    backboneFamilies: ['clip-vil'], defaultBackbone: 'clip-vil-mini', metrics: [metric], splits,
    realData: { layout, source, folder },
    mini: { description: 'procedural scenes with questions generated from the scene (colour, count, position) and soft answer scores' },
    paperSetup: { epochs: 5, lr, batchSize: 1024, notes: 'CLIP-ViL side scripts: 4 x 32 x accumulation 8, AdamW + linear schedule, warm-up 0.05, fp16, r=2, init from the CLIP-ViL pre-trained checkpoint, seed 9595 [CODE]' },
    paperTrain: clipVilTrain(lr, id === 'vqa-vqav2'), miniTrain: id === 'vqa-gqa' ? { ...GQA_MINI } : { ...VQA_MINI }, version: '1',
  };
}

// Grounding mini: one epoch of the 320 mini expressions in batches of 16 (20 steps: a step's cost is mostly fixed, so
// smaller batches buy more updates within the ~8 s a mini grounding run may take).
const GROUNDING_MINI = { epochs: 1, batchSize: 16, lr: 1e-3, schedule: 'constant', warmupRatio: 0 } as const;
// The side networks (UniPT, LST) replace the decoder output the heads read and start from scratch, so they take more
// of the (cheap, frozen-backbone) steps, both the same: on mini RefCOCO val UniPT's P@1 was 3% after one epoch at
// 1e-3 and 31% after five at 3e-3, while full fine-tuning is flat after one epoch (37.5 -> 31-37 over six). LST at
// r = 4 stays near the box prior (P@1 <= 8% at 1e-3, 3e-3 or 1e-2 within eight epochs; at r = 2, 25% after five).
const GROUNDING_MINI_BY_METHOD = { unipt: { epochs: 5, lr: 3e-3 }, lst: { epochs: 5, lr: 3e-3 } };

function refexp(id: string, title: string, dataset: string, name: string, testSplits: string[]): TaskDef {
  const metrics: MetricDef[] = [
    max('p1_val', 'Precision@1 at IoU >= 0.5 on val (%)'),
    ...testSplits.map((s) => max(`p1_${s}`, `Precision@1 at IoU >= 0.5 on ${s} (%)`)),
    max('p5_val', 'Precision@5 at IoU >= 0.5 on val (%)'), max('p10_val', 'Precision@10 at IoU >= 0.5 on val (%)'),
  ];
  return {
    id, title, family: 'grounding', dataset,
    paperBackbone: 'MDETR (ResNet-101 + RoBERTa-base, 6+6-layer transformer, d=256, 100 queries)',
    backboneFamilies: ['mdetr'], defaultBackbone: 'mdetr-mini', metrics,
    splits: { train: 'train', validation: 'val', test: testSplits.join(' and ') },
    realData: {
      layout: `mdetr_annotations/finetune_${name}_{train,val,${testSplits.join(',')}}.json (COCO-style, MDETR pre-processing) + images/ (COCO train2014 JPEGs)`,
      source: 'MDETR annotations: https://zenodo.org/record/4729015 (mdetr_annotations.tar.gz); COCO train2014 images: https://cocodataset.org',
      folder: `refexp/${name}`,
    },
    mini: { description: 'procedural scenes with several shapes and referring expressions that single one out (colour, size, relative position), with its box' },
    paperSetup: MDETR_SETUP, paperTrain: MDETR_TRAIN, miniTrain: { ...GROUNDING_MINI }, miniTrainByMethod: GROUNDING_MINI_BY_METHOD, version: '2',
  };
}

export const VL_TASKS: TaskDef[] = [
  itr('itr-flickr30k', 'Flickr30K image-text retrieval', 'Flickr30K', 'f30k',
    { train: 'Karpathy train, 29,000 images x 5 captions', validation: 'dev, 1,014 images', test: 'test, 1,000 images' },
    'precomp/{train,dev,test}_ids.txt and {train,dev,test}_caps.txt (SCAN split files), images/ (Flickr30K JPEGs), id_mapping.json (index -> file name)'),
  itr('itr-coco-1k', 'MSCOCO image-text retrieval, 5-fold 1K test', 'MSCOCO', 'coco',
    { train: 'Karpathy train incl. restval, 113,287 images x 5 captions', validation: 'dev truncated to 5,000 captions (1,000 images), as VSE∞', test: 'testall, 5 folds of 1,000 images (metrics averaged over folds)' },
    'precomp/{train,dev,testall}_ids.txt and _caps.txt (SCAN split files), images/ (COCO train2014 + val2014 JPEGs), id_mapping.json (COCO id -> file name)'),
  itr('itr-coco-5k', 'MSCOCO image-text retrieval, full 5K test', 'MSCOCO', 'coco',
    { train: 'the itr-coco-1k training run', validation: 'dev truncated to 5,000 captions (1,000 images)', test: 'testall, all 5,000 images at once' },
    'same folder as itr-coco-1k',
    { evaluatedFrom: { task: 'itr-coco-1k', metricPrefix: '5k_' } }),
  vtr('vtr-msrvtt', 'MSR-VTT video-text retrieval (9k / 1k-A)', 'MSR-VTT', 'msrvtt',
    { train: 'MSRVTT_train.9k.csv: 9,000 videos with all ~20 captions each', validation: 'the 1k-A test (CLIP4Clip selects epochs on it)', test: 'MSRVTT_JSFUSION_test.csv: 1,000 video-sentence pairs (1k-A)' },
    'MSRVTT_train.9k.csv, MSRVTT_JSFUSION_test.csv, MSRVTT_data.json, frames/<video_id>/*.jpg (frames pre-extracted, e.g. 3 fps, short side 224)',
    'CLIP4Clip msrvtt_data.zip (https://github.com/ArrowLuo/CLIP4Clip README) + raw videos (Frozen-in-Time MSRVTT.zip), frames extracted with ffmpeg'),
  vtr('vtr-msvd', 'MSVD video-text retrieval', 'MSVD', 'msvd',
    { train: 'train_list.txt, 1,200 videos', validation: 'val_list.txt, 100 videos', test: 'test_list.txt, 670 videos, multi-sentence (~40 captions each)' },
    'train_list.txt, val_list.txt, test_list.txt, raw-captions.pkl, frames/<video_id>/*.jpg',
    'CLIP4Clip msvd_data.zip (https://github.com/ArrowLuo/CLIP4Clip README) + raw videos from UT Austin (YouTubeClips.tar), frames extracted with ffmpeg'),
  vqa('vqa-vqav2', 'VQAv2 visual question answering', 'VQAv2', 'vqa',
    max('vqa_accuracy', 'VQA soft accuracy min(#humans that gave the answer / 3, 1) (%)'),
    { train: 'train + nominival (LXMERT splits)', validation: 'minival', test: 'minival here; test-dev/test-std need an EvalAI submission' },
    'train.json, nominival.json, minival.json, test.json, trainval_ans2label.json, trainval_label2ans.json (LXMERT format) + images/ (COCO train2014/val2014/test2015)',
    'LXMERT data (https://github.com/airsplay/lxmert README, data/vqa/) + COCO images (https://cocodataset.org)', 5e-4),
  vqa('vqa-gqa', 'GQA compositional question answering', 'GQA', 'gqa',
    max('accuracy', 'exact-match accuracy on testdev (%)'),
    { train: 'train + valid', validation: 'testdev (the script evaluates on it)', test: 'testdev' },
    'train.json, valid.json, testdev.json, trainval_ans2label.json, trainval_label2ans.json (LXMERT format) + images/ (GQA images)',
    'LXMERT data (https://github.com/airsplay/lxmert README, data/gqa/) + GQA images (https://cs.stanford.edu/people/dorarad/gqa/)', 1e-4),
  refexp('vg-refcoco', 'RefCOCO referring expression comprehension', 'RefCOCO', 'refcoco', ['testA', 'testB']),
  refexp('vg-refcocoplus', 'RefCOCO+ referring expression comprehension', 'RefCOCO+', 'refcoco+', ['testA', 'testB']),
  refexp('vg-refcocog', 'RefCOCOg (umd) referring expression comprehension', 'RefCOCOg', 'refcocog', ['test']),
];
