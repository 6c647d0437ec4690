/**
 * Counts the kernel calls the tfjs engine dispatches while a function runs: each costs engine
 * and dispatch overhead (5-40 µs on wasm) whatever its size, so their number is a deterministic
 * measure of a training step's overhead, unlike its wall time on a loaded machine. Every call
 * through `engine.runKernelFunc` counts: registered kernels by their name, `tf.customGrad` ops
 * by their scope's name, and calls nested inside a custom op as well (each has its overhead).
 * A call is "forward" or "backward" by the innermost `engine.gradients` phase it runs in (tfjs
 * names those scopes), "other" outside them (inputs, the optimizer's update, weight clipping).
 *
 * @module
 */
import * as tf from "../_tf.ts";

/** Where a kernel call ran. */
export type KernelPhase = "forward" | "backward" | "other";

/** Kernel calls counted by {@linkcode countKernels}. */
export interface KernelCount {
  /** All calls. */
  total: number;
  /** Calls per phase. */
  byPhase: Record<KernelPhase, number>;
  /** Calls per kernel (or custom op) name and phase. */
  byName: Map<string, Record<KernelPhase, number>>;
}

/** The engine internals the counter reads (not part of tfjs's public API). */
interface EngineInternals {
  runKernelFunc: (params: { kernelName?: string }) => unknown;
  state: { scopeStack: { name: string }[]; activeScope: { name: string } | null };
}

function phaseOf(engine: EngineInternals): KernelPhase {
  const stack = engine.state.scopeStack;
  for (let i = stack.length - 1; i >= 0; i--) {
    const name = stack[i]!.name;
    if (name === "forward" || name === "backward") return name;
  }
  return "other";
}

/**
 * Runs `fn` and counts the kernel calls the engine dispatches meanwhile, by name and phase.
 *
 * @param fn A synchronous function (a training step).
 * @returns What `fn` returned, and the count.
 *
 * @example Count the kernels of a small gradient
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { countKernels } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const x = tf.tensor1d([1, 2, 3]);
 * const { result, count } = countKernels(() => tf.grad((x) => tf.sum(tf.square(x)))(x));
 * assert.deepEqual(Array.from(result.dataSync()), [2, 4, 6]);
 * assert.equal(count.byName.get("Square")?.forward, 1);
 * assert.ok(count.byPhase.backward > 0); // the gradient's own kernels
 * tf.dispose([x, result]);
 * ```
 */
export function countKernels<T>(fn: () => T): { result: T; count: KernelCount } {
  const engine = tf.engine() as unknown as EngineInternals;
  const count: KernelCount = {
    total: 0,
    byPhase: { forward: 0, backward: 0, other: 0 },
    byName: new Map(),
  };
  const original = engine.runKernelFunc;
  engine.runKernelFunc = function (this: EngineInternals, params) {
    const name = params.kernelName ?? engine.state.activeScope?.name ?? "";
    const phase = phaseOf(engine);
    count.total++;
    count.byPhase[phase]++;
    const entry = count.byName.get(name) ?? { forward: 0, backward: 0, other: 0 };
    entry[phase]++;
    count.byName.set(name, entry);
    return original.call(this, params);
  };
  try {
    return { result: fn(), count };
  } finally {
    engine.runKernelFunc = original;
  }
}

/**
 * The count as lines of text: the total by phase, then the `top` names with the most calls.
 *
 * @param count A count from {@linkcode countKernels}.
 * @param top How many names to list (default 20).
 * @returns Lines to print.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { countKernels, formatKernelCount } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const { result, count } = countKernels(() => tf.add(tf.scalar(1), tf.scalar(2)));
 * assert.match(formatKernelCount(count)[0]!, /^1 kernel calls/);
 * result.dispose();
 * ```
 */
export function formatKernelCount(count: KernelCount, top = 20): string[] {
  const { forward, backward, other } = count.byPhase;
  const lines = [
    `${count.total} kernel calls (forward ${forward}, backward ${backward}, other ${other})`,
  ];
  const sorted = [...count.byName].map(([name, p]) => ({
    name,
    p,
    n: p.forward + p.backward + p.other,
  })).sort((a, b) => b.n - a.n || a.name.localeCompare(b.name));
  for (const { name, p, n } of sorted.slice(0, top)) {
    lines.push(
      `  ${name.padEnd(28)} ${String(n).padStart(5)}  (fwd ${p.forward}, bwd ${p.backward}, ` +
        `other ${p.other})`,
    );
  }
  return lines;
}
