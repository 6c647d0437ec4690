/**
 * Weight quantization in the tfjs weights-manifest format, so shipped models are small and
 * still load with plain `tf.loadLayersModel` (in Deno or a browser), which dequantizes them:
 * `float16` halves the bytes (about 3 significant digits kept), `uint8` quarters them (256
 * levels between each weight's min and max).
 *
 * @module
 */
import type * as tf from "../_tf.ts";

/** Quantization choices: `"none"` keeps float32. */
export const QUANTIZE_DTYPES = ["none", "float16", "uint8"] as const;
/** One of {@linkcode QUANTIZE_DTYPES}. */
export type QuantizeDtype = typeof QUANTIZE_DTYPES[number];

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/**
 * Rounds a number to the nearest IEEE 754 half-precision value (ties to even) and returns its
 * 16 bits. Overflow gives ±Infinity; NaN stays NaN.
 *
 * @param value Any number (first rounded to float32).
 * @returns The float16 bit pattern.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { float16Bits } from "@cgan/cgan/internal";
 * assert.equal(float16Bits(1), 0x3c00);
 * assert.equal(float16Bits(-2), 0xc000);
 * ```
 */
export function float16Bits(value: number): number {
  F32[0] = value;
  const x = U32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 112; // re-biased exponent (127 -> 15)
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half: value = m * 2^-24 with m = (1.mant) >> (14 - e).
    if (e < -10) return sign;
    const full = mant | 0x800000;
    const shift = 14 - e;
    let half = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rest > mid || (rest === mid && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to Infinity).
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

/** Weight specs and their concatenated bytes, as in a tfjs weights manifest. */
export interface WeightData {
  /** One spec per weight, in data order. */
  specs: tf.io.WeightsManifestEntry[];
  /** The weights' bytes, concatenated. */
  data: Uint8Array;
}

/**
 * Quantizes the float32 weights of a manifest: each gets a `quantization` entry that tfjs's
 * loader understands (`{dtype: "float16"}` or `{dtype: "uint8", min, scale}`) and its bytes are
 * replaced by the quantized values. Other dtypes and already quantized weights are kept as they
 * are.
 *
 * @param weights Unquantized specs and bytes (what `model.save` hands to an IOHandler).
 * @param dtype `"float16"`, `"uint8"` or `"none"` (returns the input).
 * @returns New specs and bytes.
 *
 * @example Quantize, then decode with tfjs
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { quantizeWeights } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const data = new Uint8Array(new Float32Array([0.5, -1, 3]).buffer);
 * const specs = [{ name: "w", shape: [3], dtype: "float32" as const }];
 * const q = quantizeWeights({ specs, data }, "float16");
 * const w = tf.io.decodeWeights(q.data.slice().buffer, q.specs)["w"]!;
 * assert.equal(q.data.length, 6); // 2 bytes a weight
 * assert.deepEqual(Array.from(w.dataSync()), [0.5, -1, 3]);
 * ```
 */
export function quantizeWeights(weights: WeightData, dtype: QuantizeDtype): WeightData {
  if (dtype === "none") return weights;
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const spec of weights.specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = spec.quantization !== undefined
      ? size * (spec.quantization.dtype === "uint8" ? 1 : 2)
      : size * (spec.dtype === "bool" ? 1 : 4);
    if (offset + bytes > weights.data.length) {
      throw new RangeError(
        `Cannot quantize weight "${spec.name}": expected ${bytes} bytes at offset ${offset}, ` +
          `found only ${weights.data.length - offset}`,
      );
    }
    const raw = weights.data.subarray(offset, offset + bytes);
    offset += bytes;
    if (spec.dtype !== "float32" || spec.quantization !== undefined) {
      specs.push(spec);
      parts.push(raw);
      continue;
    }
    const values = new Float32Array(raw.slice().buffer);
    if (dtype === "float16") {
      const half = Uint16Array.from(values, float16Bits);
      specs.push({ ...spec, quantization: { dtype: "float16" } });
      parts.push(new Uint8Array(half.buffer));
    } else {
      let min = Infinity;
      let max = -Infinity;
      for (const v of values) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (size === 0) min = max = 0;
      const scale = max > min ? (max - min) / 255 : 1;
      const q = Uint8Array.from(values, (v) => Math.round((v - min) / scale));
      specs.push({ ...spec, quantization: { dtype: "uint8", min, scale } });
      parts.push(q);
    }
  }
  if (offset !== weights.data.length) {
    throw new RangeError(
      `Cannot quantize weights: the specs describe ${offset} bytes, the data has ` +
        `${weights.data.length}`,
    );
  }
  const data = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return { specs, data };
}
