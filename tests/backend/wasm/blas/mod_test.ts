import assert from "node:assert/strict";
import * as tf from "../../../../src/_tf.ts";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { registerWasmKernelFixes } from "../../../../src/backend/wasm/mod.ts";
import { activeBlas, setScratchFloats, useBlas } from "../../../../src/backend/wasm/blas/mod.ts";
import {
  coreTypeFor,
  loadOpenBlas,
  type OpenBlas,
  startSgemmTiming,
  stopSgemmTiming,
} from "../../../../src/backend/openblas.ts";
import { describeBackend, initBackend } from "../../../../src/backend/select.ts";
import { assertMatchesCpu, hostData, kernelSuite } from "../_kernel_suite.ts";

setWasmPaths(new URL("./", import.meta.resolve("@tensorflow/tfjs-backend-wasm")).pathname);
tf.env().set("PROD", true);
await tf.setBackend("wasm");
registerWasmKernelFixes();

const found = loadOpenBlas();
const blas = "sgemm" in found ? found : undefined;
// CI installs libopenblas0-pthread: there a missing library is a failure, not a skip.
const required = Deno.env.get("CI") === "true";

/** The library with a call counter, to prove the kernels really reach sgemm. */
let calls = 0;
const counting: OpenBlas | undefined = blas === undefined ? undefined : {
  ...blas,
  sgemm: (...args) => {
    calls++;
    blas.sgemm(...args);
  },
};

Deno.test({
  name: "OpenBLAS is found where CI installs it",
  ignore: !required,
  fn: () =>
    assert.ok(blas !== undefined, `OpenBLAS missing: ${"reason" in found ? found.reason : ""}`),
});

Deno.test("coreTypeFor() maps CPU flags to the OpenBLAS kernel family", () => {
  assert.equal(
    coreTypeFor(["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma"]),
    "SkylakeX",
  );
  assert.equal(coreTypeFor(["avx512f", "avx2", "fma"]), "Haswell");
  assert.equal(coreTypeFor(["sse2", "avx"]), undefined);
});

kernelSuite({
  label: "wasm+OpenBLAS",
  ignore: counting === undefined,
  before: () => useBlas(counting),
  after: () => useBlas(undefined),
});

const withBlas = (name: string, fn: () => void | Promise<void>) =>
  Deno.test({
    name: `wasm+OpenBLAS: ${name}`,
    ignore: counting === undefined,
    fn: async () => {
      useBlas(counting);
      try {
        await fn();
      } finally {
        useBlas(undefined);
      }
    },
  });

withBlas("every kernel it implements reaches sgemm", () => {
  const cases: [string, () => tf.Tensor][] = [
    ["BatchMatMul", () => tf.matMul(tf.ones([3, 4, 5]), tf.ones([3, 5, 6]), false, false)],
    [
      "_FusedMatMul",
      () => tf.fused.matMul({ a: tf.ones([4, 5]), b: tf.ones([5, 6]), bias: tf.ones([6]) }),
    ],
    [
      "Conv2D",
      () =>
        tf.conv2d(tf.ones<tf.Rank.R4>([2, 8, 8, 3]), tf.ones<tf.Rank.R4>([3, 3, 3, 4]), 2, "same"),
    ],
    [
      "FusedConv2D",
      () =>
        tf.fused.conv2d({
          x: tf.ones<tf.Rank.R4>([2, 8, 8, 3]),
          filter: tf.ones<tf.Rank.R4>([3, 3, 3, 4]),
          strides: 1,
          pad: "same",
          bias: tf.ones([4]),
        }),
    ],
    [
      "Conv2DBackpropInput",
      () =>
        tf.conv2dTranspose(
          tf.ones<tf.Rank.R4>([2, 4, 4, 4]),
          tf.ones<tf.Rank.R4>([3, 3, 3, 4]),
          [2, 8, 8, 3],
          2,
          "same",
        ),
    ],
    [
      "Conv2DBackpropFilter",
      () =>
        tf.engine().runKernel("Conv2DBackpropFilter", {
          x: tf.ones([2, 8, 8, 3]),
          dy: tf.ones([2, 4, 4, 4]),
        }, {
          strides: 2,
          pad: "same",
          dataFormat: "NHWC",
          filterShape: [3, 3, 3, 4],
        }) as tf.Tensor,
    ],
  ];
  for (const [name, f] of cases) {
    const before = calls;
    tf.tidy(f);
    assert.ok(calls > before, `${name} did not call sgemm`);
  }
});

withBlas(
  "Conv2D / FusedConv2D match cpu with dilation, bias, activations and 1x1 filters",
  async () => {
    // [x shape, filter shape, stride, pad, dilation]
    const cases: [number[], number[], number, "same" | "valid", number][] = [
      [[2, 9, 9, 3], [3, 3, 3, 5], 1, "same", 2],
      [[2, 11, 10, 4], [3, 2, 4, 3], 1, "valid", 3],
      [[3, 7, 7, 6], [1, 1, 6, 4], 1, "valid", 1],
      [[2, 8, 8, 5], [1, 1, 5, 7], 2, "same", 1],
      [[2, 15, 15, 2], [5, 5, 2, 8], 2, "same", 1],
    ];
    for (const [xs, fs, s, pad, d] of cases) {
      const label = `x [${xs}] filter [${fs}] stride ${s} ${pad} dilation ${d}`;
      await assertMatchesCpu(
        label,
        [xs, fs],
        (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, pad, "NHWC", d),
      );
      for (const activation of ["linear", "relu", "leakyrelu", "sigmoid"] as const) {
        await assertMatchesCpu(
          `${label} fused ${activation}`,
          [xs, fs, [fs[3]!]],
          (x, f, bias) =>
            tf.fused.conv2d({
              x: x as tf.Tensor4D,
              filter: f as tf.Tensor4D,
              strides: s,
              pad,
              dilations: d,
              bias: bias!,
              activation,
              leakyreluAlpha: 0.2,
            }),
        );
      }
    }
  },
);

withBlas("narrow convs (Cout < Cin) match cpu in both gradients, strided and padded", async () => {
  // [x shape, filter shape, stride, pad, dilation]
  const cases: [number[], number[], number, "same" | "valid", number][] = [
    [[2, 14, 14, 16], [7, 7, 16, 1], 1, "same", 1],
    [[3, 13, 13, 8], [5, 5, 8, 3], 2, "same", 1],
    [[2, 11, 12, 6], [3, 4, 6, 2], 3, "valid", 1],
    [[2, 12, 12, 5], [3, 3, 5, 2], 1, "valid", 1],
  ];
  for (const [xs, fs, s, pad, d] of cases) {
    for (const which of [0, 1]) {
      await assertMatchesCpu(
        `x [${xs}] filter [${fs}] stride ${s} ${pad} dilation ${d}: gradient ${which}`,
        [xs, fs],
        (x, w) =>
          tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad, "NHWC", d)))
          )([x!, w!])[which]!,
      );
    }
  }
});

withBlas("convs split into im2col chunks match cpu (forward and all three kernels)", async () => {
  // 5 items x 9 x 9 positions x (3 x 3 x 4) floats; a 1000-float scratch takes 1 item a chunk.
  const previous = setScratchFloats(1000);
  try {
    const shapes = [[5, 9, 9, 4], [3, 3, 4, 3], [5, 5, 5, 3]];
    await assertMatchesCpu(
      "forward",
      shapes.slice(0, 2),
      (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same"),
    );
    for (const which of [0, 1]) {
      await assertMatchesCpu(
        `gradient wrt input ${which}`,
        shapes.slice(0, 2),
        (x, w) =>
          tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, "same")))
          )([x!, w!])[which]!,
      );
    }
    await assertMatchesCpu(
      "conv2dTranspose",
      [shapes[2]!, [3, 3, 4, 3]],
      (dy, w) => tf.conv2dTranspose(dy as tf.Tensor4D, w as tf.Tensor4D, [5, 9, 9, 4], 2, "same"),
    );
    // Fewer floats than one item's patch rows: still one item a chunk.
    setScratchFloats(10);
    await assertMatchesCpu(
      "tiny scratch",
      shapes.slice(0, 2),
      (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "valid"),
    );
  } finally {
    setScratchFloats(previous);
  }
});

withBlas("the OpenBLAS kernels leak no tensors and no wasm backend data", () => {
  const backend = tf.backend() as tf.KernelBackend & { numDataIds(): number };
  const x = tf.tensor(hostData([2, 13, 13, 3], 1), [2, 13, 13, 3]) as tf.Tensor4D;
  const w = tf.tensor(hostData([5, 5, 3, 4], 2), [5, 5, 3, 4]) as tf.Tensor4D;
  const a = tf.tensor(hostData([4, 20, 30], 3), [4, 20, 30]);
  const bias = tf.tensor(hostData([4], 5), [4]);
  const step = () =>
    tf.tidy(() => {
      tf.grads((x: tf.Tensor, w: tf.Tensor) =>
        tf.sum(
          tf.fused.conv2d({
            x: x as tf.Tensor4D,
            filter: w as tf.Tensor4D,
            strides: 2,
            pad: "same",
            bias,
            activation: "relu",
          }),
        )
      )([x, w]);
      tf.conv2dTranspose(tf.conv2d(x, w, 2, "valid"), w, [2, 13, 13, 3], 2, "valid");
      tf.fused.matMul({ a, b: a, transposeA: true, activation: "elu" });
    });
  step();
  const tensors = tf.memory().numTensors;
  const dataIds = backend.numDataIds();
  for (let i = 0; i < 3; i++) step();
  assert.equal(tf.memory().numTensors, tensors);
  assert.equal(backend.numDataIds(), dataIds);
  tf.dispose([x, w, a, bias]);
});

Deno.test({
  name: "initBackend() puts wasm matmuls on OpenBLAS, and blas: false takes them off",
  ignore: blas === undefined,
  fn: async () => {
    try {
      const on = await initBackend({ requested: "wasm" });
      assert.match(on.matmul ?? "", /^OpenBLAS \(/);
      assert.match(describeBackend(on), /matmul: OpenBLAS/);
      assert.ok(activeBlas() !== undefined);
      const off = await initBackend({ requested: "wasm", blas: false });
      assert.match(off.matmul ?? "", /^WASM SIMD \(OpenBLAS off\)/);
      assert.equal(activeBlas(), undefined);
      const cpu = await initBackend({ requested: "cpu" });
      assert.equal(cpu.matmul, undefined);
    } finally {
      useBlas(undefined);
      await tf.setBackend("wasm");
    }
  },
});

Deno.test({
  name: "sgemm timing counts each call and its 2mnk flops, and stops when told",
  ignore: blas === undefined,
  fn: () => {
    const [m, n, k] = [3, 4, 5];
    const [a, b, c] = [new Float32Array(m * k), new Float32Array(k * n), new Float32Array(m * n)];
    startSgemmTiming();
    blas!.sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n);
    blas!.sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n);
    const t = stopSgemmTiming();
    assert.equal(t.calls, 2);
    assert.equal(t.flops, 2 * 2 * m * n * k);
    assert.ok(t.ms >= 0);
    blas!.sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n);
    assert.deepEqual(stopSgemmTiming(), { calls: 0, ms: 0, flops: 0 }); // not timing any more
  },
});
