/**
 * `deno task toy`: paper 004's 1-D toy. An unconditional MLP GAN learns the joint
 * distribution of `(x, 10 + x^2)`, `x ~ N(0, 1)`; every `--plot-every` epochs an SVG shows
 * real vs generated points over D's probability field, and `history.csv` / `history.svg` track
 * the distance to the parabola and D's outputs per epoch, so an early success followed by
 * divergence (the paper's observation) is visible and measured.
 *
 * @module
 */
import * as tf from "../src/_tf.ts";
import { describeBackend, initBackend, parseBackendName } from "../src/backend/mod.ts";
import { intFlag, parseFlags, runTask } from "../src/cli.ts";
import { writeFileAtomic } from "../src/io/atomic.ts";
import { lossCurveSvg, toyPlotSvg } from "../src/io/plot.ts";
import { TOY_TRAINING, type ToyEpoch, trainToy } from "../src/train/toy.ts";

const HELP = `Train paper 004's 1-D toy GAN on y = 10 + x^2, x ~ N(0, 1).

Usage: deno task toy [flags]
  --epochs N       passes over the data (default: ${TOY_TRAINING.epochs})
  --batch-size N   points per step (default: ${TOY_TRAINING.batchSize})
  --lr X           Adam learning rate (default: ${TOY_TRAINING.lr})
  --points N       training points (default: ${TOY_TRAINING.points})
  --seed N         seed of everything (default: 0)
  --plot-every N   write plots/epoch-XXXX.svg every N epochs (default: 10)
  --out DIR        output folder (default: runs/toy-seed<seed>)
  --backend NAME   auto | webgpu | wasm | cpu (default: auto)
  -h, --help       show this help

Examples:
  deno task toy
  deno task toy --epochs 50 --seed 3 --plot-every 5 --out /tmp/toy`;

const GRID_X = Array.from({ length: 36 }, (_, i) => -3.5 + i * 0.2);
const GRID_Y = Array.from({ length: 33 }, (_, i) => 7.5 + i * 0.5);

/** D's probability "real" on the plot grid. */
function field(disc: tf.LayersModel): Float32Array {
  const grid = new Float32Array(GRID_X.length * GRID_Y.length * 2);
  GRID_Y.forEach((y, j) =>
    GRID_X.forEach((x, i) => {
      grid[2 * (j * GRID_X.length + i)] = x;
      grid[2 * (j * GRID_X.length + i) + 1] = y;
    })
  );
  return tf.tidy(() =>
    tf.sigmoid(disc.predict(tf.tensor2d(grid, [grid.length / 2, 2])) as tf.Tensor).dataSync()
  ) as Float32Array;
}

function csv(history: ToyEpoch[]): string {
  const keys = ["epoch", "dLoss", "gLoss", "dReal", "dFake", "curveError", "xWasserstein"] as const;
  return [keys.join(","), ...history.map((h) => keys.map((k) => h[k]).join(","))].join("\n") +
    "\n";
}

async function main(): Promise<void> {
  const values = parseFlags(Deno.args, {
    epochs: { type: "string", default: String(TOY_TRAINING.epochs) },
    "batch-size": { type: "string", default: String(TOY_TRAINING.batchSize) },
    lr: { type: "string", default: String(TOY_TRAINING.lr) },
    points: { type: "string", default: String(TOY_TRAINING.points) },
    seed: { type: "string", default: "0" },
    "plot-every": { type: "string", default: "10" },
    out: { type: "string" },
    backend: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) return console.log(HELP);
  const lr = Number(values.lr);
  if (!(lr > 0)) throw new RangeError(`Invalid --lr "${values.lr}": expected a positive number`);
  const opts = {
    ...TOY_TRAINING,
    epochs: intFlag("epochs", values.epochs, 1),
    batchSize: intFlag("batch-size", values["batch-size"], 1),
    points: intFlag("points", values.points, 1),
    seed: intFlag("seed", values.seed, 0),
    lr,
  };
  const plotEvery = intFlag("plot-every", values["plot-every"], 1);
  const out = values.out ?? `runs/toy-seed${opts.seed}`;
  const backend = await initBackend({
    requested: parseBackendName(values.backend ?? Deno.env.get("CGAN_BACKEND"), "--backend"),
  });
  console.log(describeBackend(backend));
  await Deno.mkdir(`${out}/plots`, { recursive: true });

  const history = await trainToy(opts, {
    onEpoch: async (h, state) => {
      const line = `epoch ${h.epoch}/${opts.epochs}: D ${h.dLoss.toFixed(3)} G ${
        h.gLoss.toFixed(3)
      } | D(real) ${h.dReal.toFixed(2)} D(fake) ${h.dFake.toFixed(2)} | |y-10-x^2| ${
        h.curveError.toFixed(3)
      } W1(x) ${h.xWasserstein.toFixed(3)}`;
      if (h.epoch % plotEvery === 0 || h.epoch === 1 || h.epoch === opts.epochs) {
        console.log(line);
        const svg = await toyPlotSvg(
          {
            real: state.real,
            fake: state.fake,
            field: { xs: GRID_X, ys: GRID_Y, probs: field(state.disc) },
          },
          { title: `epoch ${h.epoch}: |y - 10 - x²| = ${h.curveError.toFixed(3)}` },
        );
        await writeFileAtomic(`${out}/plots/epoch-${String(h.epoch).padStart(4, "0")}.svg`, svg);
      }
    },
  });
  await writeFileAtomic(`${out}/history.csv`, csv(history));
  const series = (name: string, key: keyof ToyEpoch) => ({
    name,
    points: history.map((h) => ({ step: h.epoch, value: h[key] })),
  });
  await writeFileAtomic(
    `${out}/history.svg`,
    await lossCurveSvg(
      [
        series("mean |y - 10 - x²|", "curveError"),
        series("W1 of x vs N(0,1)", "xWasserstein"),
        series("D(real)", "dReal"),
        series("D(generated)", "dFake"),
      ],
      { title: "1-D toy: distance to the data and D's outputs", xLabel: "epoch" },
    ),
  );
  const best = history.reduce((a, b) => (b.curveError < a.curveError ? b : a));
  const last = history.at(-1)!;
  console.log(
    `best epoch ${best.epoch}: |y-10-x^2| ${best.curveError.toFixed(3)}, W1(x) ${
      best.xWasserstein.toFixed(3)
    }; last epoch ${last.epoch}: ${last.curveError.toFixed(3)}, ${last.xWasserstein.toFixed(3)}` +
      (last.curveError > 3 * best.curveError ? " (diverged after its best epoch)" : ""),
  );
  console.log(`wrote ${out}/history.csv, ${out}/history.svg and ${out}/plots/`);
}

if (import.meta.main) await runTask(main, (key) => Deno.env.get(key));
