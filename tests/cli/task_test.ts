import assert from "node:assert/strict";
import { errorLine, parseFlags } from "../../src/cli/task.ts";

const OPTIONS = {
  checkpoint: { type: "string" },
  n: { type: "string", default: "1" },
  quick: { type: "boolean", default: false },
} as const;

Deno.test("parseFlags() says what is wrong with the arguments in one line that names the flag", () => {
  for (
    const [args, message] of [
      [["--chekpoint", "a"], "unknown flag --chekpoint (did you mean --checkpoint?)"],
      [["--frobnicate"], "unknown flag --frobnicate"],
      [["-x"], "unknown flag -x"],
      [["--checkpoint"], "--checkpoint expects a value"],
      [
        ["--checkpoint", "--quick"],
        "--checkpoint expects a value, found a flag (write --checkpoint=-x for a value starting " +
        "with a dash)",
      ],
      [["--quick=yes"], "--quick is a switch: it takes no value"],
      [
        ["--quick", "yes"],
        'unexpected argument "yes": this task takes flags only (--name value, or --switch alone)',
      ],
    ] as const
  ) {
    assert.throws(() => parseFlags([...args], OPTIONS), {
      name: "TypeError",
      message: `Invalid arguments: ${message}; see --help`,
    });
  }
  assert.deepEqual({ ...parseFlags(["--n", "5", "--quick"], OPTIONS) }, { n: "5", quick: true });
});

Deno.test("errorLine() puts a message on one line and names a missing Deno permission as its flag", () => {
  assert.equal(errorLine(new Error("Cannot go:\n  it is\n far")), "Cannot go: it is far");
  assert.equal(
    errorLine(
      new Deno.errors.NotCapable(
        'Requires net access to "0.0.0.0:80", run again with the --allow-net flag',
      ),
    ),
    'Missing permission: needs --allow-net for "0.0.0.0:80"',
  );
  // Wrapped by the code that hit it: the permission is said in place.
  assert.equal(
    errorLine(
      new Error(
        'Cannot write "runs/a/x" atomically: Requires write access to "runs/a/.x.tmp", run ' +
          "again with the --allow-write flag",
      ),
    ),
    'Cannot write "runs/a/x" atomically: needs --allow-write for "runs/a/.x.tmp"',
  );
  assert.equal(
    errorLine(new Deno.errors.PermissionDenied("Permission denied (os error 13): open '/root/x'")),
    'the system denies open "/root/x" (check the file\'s owner and mode)',
  );
  assert.equal(errorLine("plain text"), "plain text");
});
