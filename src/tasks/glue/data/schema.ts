// The eight GLUE tasks' schemas: text fields and label sets as in the Hugging Face `glue` dataset, where each
// task's files live in the GLUE distribution and in the HF Parquet export, and which LST split rule applies.
export const GLUE_TASK_IDS = ['glue-cola', 'glue-sst2', 'glue-mrpc', 'glue-qqp', 'glue-stsb', 'glue-mnli', 'glue-qnli', 'glue-rte'] as const;
export type GlueTaskId = (typeof GLUE_TASK_IDS)[number];

interface FieldsOf {
  'glue-cola': 'sentence';
  'glue-sst2': 'sentence';
  'glue-mrpc': 'sentence1' | 'sentence2';
  'glue-qqp': 'question1' | 'question2';
  'glue-stsb': 'sentence1' | 'sentence2';
  'glue-mnli': 'premise' | 'hypothesis';
  'glue-qnli': 'question' | 'sentence';
  'glue-rte': 'sentence1' | 'sentence2';
}
/** One example of task T: its text fields, the label (class id, or the 0-5 score for STS-B) and its index. */
export type GlueExampleOf<T extends GlueTaskId> = { idx: number; label: number } & { [K in FieldsOf[T]]: string };
export type GlueExample = { [T in GlueTaskId]: GlueExampleOf<T> }[GlueTaskId];

/**
 * LST's split rule (Compacter-style): 'small' halves the dev set into validation/test, 'large' takes 1,000
 * training examples as validation and the dev set as test, 'mnli' uses dev_mismatched/dev_matched.
 */
export type SplitRule = 'small' | 'large' | 'mnli';

export interface GlueTaskSchema {
  id: GlueTaskId;
  /** GLUE's name and its folder in the GLUE distribution. */
  name: string;
  glueDir: string;
  /** The Hugging Face `glue` config (and Parquet folder) name. */
  hfConfig: string;
  /** Text fields, first then second (pair tasks). */
  fields: readonly [string] | readonly [string, string];
  /** Label names by class id (HF ClassLabel order); null for the STS-B regression. */
  labels: readonly string[] | null;
  isRegression: boolean;
  splitRule: SplitRule;
}

function s(id: GlueTaskId, name: string, glueDir: string, hfConfig: string, fields: GlueTaskSchema['fields'], labels: readonly string[] | null, splitRule: SplitRule): GlueTaskSchema {
  return { id, name, glueDir, hfConfig, fields, labels, isRegression: labels === null, splitRule };
}

export const GLUE_SCHEMAS: Record<GlueTaskId, GlueTaskSchema> = {
  'glue-cola': s('glue-cola', 'CoLA', 'CoLA', 'cola', ['sentence'], ['unacceptable', 'acceptable'], 'small'),
  'glue-sst2': s('glue-sst2', 'SST-2', 'SST-2', 'sst2', ['sentence'], ['negative', 'positive'], 'large'),
  'glue-mrpc': s('glue-mrpc', 'MRPC', 'MRPC', 'mrpc', ['sentence1', 'sentence2'], ['not_equivalent', 'equivalent'], 'small'),
  'glue-qqp': s('glue-qqp', 'QQP', 'QQP', 'qqp', ['question1', 'question2'], ['not_duplicate', 'duplicate'], 'large'),
  'glue-stsb': s('glue-stsb', 'STS-B', 'STS-B', 'stsb', ['sentence1', 'sentence2'], null, 'small'),
  'glue-mnli': s('glue-mnli', 'MNLI', 'MNLI', 'mnli', ['premise', 'hypothesis'], ['entailment', 'neutral', 'contradiction'], 'mnli'),
  'glue-qnli': s('glue-qnli', 'QNLI', 'QNLI', 'qnli', ['question', 'sentence'], ['entailment', 'not_entailment'], 'large'),
  'glue-rte': s('glue-rte', 'RTE', 'RTE', 'rte', ['sentence1', 'sentence2'], ['entailment', 'not_entailment'], 'small'),
};

export function isGlueTaskId(id: string): id is GlueTaskId { return (GLUE_TASK_IDS as readonly string[]).includes(id); }

export function glueSchema(id: string): GlueTaskSchema {
  if (!isGlueTaskId(id)) throw new Error(`unknown GLUE task "${id}"; known: ${GLUE_TASK_IDS.join(', ')}`);
  return GLUE_SCHEMAS[id];
}

/** The example's texts in field order: [sentence] or [first, second]. */
export function exampleTexts(schema: GlueTaskSchema, ex: GlueExample): [string] | [string, string] {
  const r = ex as unknown as Record<string, string>;
  return schema.fields.length === 1 ? [r[schema.fields[0]]] : [r[schema.fields[0]], r[schema.fields[1]]];
}

/** Where users get the real data (used in error messages). */
export function glueSourceHint(schema: GlueTaskSchema): string {
  return `get it from https://gluebenchmark.com/tasks (the GLUE distribution's ${schema.glueDir} folder) or, in Python, ` +
    `datasets.load_dataset("glue", "${schema.hfConfig}") and save each split with .to_parquet("${schema.hfConfig}/<split>-00000-of-00001.parquet")`;
}
