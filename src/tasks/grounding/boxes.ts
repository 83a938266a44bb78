// Box geometry as DETR/MDETR use it. Predictions are normalised (cx, cy, w, h) in [0, 1] relative to the unpadded
// image; COCO annotations are absolute (x, y, w, h). IoU and generalised IoU (Rezatofighi et al. 2019) on corner
// boxes (x0, y0, x1, y1), as plain numbers (matching costs, metrics) and as tensors (the differentiable GIoU loss).
import { tf, type Tensor } from '../../engine/tf.js';

export type Box = [number, number, number, number];

export function cxcywhToXyxy([cx, cy, w, h]: Box): Box { return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]; }
export function xyxyToCxcywh([x0, y0, x1, y1]: Box): Box { return [(x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0]; }
/** COCO [x, y, w, h] (absolute) -> corners. */
export function xywhToXyxy([x, y, w, h]: Box): Box { return [x, y, x + w, y + h]; }

export function boxArea([x0, y0, x1, y1]: Box): number { return Math.max(0, x1 - x0) * Math.max(0, y1 - y0); }

/** Intersection over union of two corner boxes (0 when both are empty). */
export function iou(a: Box, b: Box): number {
  const iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = iw * ih;
  const union = boxArea(a) + boxArea(b) - inter;
  return union > 0 ? inter / union : 0;
}

/** Generalised IoU: IoU - (|enclosing box| - |union|) / |enclosing box|, in [-1, 1]. */
export function generalizedIou(a: Box, b: Box): number {
  const iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = iw * ih;
  const union = boxArea(a) + boxArea(b) - inter;
  const enclose = (Math.max(a[2], b[2]) - Math.min(a[0], b[0])) * (Math.max(a[3], b[3]) - Math.min(a[1], b[1]));
  const i = union > 0 ? inter / union : 0;
  return enclose > 0 ? i - (enclose - union) / enclose : i;
}

/** [N, 4] (cx, cy, w, h) -> [N, 4] corners, differentiable. */
export function cxcywhToXyxyTensor(b: Tensor): Tensor {
  return tf.tidy(() => {
    const [cx, cy, w, h] = tf.split(b, 4, -1);
    const hw = tf.mul(w, 0.5), hh = tf.mul(h, 0.5);
    return tf.concat([tf.sub(cx, hw), tf.sub(cy, hh), tf.add(cx, hw), tf.add(cy, hh)], -1);
  });
}

/**
 * Element-wise generalised IoU of two [N, 4] corner-box tensors -> [N] (the diagonal of DETR's
 * generalized_box_iou, which is what its loss uses). Differentiable in both arguments.
 */
export function pairGiouTensor(a: Tensor, b: Tensor): Tensor {
  return tf.tidy(() => {
    const [ax0, ay0, ax1, ay1] = tf.split(a, 4, -1);
    const [bx0, by0, bx1, by1] = tf.split(b, 4, -1);
    const areaA = tf.mul(tf.sub(ax1, ax0), tf.sub(ay1, ay0));
    const areaB = tf.mul(tf.sub(bx1, bx0), tf.sub(by1, by0));
    const iw = tf.relu(tf.sub(tf.minimum(ax1, bx1), tf.maximum(ax0, bx0)));
    const ih = tf.relu(tf.sub(tf.minimum(ay1, by1), tf.maximum(ay0, by0)));
    const inter = tf.mul(iw, ih);
    const union = tf.sub(tf.add(areaA, areaB), inter);
    const ew = tf.relu(tf.sub(tf.maximum(ax1, bx1), tf.minimum(ax0, bx0)));
    const eh = tf.relu(tf.sub(tf.maximum(ay1, by1), tf.minimum(ay0, by0)));
    const enclose = tf.mul(ew, eh);
    // the eps only guards degenerate (zero-area) boxes; DETR has none (it asserts x1 >= x0)
    const iouT = tf.div(inter, tf.add(union, 1e-7));
    return tf.reshape(tf.sub(iouT, tf.div(tf.sub(enclose, union), tf.add(enclose, 1e-7))), [-1]);
  });
}
