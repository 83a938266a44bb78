// Per-channel normalisation of RGB images in [0, 1] (HWC): ImageNet statistics (torchvision, VSE∞, MDETR) or CLIP's.
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

export type Normalization = 'imagenet' | 'clip' | 'none';

export function normalizationStats(n: Normalization): { mean: readonly number[]; std: readonly number[] } {
  switch (n) {
    case 'imagenet': return { mean: IMAGENET_MEAN, std: IMAGENET_STD };
    case 'clip': return { mean: CLIP_MEAN, std: CLIP_STD };
    case 'none': return { mean: [0, 0, 0], std: [1, 1, 1] };
  }
}

/** (x - mean) / std per channel, in place on an HWC buffer with 3 channels; returns the same buffer. */
export function normalizeInPlace(pixels: Float32Array, n: Normalization): Float32Array {
  if (n === 'none') return pixels;
  if (pixels.length % 3 !== 0) throw new Error(`normalizeInPlace: ${pixels.length} values is not a multiple of 3 (RGB, HWC)`);
  const { mean, std } = normalizationStats(n);
  for (let i = 0; i < pixels.length; i += 3) {
    pixels[i] = (pixels[i] - mean[0]) / std[0];
    pixels[i + 1] = (pixels[i + 1] - mean[1]) / std[1];
    pixels[i + 2] = (pixels[i + 2] - mean[2]) / std[2];
  }
  return pixels;
}

/** Mirrors an HWC image left-right (a new buffer). */
export function flipHorizontal(pixels: Float32Array, size: number, channels = 3): Float32Array {
  const out = new Float32Array(pixels.length);
  const H = pixels.length / (size * channels);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < size; x++) {
      const s = (y * size + x) * channels, d = (y * size + (size - 1 - x)) * channels;
      for (let c = 0; c < channels; c++) out[d + c] = pixels[s + c];
    }
  }
  return out;
}
