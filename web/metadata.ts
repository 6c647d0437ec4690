/**
 * What the page says about a generator, beside its images: what its `model.json` records in
 * `userDefinedMetadata` (training writes the noise and class names; `deno task export-generator`
 * adds `cgan`: the model, dataset, training command and quality gate), and what the server knows
 * besides (a shipped generator's FID from the `@cgan/sample` catalog, a run's command).
 *
 * @module
 */

/** What the server's `generators/index.json` says of one generator. */
export interface GeneratorEntry {
  /** Its id, the `gen` of the URL hash. */
  id: string;
  /** Its `model.json`, relative to the page. */
  url: string;
  /** Class names, one per label. */
  classes: string[];
  /** Where its files are on the server's disk, as the user named them (`--weights`). */
  source?: string;
  /** FID in cgan's evaluator features, as the `@cgan/sample` catalog records it. */
  fid?: number;
  /** The training command of its run (`config.json`), when model.json records none. */
  command?: string;
}

/** The quality gate an exported generator records (`userDefinedMetadata.cgan.gate`). */
interface Gate {
  n: number;
  accuracy: number;
  minRatio: number;
  passed: boolean;
  thresholds?: { minAccuracy?: number; minDiversityRatio?: number };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * The lines of the page's "about this generator" list, as `[term, description]` pairs.
 *
 * @param metadata The model's `userDefinedMetadata` (`model.getUserDefinedMetadata()`).
 * @param entry What the server's index says of it.
 * @returns The pairs, in display order; only what is recorded.
 *
 * @example An exported generator's record
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeGenerator } from "./metadata.ts";
 * const metadata = {
 *   noise: "normal",
 *   cgan: {
 *     model: "acgan", dataset: "mnist", step: 11244, trainCommand: "deno task train --model acgan",
 *     gate: { n: 1000, accuracy: 0.998, minRatio: 0.9, passed: true, thresholds: { minAccuracy: 0.98 } },
 *   },
 * };
 * const lines = describeGenerator(metadata, { id: "mnist-acgan", url: "", classes: [], fid: 5.81 });
 * assert.deepEqual(lines.map(([term]) => term), ["model", "trained", "quality gate", "FID", "noise"]);
 * assert.equal(lines[0]![1], "acgan on mnist, step 11244");
 * assert.match(lines[2]![1], /^passed: cgan's evaluator reads 99\.8% of 1000 samples/);
 * ```
 */
export function describeGenerator(
  metadata: object | undefined,
  entry: GeneratorEntry,
): [string, string][] {
  const record = metadata as
    | { noise?: string; cgan?: Record<string, unknown> }
    | undefined;
  const cgan = record?.cgan ?? {};
  const lines: [string, string][] = [];
  if (typeof cgan.model === "string") {
    const step = typeof cgan.step === "number" ? `, step ${cgan.step}` : "";
    lines.push(["model", `${cgan.model} on ${cgan.dataset ?? "?"}${step}`]);
  }
  const command = typeof cgan.trainCommand === "string" ? cgan.trainCommand : entry.command;
  if (command !== undefined) lines.push(["trained", command]);
  const gate = cgan.gate as Gate | undefined;
  if (gate !== undefined) {
    const needs = gate.thresholds?.minAccuracy;
    lines.push([
      "quality gate",
      `${gate.passed ? "passed" : "not met"}: cgan's evaluator reads ${pct(gate.accuracy)} of ` +
      `${gate.n} samples as the requested class${
        needs === undefined ? "" : ` (needs ${pct(needs)})`
      }` +
      `, diversity ratio >= ${gate.minRatio.toFixed(2)}`,
    ]);
  }
  if (entry.fid !== undefined) {
    lines.push([
      "FID",
      `${entry.fid.toFixed(2)} (cgan's evaluator features, not Inception: 10,000 samples vs ` +
      `10,000 test images)`,
    ]);
  }
  if (typeof cgan.weights === "string") lines.push(["weights", cgan.weights]);
  lines.push(["noise", record?.noise === "uniform" ? "uniform on [-1, 1]" : "normal N(0, 1)"]);
  if (entry.source !== undefined) lines.push(["source", entry.source]);
  if (cgan.model === undefined) {
    lines.push([
      "record",
      "no export record: deno task export-generator adds the model, command and quality gate",
    ]);
  }
  return lines;
}
