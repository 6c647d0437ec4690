/**
 * Training progress: a live bar (npm `cli-progress`) on a terminal, plain log lines otherwise.
 *
 * @module
 */
import cliProgress from "cli-progress";

/** What the loop reports at each logging point. */
export interface ProgressInfo {
  /** Steps completed. */
  step: number;
  /** Total steps of the run. */
  total: number;
  /** Current epoch, 1-based. */
  epoch: number;
  /** Epochs of the run. */
  epochs: number;
  /** Training throughput over the last interval. */
  imagesPerSecond: number;
  /** Mean D loss over the last interval. */
  dLoss: number;
  /** Mean G loss over the last interval. */
  gLoss: number;
}

/** Receives progress from the training loop. */
export interface ProgressReporter {
  /** A logging point was reached. */
  update(info: ProgressInfo): void;
  /** A message that must stay visible (epoch summary, checkpoint, warning). */
  log(line: string): void;
  /** Training ended; release the terminal. */
  stop(): void;
}

function eta(info: ProgressInfo, batchSize: number): string {
  const seconds = info.imagesPerSecond > 0
    ? ((info.total - info.step) * batchSize) / info.imagesPerSecond
    : 0;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return `${m}m${String(s).padStart(2, "0")}s`;
}

function summary(info: ProgressInfo, batchSize: number): string {
  return `step ${info.step}/${info.total} epoch ${info.epoch}/${info.epochs} ` +
    `${info.imagesPerSecond.toFixed(0)} img/s ETA ${eta(info, batchSize)} ` +
    `D ${info.dLoss.toFixed(4)} G ${info.gLoss.toFixed(4)}`;
}

/**
 * Plain-line progress for logs and CI: one line per logging point.
 *
 * @param write Where lines go (e.g. `console.log`).
 * @param batchSize Images per step, for the ETA.
 * @returns A reporter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineProgress } from "@cgan/cgan";
 * const lines: string[] = [];
 * const p = lineProgress((l) => lines.push(l), 64);
 * p.update({ step: 1, total: 2, epoch: 1, epochs: 1, imagesPerSecond: 64, dLoss: 0.7, gLoss: 0.7 });
 * assert.equal(lines[0], "step 1/2 epoch 1/1 64 img/s ETA 0m01s D 0.7000 G 0.7000");
 * ```
 */
export function lineProgress(write: (line: string) => void, batchSize: number): ProgressReporter {
  return {
    update: (info) => write(summary(info, batchSize)),
    log: write,
    stop: () => {},
  };
}

/**
 * A live progress bar on a terminal stream.
 *
 * @param stream The terminal (e.g. `process.stderr` from `node:process`).
 * @param batchSize Images per step, for the ETA.
 * @returns A reporter.
 *
 * @example
 * ```ts ignore
 * import process from "node:process";
 * const p = barProgress(process.stderr, 64);
 * ```
 */
export function barProgress(stream: NodeJS.WritableStream, batchSize: number): ProgressReporter {
  const bar = new cliProgress.SingleBar({
    stream,
    format:
      "{bar} {value}/{total} | epoch {epoch}/{epochs} | {ips} img/s | ETA {eta_text} | D {d} G {g}",
    hideCursor: true,
    clearOnComplete: false,
  }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update(info) {
      const payload = {
        epoch: info.epoch,
        epochs: info.epochs,
        ips: info.imagesPerSecond.toFixed(0),
        eta_text: eta(info, batchSize),
        d: info.dLoss.toFixed(4),
        g: info.gLoss.toFixed(4),
      };
      if (!started) {
        bar.start(info.total, info.step, payload);
        started = true;
      } else {
        bar.update(info.step, payload);
      }
    },
    log(line) {
      if (started) {
        // Print above the bar and redraw it.
        stream.write("\r\x1b[2K" + line + "\n");
        bar.render();
      } else {
        stream.write(line + "\n");
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
