/**
 * The tfjs namespace of cgan: tfjs-core (tensors, ops, kernels, model I/O) and tfjs-layers
 * (layers, models, Layers-format loading), with the plain `cpu` backend registered. Every
 * module of `src/`, `tasks/` and `tests/` imports tfjs as `import * as tf from "../_tf.ts"` (or
 * a package itself: `@tensorflow/tfjs-core`, `-layers`, `-backend-*`); doc examples import
 * `@tensorflow/tfjs-core` and `@tensorflow/tfjs-layers`. cgan does not depend on the union
 * package `@tensorflow/tfjs`: it would bring what cgan never uses (the graph-model converter,
 * `tf.data`, the dependencies of its command-line tools) and core-js, whose build script makes
 * Deno print an "Ignored build scripts" box on install. `tasks/check_imports.ts` and
 * `tests/architecture/npm_dependencies_test.ts` keep it out.
 *
 * tfjs-core registers no chained ops, so every op is called as a function:
 * `tf.reshape(x, s)`, `tf.cast(x, "int32")`, `tf.add(a, b)`, never `x.reshape(s)`. Their types
 * came only with the union, so `deno check` rejects a chained call.
 *
 * @module
 */
import "@tensorflow/tfjs-backend-cpu";

export * from "@tensorflow/tfjs-core";
export * from "@tensorflow/tfjs-layers";
