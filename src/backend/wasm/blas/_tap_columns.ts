import type * as tf from "../../../_tf.ts";

/**
 * Which output columns of a conv a filter tap reaches: the range the im2col, col2im and narrow
 * conv loops move as one block. Internal.
 *
 * @module
 */

/**
 * The output columns q in [lo, hi) of a tap whose input column is q·sw + first lies inside
 * [0, w).
 */
export function tapColumns(first: number, sw: number, w: number, ow: number): [number, number] {
  const lo = first >= 0 ? 0 : Math.ceil(-first / sw);
  const hi = first > w - 1 ? 0 : Math.min(ow, Math.floor((w - 1 - first) / sw) + 1);
  return [lo, Math.max(lo, hi)];
}

/** {@linkcode tapColumns} of each filter column j of a conv, in order. */
export function tapRanges(info: tf.backend_util.Conv2DInfo): [number, number][] {
  return Array.from(
    { length: info.filterWidth },
    (_, j) =>
      tapColumns(
        j * info.dilationWidth - info.padInfo.left,
        info.strideWidth,
        info.inWidth,
        info.outWidth,
      ),
  );
}
