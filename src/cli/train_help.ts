/**
 * The train task's `--help`: its flags under headings (model, data, optimisation, loss,
 * schedule, evaluation, backend), each with its default, then what presets and models change
 * and two examples.
 *
 * @module
 */
import {
  DEFAULTS,
  MODEL_DEFAULTS,
  MODEL_PRESETS,
  PRESETS,
  type TrainConfig,
} from "../train/config.ts";
import { MODEL_NAMES, MODELS } from "../models/registry.ts";
import { FLAG_GROUPS, flagName, TRAIN_FLAGS } from "./flags.ts";

type Key = keyof TrainConfig;

/** One help line: the flag padded to a column, then what it does. */
function line(flag: string, text: string): string {
  return `  ${flag.padEnd(24)} ${text}`;
}

/**
 * The `--help` text of the train task: every flag with its default, grouped.
 *
 * @returns Multi-line help.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trainHelp } from "@cgan/cgan/cli";
 * assert.match(trainHelp(), /^Optimisation:$/m);
 * assert.match(trainHelp(), /--latent-dim N +size of the latent vector z \(default: 100\)/);
 * ```
 */
export function trainHelp(): string {
  const lines = [
    "Train a conditional GAN.",
    "",
    "Usage: deno task train [flags]",
    "",
    "Run:",
    line("--preset NAME", `${Object.keys(PRESETS).join(" | ")} (default: default)`),
    line(
      "--resume DIR",
      "continue the run in DIR from its latest checkpoint, or from DIR = one of its " +
        "checkpoints/step-XXXXXXXX (the newer ones are set aside)",
    ),
    line("-h, --help", "show this help"),
  ];
  for (const [group, heading] of Object.entries(FLAG_GROUPS)) {
    lines.push("", `${heading}:`);
    for (const key of Object.keys(TRAIN_FLAGS) as Key[]) {
      const field = TRAIN_FLAGS[key];
      if (field.group !== group) continue;
      const kind = typeof DEFAULTS[key];
      const flag = `--${flagName(key)}${
        kind === "boolean" ? "" : field.choices ? " NAME" : kind === "string" ? " TEXT" : " N"
      }`;
      const choices = field.choices ? ` (${field.choices.join(" | ")})` : "";
      const value = DEFAULTS[key] === "" ? '""' : String(DEFAULTS[key]);
      lines.push(line(flag, `${field.help}${choices} (default: ${value})`));
    }
    if (group === "model") lines.push(line("--unconditional", "same as --conditioning none"));
  }
  const diffs = (table: object) =>
    Object.entries(table).map(([name, diff]) => `${name} ${JSON.stringify(diff)}`).join(", ");
  lines.push(
    "",
    `Presets change: ${diffs(PRESETS)}${
      Object.entries(MODEL_PRESETS).map(([model, presets]) => `; for ${model}: ${diffs(presets)}`)
        .join("")
    }`,
    `Models change: ${diffs(MODEL_DEFAULTS)}`,
    "",
    "Models:",
    ...MODEL_NAMES.map((name) => line(name, MODELS[name].about)),
    "",
    "pix2pix: deno task train --model pix2pix --data-dir DIR trains 64x64 facades (labels ->",
    "photo), the CPU preset; --preset paper (or --size 256) is the paper's 256x256, for a GPU.",
    "",
    "Your own images: deno task train --dataset folder --data-dir DIR reads one subfolder of",
    "PNG/JPEG images per class (named after it), decoded once into DIR/.cgan-cache-*.bin.",
    "",
    "Examples:",
    "  deno task train --model acgan --epochs 20 --out runs/acgan-mnist",
    "  deno task train --resume runs/acgan-mnist --epochs 30",
  );
  return lines.join("\n");
}
