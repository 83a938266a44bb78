// Procedural scenes for the vision-and-language families (shared API; owner: image-text).
//
// What a scene is
//   A Scene is 0-9 flat objects on a gray, slightly noisy background. Each SceneObject has a shape (SHAPES: circle,
//   square, triangle, diamond, cross, star), a colour (SCENE_COLORS: the language's colour words minus gray), a size
//   word (small / large, radius SIZE_RADIUS), an optional second attribute (pattern: solid / striped, only when
//   sampled with `patterns: true`), a centre (x, y) and radius r normalised to the image side (x right, y down), and
//   a shade (lighting jitter). Everything is drawn from the caller's Rng: same seed, same scene, same pixels.
//
// Functions (all deterministic given the Rng)
//   sampleScene(rng, opts?) -> Scene                       objects placed without overlap (SceneOptions)
//   renderScene(scene, size, opts?) -> Float32Array         RGB in [0,1], HWC row-major, size x size x 3; own
//                                                           rasteriser, 3x3 supersampling anti-aliasing by default
//   renderScenes(scenes, size) -> Float32Array              [n, size, size, 3] for a batch tensor
//   sceneCaptions(scene, rng, n = 5, opts?) -> string[]     full + partial captions (kinds: full, relation, count,
//                                                           position, partial), e.g. "a small red circle is left of
//                                                           a large blue star ."
//   sceneQuestions(scene, rng, n, types?, opts?)            VQA-style {type, question, answer, answers[10]}; types:
//                                                           count, color, shape, size, relation (yes/no), exist
//                                                           (yes/no); ANSWER_VOCABULARY lists every answer
//   referringExpressions(scene, rng, n, {size, style})      {text, targetId, box {x,y,w,h} in pixels at `size`};
//                                                           styles refcoco / refcoco+ (no location words) / refcocog
//   sampleClip(rng, opts?) -> Clip                          frames (Scene per frame) + events: move (left/right/
//                                                           up/down), appear, disappear, recolor
//   renderClip(clip, size) -> Float32Array[]; clipCaptions(clip, rng, n = 5) -> string[]
//   objectBox(object, size) -> Box; boxIou(a, b)            exact footprint box of a drawn object
//   attributeLabels(scene) -> Float32Array                  multi-label targets (ATTRIBUTE_LABELS) for pretraining
//
// Text and the tokenizer
//   Scene text is lowercase words separated by spaces, punctuation as separate tokens (" ." " ," " ?"). Function
//   words, colours and numbers come from the procedural language (src/data/language). Shapes, sizes, relations and
//   motion words are not in the language: they are SCENE_EXTRA_WORDS. sceneTokenizerVocabulary() = the language's
//   vocabulary followed by those extras (language ids unchanged), and writeSceneTokenizer(folder) writes it as a
//   WordLevel tokenizer. A text-mini encoder needs its word-embedding table grown to that size before it reads
//   scene text: growTextVocabulary() in src/train/mini-backbones/vse-mini.ts does it (new rows ~ N(0, 0.02)).
export * from './types.js';
export { sampleScene, sampleAttributes, placeObject, makeScene, type SceneOptions } from './sample.js';
export { renderScene, renderScenes, COLOR_RGB, type RenderOptions } from './render.js';
export { OUTLINES, objectBox, boxIou, insideShape, outlineExtent } from './geometry.js';
export {
  nounPhrase, pluralShape, relationOf, holds, inverse, positionPhrase, matching, listJoin, sentence,
  RELATIONS, RELATION_GAP, ALL_ATTRS, type Attr, type Relation,
} from './describe.js';
export { sceneCaptions, captionOf, fullCaption, CAPTION_KINDS, type CaptionKind, type CaptionOptions } from './captions.js';
export { sceneQuestions, questionOf, uniqueAttrs, QUESTION_TYPES, ANSWER_VOCABULARY, type SceneQuestion, type QuestionType, type QuestionOptions } from './questions.js';
export { referringExpressions, refExpFor, REFEXP_STYLES, type ReferringExpression, type RefExpOptions, type RefExpStyle } from './refexp.js';
export { sampleClip, renderClip, clipCaptions, DIRECTIONS, EVENT_KINDS, type Clip, type ClipEvent, type ClipOptions, type Direction, type EventKind } from './motion.js';
export {
  SCENE_EXTRA_WORDS, SCENE_WORDS, SHAPE_PLURAL, COUNT_WORDS, countWord, sceneTokenizerVocabulary, writeSceneTokenizer,
} from './vocabulary.js';
export { attributeLabels, ATTRIBUTE_LABELS } from './labels.js';
