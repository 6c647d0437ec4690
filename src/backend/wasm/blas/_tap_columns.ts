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
