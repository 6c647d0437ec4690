/**
 * Array types shared by the metric families.
 *
 * @module
 */

/** Row-major values as produced by the evaluator. */
export type HostArray = Float32Array | Float64Array;
/** Class labels, one per row. */
export type Labels = Uint8Array | Int32Array;
