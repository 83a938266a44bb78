// Real images and video frames as float tensors' data (shared API; owner: image-text).
//   loadImage(path, size, {crop: 'center'|'random'|'resize', normalize: 'imagenet'|'clip'|'none', scale, flip, rng})
//     -> Promise<Float32Array>  size x size x 3, HWC, RGB, normalised (default ImageNet, centre crop)
//   loadFrames(folder, count, {size, ...}) -> Promise<{frames, files}>  frames sampled uniformly in name order
//   uniformFrameIndices(n, count), listImages(folder), normalizeInPlace(pixels, n), flipHorizontal(pixels, size)
// Stack HWC buffers into an NHWC tensor with tf.tensor4d(concatenated, [B, size, size, 3]).
export { loadImage, loadFrames, listImages, uniformFrameIndices, IMAGE_EXTENSIONS, type CropMode, type LoadImageOptions, type LoadFramesOptions } from './load.js';
export { normalizeInPlace, normalizationStats, flipHorizontal, IMAGENET_MEAN, IMAGENET_STD, CLIP_MEAN, CLIP_STD, type Normalization } from './normalize.js';
