// Failures users see: one line without --debug, the stack of an internal error with it.

import { describe, expect, it } from "vitest";
import { describeFailure, fileError, internalError, VpnlintError } from "../../src/cli/errors.js";

describe("describeFailure", () => {
  const bug = internalError("rules.v4", new TypeError("x is undefined\nmore detail"));

  it("names the file of an internal error in one line and points at --debug", () => {
    expect(describeFailure(bug, false)).toBe("vpnlint: rules.v4: internal error: x is undefined (run with --debug for details)");
  });

  it("adds the stack with --debug", () => {
    const text = describeFailure(bug, true);
    expect(text.split("\n")[0]).toBe("vpnlint: rules.v4: internal error: x is undefined");
    expect(text).toMatch(/\n\s+at /);
  });

  it("keeps user errors to their message, even with --debug", () => {
    expect(describeFailure(new VpnlintError("usage", "unknown rule"), true)).toBe("vpnlint: unknown rule");
    expect(describeFailure(fileError("a.rules", Object.assign(new Error("nope"), { code: "ENOENT" })), true)).toBe("vpnlint: a.rules: no such file or directory");
  });

  it("turns anything else into one line", () => {
    expect(describeFailure(new Error("boom\nsecond"), false)).toBe("vpnlint: internal error: boom (run with --debug for details)");
    expect(describeFailure("thrown string", false)).toBe("vpnlint: internal error: thrown string (run with --debug for details)");
  });
});
