// The VQA family's data model, shared by the real-format loaders (LXMERT JSON) and the mini generator.

/** One question, as an entry of LXMERT's JSON files. */
export interface VqaExample {
  /** VQA: a number (kept as its decimal string); GQA: a string. */
  questionId: string;
  /** Image id: COCO file stem (VQA, e.g. "COCO_val2014_000000393267") or GQA image id. */
  imgId: string;
  /** The question. */
  sent: string;
  /** Answer -> soft score in [0, 1] (VQA: from the annotators; GQA: the one answer with 1); null when unlabelled. */
  label: Record<string, number> | null;
}

export interface AnswerVocab {
  ans2label: ReadonlyMap<string, number>;
  label2ans: readonly string[];
}

/** Pixels of the images a split refers to: RGB in [0, 1], HWC, `size` x `size`, keyed by image id. */
export interface ImageSource {
  size: number;
  /** Image ids in a fixed order (the index is used by the feature cache). */
  ids: readonly string[];
  /** Decodes (or renders) image `i` of `ids`. */
  pixels(i: number): Float32Array | Promise<Float32Array>;
}

export interface VqaSplits {
  train: VqaExample[];
  validation: VqaExample[];
  test: VqaExample[];
  answers: AnswerVocab;
  images: ImageSource;
  /** Where the data came from (for messages and the data fingerprint). */
  origin: string;
  /** How many label entries were dropped because the answer is not in the vocabulary (as LXMERT's GQA loader). */
  unknownAnswers: number;
}
