/**
 * Runs a few training steps of a model from fixed seeds and returns their losses and the nets'
 * final weights, so a test can compare the step with cgan's fused kernels on and off.
 */
import * as tf from "../../src/_tf.ts";
import { createAdam } from "../../src/backend/optimizer.ts";
import { countKernels } from "../../src/backend/kernel_count.ts";
import { buildGan } from "../../src/models/registry.ts";
import type { ModelName } from "../../src/train/config.ts";
import { LOSSES, type LossName } from "../../src/train/losses.ts";
import { trainStep } from "../../src/train/step.ts";

/** What a few steps gave: losses per step, final weights, kernel calls of the last step. */
export interface StepRun {
  dLosses: number[];
  gLosses: number[];
  weights: Float32Array[];
  kernels: number;
  identity: number;
  tensorsLeaked: number;
}

/** `steps` steps of `model` (batch 8, MNIST-sized or CIFAR-sized images) on the active backend. */
export function runSteps(
  model: ModelName,
  opts: { steps: number; loss?: LossName; colour?: boolean },
): StepRun {
  const imageShape: [number, number, number] = opts.colour ? [32, 32, 3] : [28, 28, 1];
  const nets = buildGan(model, {
    latentDim: 16,
    numClasses: 10,
    imageShape,
    activation: "leaky",
    seed: 3,
    width: 0.25,
  });
  const adam = { lr: 2e-3, beta1: 0.5, beta2: 0.999, epsilon: 1e-7 };
  const optimizers = { gen: createAdam(adam), disc: createAdam(adam) };
  const loss = LOSSES[opts.loss ?? "bce"];
  const n = 8;
  const run: StepRun = {
    dLosses: [],
    gLosses: [],
    weights: [],
    kernels: 0,
    identity: 0,
    tensorsLeaked: 0,
  };
  let tensors = 0;
  for (let s = 0; s < opts.steps; s++) {
    if (s === 1) tensors = tf.memory().numTensors;
    const inputs = tf.tidy(() => ({
      images: tf.randomUniform([n, ...imageShape], -1, 1, "float32", 10 + s) as tf.Tensor4D,
      labels: tf.tensor2d(Array.from({ length: n }, (_, i) => (i + s) % 10), [n, 1], "int32"),
      z: tf.randomNormal([n, 16], 0, 1, "float32", 20 + s) as tf.Tensor2D,
      fakeLabels: tf.tensor2d(
        Array.from({ length: n }, (_, i) => (i * 3 + s) % 10),
        [n, 1],
        "int32",
      ),
      alpha: tf.randomUniform([n, 1, 1, 1], 0, 1, "float32", 30 + s),
    }));
    const { result, count } = countKernels(() =>
      trainStep(nets, optimizers, inputs, {
        loss,
        labelSmoothing: 0.1,
        clipValue: 0.01,
        lambdaGp: 10,
        dropoutSeed: 7 + s,
      })
    );
    run.dLosses.push(result.dLoss.dataSync()[0]!);
    run.gLosses.push(result.gLoss!.dataSync()[0]!);
    run.kernels = count.total;
    const identity = count.byName.get("Identity");
    run.identity = identity === undefined
      ? 0
      : identity.forward + identity.backward + identity.other;
    tf.dispose([result.dLoss, result.gLoss]);
    tf.dispose(Object.values(inputs));
  }
  run.tensorsLeaked = tf.memory().numTensors - tensors;
  run.weights = [...nets.gen.trainableWeights, ...nets.disc.trainableWeights].map((w) =>
    w.read().dataSync() as Float32Array
  );
  optimizers.gen.dispose();
  optimizers.disc.dispose();
  nets.gen.dispose();
  nets.disc.dispose();
  return run;
}
