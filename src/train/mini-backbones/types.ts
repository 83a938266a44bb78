// A mini backbone the project makes itself: `build(dir)` writes a complete Hugging Face folder (config.json,
// model.safetensors, tokenizer files, pretraining.json), deterministically.
export interface MiniRecipe {
  id: string;
  /** Bumped when the recipe changes (the checkpoint hash changes with it anyway). */
  version: string;
  build(dir: string, log: (line: string) => void): Promise<void>;
}
