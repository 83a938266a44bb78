// ResNet / ResNeXt backbones (shared API; owner: image-text).
//
//   const { model } = loadResNet(folder, { seed })      // config.json + model.safetensors, torchvision names
//   const model = new ResNet(ResNetConfigSchema.parse({...}), seed)
//   const { stages, channels } = model.forward(images, ctx)   // images NHWC [B, H, W, 3], normalised
//     stages: the four stage outputs NHWC [B, H/s, W/s, C] with s = model.strides (ImageNet stem 4, 8, 16, 32;
//     'mini' stem 1, 2, 4, 8) and C = channels (planes x 4: 256, 512, 1024, 2048 at paper size)
//   model.setBatchNormMode('running' | 'batch')  // 'running' (default): BN in eval mode (frozen statistics) in every
//     method, as VSE∞/MDETR keep it; the BN affine trains when the method makes it trainable. 'batch': batch
//     statistics in training (pretraining from scratch).
// Names follow torchvision (conv1, bn1, layer1.0.conv2, layer2.0.downsample.0, ...); saveResNet/loadResNet
// round-trip exactly; loadResNetWeights(model, weights, prefix) reads from a larger checkpoint (e.g. MDETR's
// `backbone.0.body.`). 1x1 convs are nn Linear layers ([in, out]; [out, in, 1, 1] in files), 3x3 and stem convs
// Conv2d ([kh, kw, in/groups, out]; [out, in/groups, kh, kw] in files). Every stage (`layerN`) has a site
// `layerN:output` (after its last block). Each block runs in its own tf.tidy.
// Presets: RESNET_PRESETS.resnet50 / resnet101 / 'resnext101-32x8d' (torchvision configurations).
export { ResNetConfigSchema, RESNET_PRESETS, EXPANSION, stageWidths, stageStrides, blockWidth, resnetParamCount, type ResNetConfig } from './config.js';
export { ResNet, ResNetStage, Bottleneck, Downsample, type ResNetOutput } from './resnet.js';
export { Conv2d, BatchNorm, type BatchNormMode } from './layers.js';
export { saveResNet, loadResNet, loadResNetWeights, resnetTensors, resnetConfigJson, detectResNetPrefix, type LoadedResNet, type ResNetLoadReport } from './checkpoint.js';
