/**
 * The tfjs namespace of cgan's light modules (the backend, model files, generator loading):
 * tfjs-core (tensors, ops, kernels, model I/O) and tfjs-layers (layers, models, Layers-format
 * loading), with the plain `cpu` backend registered. It is the part of the union package
 * `@tensorflow/tfjs` cgan uses, without what it never uses and a user would download: the
 * graph-model converter, `tf.data`, the WebGL backend, and the dependencies of the union's
 * command-line tools (core-js among them, whose build script makes Deno print an "Ignored build
 * scripts" box). `import * as tf from "../_tf.ts"` reads as `import * as tf from
 * "@tensorflow/tfjs"` did, with one difference: the union registers chained ops
 * (`x.reshape(s)`, `x.toInt()`) and this does not, so code that imports it calls every op as a
 * function (`tf.reshape(x, s)`, `tf.cast(x, "int32")`).
 *
 * @module
 */
import "@tensorflow/tfjs-backend-cpu";

export * from "@tensorflow/tfjs-core";
export * from "@tensorflow/tfjs-layers";
