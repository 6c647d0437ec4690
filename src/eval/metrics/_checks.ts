/**
 * Argument checks shared by the metric families. Each throws a `RangeError` whose message
 * starts with `Cannot ${what}:` and names the argument, what was expected and what was found.
 *
 * @module
 */
import type { HostArray, Labels } from "./_types.ts";

/** Throws unless `value` is an integer `>= min`. */
export function checkCount(value: number, name: string, what: string, min = 1): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(
      `Cannot ${what}: expected ${name} to be an integer >= ${min}, found ${value}`,
    );
  }
}

/** Throws unless `values` holds exactly `rows * cols` values. */
export function checkMatrix(
  values: HostArray,
  rows: number,
  cols: number,
  name: string,
  what: string,
): void {
  if (values.length !== rows * cols) {
    throw new RangeError(
      `Cannot ${what}: expected ${name} to hold ${rows}x${cols} = ${
        rows * cols
      } values, found ${values.length}`,
    );
  }
}

/** Throws unless there are `n` labels, each in `[0, classes)`. */
export function checkLabels(
  labels: Labels,
  n: number,
  classes: number,
  name: string,
  what: string,
): void {
  if (labels.length !== n) {
    throw new RangeError(`Cannot ${what}: expected ${n} ${name}, found ${labels.length}`);
  }
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    if (c < 0 || c >= classes) {
      throw new RangeError(
        `Cannot ${what}: expected ${name} in [0, ${classes}), found ${c} at index ${i}`,
      );
    }
  }
}

/** Throws unless `value` is finite. */
export function checkFinite(value: number, name: string, what: string): void {
  if (!Number.isFinite(value)) {
    throw new RangeError(`Cannot ${what}: expected finite ${name}, found ${value}`);
  }
}
