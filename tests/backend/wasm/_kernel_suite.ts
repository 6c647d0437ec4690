/**
 * The kernel checks shared by the wasm fixes and the OpenBLAS kernels: each wasm result is
 * compared with tfjs's `cpu` backend. {@linkcode kernelSuite} registers them all under a label,
 * with a hook that selects the implementation before each test and one that restores it after.
 */
import assert from "node:assert/strict";
import * as tf from "../../../src/_tf.ts";
import { initBackend } from "../../../src/backend/mod.ts";

export const TOLERANCE = 1e-4;
const TRANSPOSES = [[false, false], [true, false], [false, true], [true, true]] as const;

/** Host data: a deterministic pseudo-random array in [-1, 1) (xorshift32). */
export function hostData(shape: number[], seed: number): Float32Array {
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Shapes of the inputs of a computation, each filled from its own seed. */
type Inputs = number[][];

interface Result {
  shape: number[];
  values: Float32Array;
}

async function runOn(
  backend: "wasm" | "cpu",
  inputs: Inputs,
  f: (...xs: tf.Tensor[]) => tf.Tensor,
): Promise<Result> {
  assert.ok(await tf.setBackend(backend));
  const out = tf.tidy(() =>
    f(...inputs.map((shape, i) => tf.tensor(hostData(shape, i + 1), shape)))
  );
  const values = await out.data() as Float32Array;
  out.dispose();
  assert.ok(await tf.setBackend("wasm"));
  return { shape: out.shape, values };
}

/** Max abs difference over max abs reference value. */
function relError(actual: Result, expected: Result): number {
  assert.deepEqual(actual.shape, expected.shape);
  assert.equal(actual.values.length, expected.values.length);
  let diff = 0;
  let scale = 0;
  expected.values.forEach((e, i) => {
    diff = Math.max(diff, Math.abs(e - (actual.values[i] ?? NaN)));
    scale = Math.max(scale, Math.abs(e));
  });
  assert.ok(scale > 0, "reference is all zeros");
  return diff / scale;
}

/** Asserts that `f` gives the same result on wasm (with the fixes) as on cpu. */
export async function assertMatchesCpu(
  label: string,
  inputs: Inputs,
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  reference: (...xs: tf.Tensor[]) => tf.Tensor = f,
): Promise<void> {
  const actual = await runOn("wasm", inputs, f);
  const expected = await runOn("cpu", inputs, reference);
  const err = relError(actual, expected);
  assert.ok(err <= TOLERANCE, `${label}: relative error ${err} > ${TOLERANCE}`);
}

type Pad = "same" | "valid";
/** [batch, height, width, inChannels, kernel, outChannels, stride, pad] */
type ConvCase = [number, number, number, number, number, number, number, Pad];

const CONV_CASES: ConvCase[] = [
  [2, 7, 7, 3, 3, 4, 1, "same"],
  [3, 13, 13, 4, 5, 6, 2, "same"],
  [2, 13, 11, 4, 5, 6, 2, "valid"],
  [2, 28, 28, 1, 5, 8, 2, "same"],
  [4, 14, 14, 8, 4, 16, 2, "same"],
  [1, 9, 9, 3, 7, 2, 1, "valid"],
  [2, 13, 14, 3, 1, 5, 2, "valid"],
  [1, 28, 28, 16, 3, 1, 1, "same"],
  [2, 10, 10, 2, 3, 3, 3, "same"],
  [5, 6, 6, 7, 5, 9, 1, "same"],
  // Strided, with fewer dy positions than channels (pix2pix's inner U-Net layers): on OpenBLAS
  // the transposed conv takes col2im instead of the phase split.
  [1, 4, 4, 8, 4, 16, 2, "same"],
  [2, 5, 5, 3, 3, 24, 2, "valid"],
];

function outShape([n, h, w, cin, k, cout, s, pad]: ConvCase): number[] {
  const info = tf.backend_util.computeConv2DInfo([n, h, w, cin], [k, k, cin, cout], s, 1, pad);
  return [n, info.outHeight, info.outWidth, cout];
}

function describeCase([n, h, w, cin, k, cout, s, pad]: ConvCase): string {
  return `x [${n},${h},${w},${cin}] filter ${k}x${k}x${cin}x${cout} stride ${s} ${pad}`;
}

/** How a suite runs: its label, whether it is ignored, and hooks around each test. */
export interface SuiteOptions {
  label: string;
  ignore?: boolean;
  before?: () => void;
  after?: () => void;
}

/** Registers every kernel check, named "LABEL: check". */
export function kernelSuite(options: SuiteOptions): void {
  const test = (name: string, fn: () => void | Promise<void>) =>
    Deno.test({
      name: `${options.label}: ${name}`,
      ignore: options.ignore ?? false,
      fn: async () => {
        options.before?.();
        try {
          await fn();
        } finally {
          options.after?.();
        }
      },
    });

  test("Conv2D on wasm matches cpu for strides 1-3, same/valid, odd sizes, narrow and dilated", async () => {
    for (const c of CONV_CASES) {
      const [n, h, w, cin, k, cout, s, pad] = c;
      await assertMatchesCpu(
        `Conv2D ${describeCase(c)}`,
        [[n, h, w, cin], [k, k, cin, cout]],
        (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, pad),
      );
    }
    // Dilation 2 (taps two apart in x), wide and narrow, with and without padding.
    for (const [cin, cout, pad] of [[3, 5, "same"], [6, 2, "valid"], [4, 4, "same"]] as const) {
      await assertMatchesCpu(
        `Conv2D dilated ${cin}->${cout} ${pad}`,
        [[2, 11, 10, cin], [3, 3, cin, cout]],
        (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, pad, "NHWC", 2),
      );
    }
  });

  test("Conv2DBackpropFilter on wasm matches cpu for strides 1-3, same/valid, odd sizes", async () => {
    for (const c of CONV_CASES) {
      const [n, h, w, cin, k, cout, s, pad] = c;
      await assertMatchesCpu(
        describeCase(c),
        [[n, h, w, cin], outShape(c)],
        (x, dy) =>
          tf.engine().runKernel("Conv2DBackpropFilter", { x: x!, dy: dy! }, {
            strides: s,
            pad,
            dataFormat: "NHWC",
            filterShape: [k, k, cin, cout],
          }) as tf.Tensor,
      );
    }
  });

  test("Conv2DBackpropInput on wasm matches cpu for strides 1-3, same/valid, odd sizes", async () => {
    for (const c of CONV_CASES) {
      const [n, h, w, cin, k, cout, s, pad] = c;
      await assertMatchesCpu(
        describeCase(c),
        [outShape(c), [k, k, cin, cout]],
        (dy, f) => tf.conv2dTranspose(dy as tf.Tensor4D, f as tf.Tensor4D, [n, h, w, cin], s, pad),
      );
    }
  });

  test("conv backprop kernels on wasm handle explicit and non-square strides/padding", async () => {
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [3, 1],
      [0, 2],
      [0, 0],
    ];
    const info = tf.backend_util.computeConv2DInfo([2, 11, 9, 3], [3, 2, 3, 4], [2, 3], 1, pad);
    const dyShape = [2, info.outHeight, info.outWidth, 4];
    await assertMatchesCpu(
      "dW explicit pad",
      [[2, 11, 9, 3], dyShape],
      (x, dy) =>
        tf.engine().runKernel("Conv2DBackpropFilter", { x: x!, dy: dy! }, {
          strides: [2, 3],
          pad,
          dataFormat: "NHWC",
          filterShape: [3, 2, 3, 4],
        }) as tf.Tensor,
    );
    await assertMatchesCpu(
      "dX explicit pad",
      [dyShape, [3, 2, 3, 4]],
      (dy, f) =>
        tf.engine().runKernel("Conv2DBackpropInput", { dy: dy!, filter: f! }, {
          strides: [2, 3],
          pad,
          dataFormat: "NHWC",
          inputShape: [2, 11, 9, 3],
        }) as tf.Tensor,
    );
  });

  test("conv backprop kernels on wasm reject NCHW with a clear error", () => {
    const x = tf.zeros([1, 3, 4, 4]);
    const dy = tf.zeros([1, 2, 4, 4]);
    assert.throws(
      () =>
        tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
          strides: 1,
          pad: "same",
          dataFormat: "NCHW",
          filterShape: [3, 3, 3, 2],
        }),
      (e: unknown) =>
        e instanceof TypeError && /Conv2DBackpropFilter.*"NHWC".*"NCHW"/.test(e.message),
    );
    tf.dispose([x, dy]);
  });

  test("BatchMatMul on wasm matches cpu for all transpose combos, batched and broadcast", async () => {
    // [a shape untransposed, b shape untransposed]
    const cases: [number[], number[]][] = [
      [[3, 5], [5, 4]],
      [[64, 48], [48, 80]],
      // Few rows against a large b: a · bᵀ runs as (b · aᵀ)ᵀ without OpenBLAS.
      [[8, 60], [60, 70]],
      [[1, 8, 60], [1, 60, 70]],
      [[6, 30, 50], [6, 50, 40]],
      [[64, 49, 8], [64, 8, 49]],
      [[2, 3, 30, 50], [50, 40]],
      [[30, 50], [4, 50, 40]],
      [[1, 30, 50], [4, 50, 40]],
      [[2, 3, 7, 9], [2, 3, 9, 5]],
    ];
    const last2 = (s: number[]) => [...s.slice(0, -2), s.at(-1) ?? 0, s.at(-2) ?? 0];
    for (const [aShape, bShape] of cases) {
      for (const [ta, tb] of TRANSPOSES) {
        const inputs = [ta ? last2(aShape) : aShape, tb ? last2(bShape) : bShape];
        await assertMatchesCpu(
          `matMul [${inputs[0]}] x [${inputs[1]}] transposeA=${ta} transposeB=${tb}`,
          inputs,
          (a, b) => tf.matMul(a!, b!, ta, tb),
        );
      }
    }
  });

  test("BatchMatMul on wasm broadcasts batch axes of both operands correctly", async () => {
    // tfjs 4.22's cpu and stock wasm kernels size this output by one batch; tile for a reference.
    for (const [m, k, n] of [[4, 5, 6], [40, 50, 30]] as const) {
      await assertMatchesCpu(
        `matMul [2,1,${m},${k}] x [1,3,${k},${n}]`,
        [[2, 1, k, m], [1, 3, k, n]],
        (a, b) => tf.matMul(a!, b!, true),
        (a, b) => tf.matMul(tf.tile(a!, [1, 3, 1, 1]), tf.tile(b!, [2, 1, 1, 1]), true),
      );
    }
  });

  test("_FusedMatMul on wasm matches cpu with transposes, bias, activations and batches", async () => {
    const cases: [number[], number[]][] = [
      [[3, 5], [5, 4]],
      [[60, 70], [70, 50]],
      [[3, 30, 50], [50, 40]],
      [[30, 50], [3, 50, 40]],
      [[3, 30, 50], [3, 50, 40]],
    ];
    const last2 = (s: number[]) => [...s.slice(0, -2), s.at(-1) ?? 0, s.at(-2) ?? 0];
    for (const [aShape, bShape] of cases) {
      const n = bShape.at(-1) ?? 0;
      for (const [ta, tb] of TRANSPOSES) {
        for (const activation of ["linear", "relu", "prelu"] as const) {
          const inputs = [ta ? last2(aShape) : aShape, tb ? last2(bShape) : bShape, [n], [n]];
          await assertMatchesCpu(
            `fused.matMul [${inputs[0]}] x [${inputs[1]}] ${ta} ${tb} ${activation}`,
            inputs,
            (a, b, bias, alpha) =>
              tf.fused.matMul({
                a: a!,
                b: b!,
                transposeA: ta,
                transposeB: tb,
                bias: bias!,
                activation,
                ...(activation === "prelu" ? { preluActivationWeights: alpha! } : {}),
              }),
          );
        }
      }
    }
  });

  test("tf.grad of a conv2d / conv2dTranspose loss on wasm matches cpu", async () => {
    const loss = (x: tf.Tensor4D, w: tf.Tensor4D, w2: tf.Tensor4D) => {
      const h = tf.relu(tf.conv2d(x, w, 2, "same")); // [3, 7, 7, 6]
      const y = tf.conv2dTranspose(h, w2, [3, 14, 14, 2], 2, "same");
      return tf.sum(tf.square(y));
    };
    const shapes = [[3, 14, 14, 4], [5, 5, 4, 6], [5, 5, 2, 6]];
    for (const which of [0, 1, 2]) {
      await assertMatchesCpu(
        `gradient wrt input ${which}`,
        shapes,
        (x, w, w2) =>
          tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
            loss(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D)
          )([x!, w!, w2!])[which]!,
      );
    }
  });

  test("UnsortedSegmentSum on wasm matches cpu, and the Embedding gradient runs", async () => {
    const ids = [3, 0, 3, 1, 4, 3, 0];
    for (const inner of [[5], [2, 3], [784]]) {
      await assertMatchesCpu(
        `segment sum inner [${inner}]`,
        [[ids.length, ...inner]],
        (x) => tf.unsortedSegmentSum(x!, tf.tensor1d(ids, "int32"), 6),
      );
    }
    // The gradient of gather (an Embedding layer's backward pass) is a segment sum.
    await assertMatchesCpu(
      "gather gradient",
      [[10, 8]],
      (table) =>
        tf.grad((t) => tf.sum(tf.square(tf.gather(t, tf.tensor1d([1, 7, 1, 9], "int32")))))(table!),
    );
  });

  test("Tile on wasm matches cpu for broadcast-like, interleaved and scalar-axis repeats", async () => {
    const cases: [number[], number[]][] = [
      [[1, 1, 1, 5], [3, 4, 2, 1]], // a BatchNorm scale tiled over [N, H, W, C]
      [[2, 3], [2, 3]],
      [[7], [4]],
      [[2, 1, 3], [1, 5, 2]],
      [[3, 2, 2, 1], [1, 1, 1, 6]],
      [[2, 2], [1, 1]],
    ];
    for (const [shape, reps] of cases) {
      await assertMatchesCpu(`tile [${shape}] x [${reps}]`, [shape], (x) => tf.tile(x!, reps));
    }
    assert.deepEqual(
      await tf.tile(tf.tensor2d([[1, 2]], [1, 2], "int32"), [2, 2]).array(),
      [[1, 2, 1, 2], [1, 2, 1, 2]],
    );
  });

  test("Sum and Mean on wasm match cpu over leading, inner and all axes", async () => {
    const shape = [4, 5, 6, 7];
    const axesCases: (number | number[])[] = [0, [0, 1], [0, 1, 2], [-4, -3], [1, 2], 3, [0, 3], [
      0,
      1,
      2,
      3,
    ]];
    for (const axis of axesCases) {
      for (const keepDims of [false, true]) {
        await assertMatchesCpu(
          `sum axis ${axis} keepDims ${keepDims}`,
          [shape],
          (x) => tf.sum(x!, axis, keepDims),
        );
        await assertMatchesCpu(
          `mean axis ${axis} keepDims ${keepDims}`,
          [shape],
          (x) => tf.mean(x!, axis, keepDims),
        );
      }
    }
    // BatchNorm's gradient is built from Tile, Sum and Mean.
    await assertMatchesCpu("batchNorm gradient", [[6, 4, 4, 3], [3], [3]], (x, scale, offset) => {
      const [dx, dScale] = tf.grads((x: tf.Tensor, s: tf.Tensor) => {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        return tf.sum(tf.square(tf.batchNorm(x as tf.Tensor4D, mean, variance, offset!, s, 1e-3)));
      })([x!, scale!]);
      return tf.concat([tf.reshape(dx!, [-1]), tf.reshape(dScale!, [-1])]);
    });
  });

  test("GatherV2 on wasm matches cpu on axis 0 (Embedding) and falls back elsewhere", async () => {
    const ids = [3, 0, 3, 1, 4];
    for (const shape of [[6], [6, 5], [6, 2, 3]]) {
      await assertMatchesCpu(
        `gather axis 0 of [${shape}]`,
        [shape],
        (x) => tf.gather(x!, tf.tensor1d(ids, "int32")),
      );
    }
    await assertMatchesCpu(
      "gather axis 0 with [2, 2] indices",
      [[6, 4]],
      (x) => tf.gather(x!, tf.tensor2d([[1, 5], [0, 1]], [2, 2], "int32")),
    );
    await assertMatchesCpu(
      "gather axis 1",
      [[3, 6]],
      (x) => tf.gather(x!, tf.tensor1d([5, 0, 2], "int32"), 1),
    );
    const table = tf.tensor2d([[1, 2], [3, 4]], [2, 2], "int32");
    assert.deepEqual(await tf.gather(table, tf.tensor1d([1, 1, 0], "int32")).array(), [
      [3, 4],
      [3, 4],
      [1, 2],
    ]);
    assert.throws(() => tf.gather(table, tf.tensor1d([2], "int32")), /index value 2/);
    table.dispose();
  });

  test("MaxPool's gradient on wasm matches cpu: strides, same/valid, overlapping windows", async () => {
    // [x shape, window, stride, pad]
    const cases: [number[], number, number, "same" | "valid"][] = [
      [[2, 8, 8, 3], 2, 2, "valid"],
      [[2, 9, 9, 4], 3, 2, "same"],
      [[1, 7, 6, 5], 3, 1, "same"],
      [[3, 5, 5, 2], 2, 1, "valid"],
    ];
    for (const [shape, k, s, pad] of cases) {
      await assertMatchesCpu(
        `maxPool grad [${shape}] ${k}x${k} stride ${s} ${pad}`,
        [shape],
        (x) => tf.grad((a) => tf.sum(tf.square(tf.maxPool(a as tf.Tensor4D, k, s, pad))))(x!),
      );
    }
    // Ties go to the first maximum of a window, as on cpu.
    const flat = tf.ones<tf.Rank.R4>([1, 2, 2, 1]);
    const dx = tf.grad((a) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, "valid")))(flat);
    assert.deepEqual(Array.from(await dx.data()), [1, 0, 0, 0]);
    tf.dispose([flat, dx]);
  });

  test("Identity on wasm shares memory safely: clones outlive and ignore their source", async () => {
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    const copy = tf.clone(v);
    v.assign(tf.tensor1d([7, 8, 9]));
    assert.deepEqual(Array.from(await copy.data()), [1, 2, 3]);
    const x = tf.tensor1d([4, 5]);
    const y = tf.clone(x);
    x.dispose();
    assert.deepEqual(Array.from(await y.data()), [4, 5]);
    tf.dispose([v, copy, y]);
  });

  test("the fixed kernels leak no tensors and no wasm backend data", () => {
    const backend = tf.backend() as tf.KernelBackend & { numDataIds(): number };
    assert.equal(tf.getBackend(), "wasm");
    const x = tf.tensor(hostData([2, 13, 13, 3], 1), [2, 13, 13, 3]) as tf.Tensor4D;
    const w = tf.tensor(hostData([5, 5, 3, 4], 2), [5, 5, 3, 4]) as tf.Tensor4D;
    const w1 = tf.tensor(hostData([1, 1, 3, 4], 6), [1, 1, 3, 4]) as tf.Tensor4D;
    const a = tf.tensor(hostData([4, 20, 30], 3), [4, 20, 30]);
    const b = tf.tensor(hostData([4, 20, 40], 4), [4, 20, 40]);
    const bias = tf.tensor(hostData([40], 5), [40]);
    const step = () => {
      tf.tidy(() => {
        tf.grads((x: tf.Tensor, w: tf.Tensor) =>
          tf.sum(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same"))
        )([x, w]);
        tf.conv2dTranspose(tf.conv2d(x, w, 2, "valid"), w, [2, 13, 13, 3], 2, "valid");
        tf.matMul(a, b, true, false);
        tf.sum(tf.tile(tf.reshape(bias, [1, 1, 40]), [3, 2, 1]), [0, 1]);
        tf.mean(a, [0, 1], true);
        tf.matMul(tf.slice(a, [0, 0, 0], [1, 20, 30]), b, true, false);
        tf.fused.matMul({ a, b, transposeA: true, bias, activation: "relu" });
        tf.matMul(tf.reshape(a, [2, 1, 2, 20, 30]), tf.reshape(b, [1, 2, 2, 20, 40]), true); // per item
        // Filter smaller than the stride (an all-zero phase) and explicit pads that crop dy.
        tf.conv2dTranspose(tf.conv2d(x, w1, 2, "valid"), w1, [2, 13, 13, 3], 2, "valid");
        tf.engine().runKernel("Conv2DBackpropInput", { dy: tf.ones([2, 7, 7, 4]), filter: w }, {
          strides: 2,
          pad: [[0, 0], [5, 0], [0, 4], [0, 0]],
          dataFormat: "NHWC",
          inputShape: [2, 13, 13, 3],
        });
      });
    };
    step(); // warm-up
    const tensors = tf.memory().numTensors;
    const dataIds = backend.numDataIds();
    for (let i = 0; i < 3; i++) step();
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(backend.numDataIds(), dataIds);
    tf.dispose([x, w, w1, a, b, bias]);
  });
}

/**
 * Runs `run` on the cpu backend, then on wasm (cgan's backend set-up, kernel fixes included), and
 * leaves the cpu backend selected; the two results, for a test to compare.
 */
export async function onCpuAndWasm<T>(run: () => T): Promise<{ cpu: T; wasm: T }> {
  await initBackend({ requested: "cpu" });
  const cpu = run();
  await initBackend({ requested: "wasm" });
  try {
    return { cpu, wasm: run() };
  } finally {
    await initBackend({ requested: "cpu" });
  }
}
