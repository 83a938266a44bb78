// The one place the project imports TensorFlow.js from, so every room shares the same tfjs-core instance
// (native backends register themselves into it when they load).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export { tf };
export type Tensor = tf.Tensor;
export type Variable = tf.Variable;
export type Rank = tf.Rank;
