// `vpnlint audit` in-process: exit codes, thresholds, stdin, every format, inputs and the errors users meet.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collectPaths, looksLikeRuleset } from "../../src/cli/inputs.js";
import { cli, fixture, isOneLineError, relativeFixture } from "./harness.js";

const scratch = mkdtempSync(join(tmpdir(), "vpnlint-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("exit codes", () => {
  it("0 and a one-line all-clear for a clean file", async () => {
    const result = await cli(["audit", relativeFixture("clean.rules")]);
    expect(result).toEqual({ code: 0, stdout: "no problems in 1 file\n", stderr: "" });
  });

  it("1 with file:line:col severity message [ID], a code frame and a summary for findings", async () => {
    const result = await cli(["audit", relativeFixture("syntax-error.rules")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain(`${relativeFixture("syntax-error.rules")}:4:4 error chain "VPN-IN" does not exist in table "filter" [VPN000]`);
    expect(result.stdout).toContain("  4 | -A VPN-IN -j ACCEPT\n    |    ^^^^^^");
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("1 problem (1 error) in 1 file");
  });

  it("--fail-on decides which severities fail the run", async () => {
    const warning = relativeFixture("unused-suppression.rules");
    expect((await cli(["audit", warning])).code).toBe(1);
    expect((await cli(["audit", warning, "--fail-on", "note"])).code).toBe(1);
    expect((await cli(["audit", warning, "--fail-on", "error"])).code).toBe(0);
    expect((await cli(["audit", relativeFixture("syntax-error.rules"), "--fail-on", "none"])).code).toBe(0);
  });

  it("suppressed findings never fail the run, in any format", async () => {
    for (const format of ["text", "json", "sarif", "github"]) {
      const result = await cli(["audit", relativeFixture("suppressed.rules"), "--format", format, "--fail-on", "note"]);
      expect(result.code).toBe(0);
    }
    const json = JSON.parse((await cli(["audit", relativeFixture("suppressed.rules"), "-f", "json"])).stdout);
    expect(json.findings[0]).toMatchObject({ ruleId: "VPN000", suppressed: true, suppression: { kind: "inSource" } });
  });

  it("--quiet prints nothing for a run that passes and only what fails otherwise", async () => {
    expect(await cli(["audit", relativeFixture("unused-suppression.rules"), "--fail-on", "error", "--quiet"])).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(await cli(["audit", relativeFixture("clean.rules"), "-q"])).toEqual({ code: 0, stdout: "", stderr: "" });
    const both = await cli(["audit", relativeFixture("unused-suppression.rules"), relativeFixture("syntax-error.rules"), "--fail-on", "error", "-q"]);
    expect(both.code).toBe(1);
    expect(both.stdout).toContain("[VPN000]");
    expect(both.stdout).not.toContain("[VPN100]");
  });
});

describe("standard input", () => {
  const text = readFileSync(fixture("syntax-error.rules"), "utf8");

  it("reads - and reports it as <stdin>", async () => {
    const result = await cli(["audit", "-"], { stdin: text });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("<stdin>:4:4 error");
  });

  it("--stdin-filename names it, also in SARIF", async () => {
    const result = await cli(["audit", "-", "--stdin-filename", "etc/iptables/rules.v4", "-f", "sarif"], { stdin: text });
    const sarif = JSON.parse(result.stdout);
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: "etc/iptables/rules.v4", uriBaseId: "%SRCROOT%" });
  });

  it("mixes with files", async () => {
    const result = await cli(["audit", relativeFixture("clean.rules"), "-", "-f", "json"], { stdin: text });
    expect(JSON.parse(result.stdout).files.map((file: { path: string }) => file.path)).toEqual(["<stdin>", relativeFixture("clean.rules")]);
  });

  it("refuses --stdin-filename without - and a second -", async () => {
    for (const args of [["audit", relativeFixture("clean.rules"), "--stdin-filename", "x"], ["audit", "-", "-"]]) {
      const result = await cli(args);
      expect(result.code).toBe(2);
      expect(isOneLineError(result.stderr)).toBe(true);
    }
  });
});

describe("formats", () => {
  it("json carries schema version 1, the file's format and role facts", async () => {
    const result = await cli(["audit", relativeFixture("clean.rules"), "-f", "json", "--role", "endpoint", "-i", "eth0", "-i", "ppp0"]);
    const json = JSON.parse(result.stdout);
    expect(json.version).toBe(1);
    expect(json.files[0]).toMatchObject({ path: relativeFixture("clean.rules"), format: "iptables" });
    expect(json.files[0].roles.externalInterfaces).toMatchObject({ value: ["eth0", "ppp0"], source: "option" });
    expect(json.files[0].roles.ipsecEndpoint).toMatchObject({ value: true, source: "option" });
  });

  it("--input-format forces the parser", async () => {
    const result = await cli(["audit", relativeFixture("clean.rules"), "-f", "json", "--input-format", "vyatta", "--fail-on", "none"]);
    expect(JSON.parse(result.stdout).files[0].format).toBe("vyatta");
  });

  it("sarif uses paths relative to the working directory", async () => {
    const sarif = JSON.parse((await cli(["audit", fixture("syntax-error.rules"), "-f", "sarif"])).stdout);
    const result = sarif.runs[0].results[0];
    expect(result.ruleId).toBe("VPN000");
    expect(result.locations[0].physicalLocation).toMatchObject({
      artifactLocation: { uri: "test/cli/fixtures/syntax-error.rules", uriBaseId: "%SRCROOT%" },
      region: { startLine: 4, startColumn: 4 },
    });
  });

  it("github writes workflow commands", async () => {
    const result = await cli(["audit", relativeFixture("syntax-error.rules"), "-f", "github"]);
    expect(result.stdout.split("\n")[0]).toBe(
      `::error file=${relativeFixture("syntax-error.rules")},line=4,col=4,endLine=4,endColumn=9,title=VPN000 syntax-error::chain "VPN-IN" does not exist in table "filter"`,
    );
  });

  it("--output writes the report to a file and nothing to stdout", async () => {
    const out = join(scratch, "report.sarif");
    const result = await cli(["audit", relativeFixture("syntax-error.rules"), "-f", "sarif", "-o", out]);
    expect(result).toMatchObject({ code: 1, stdout: "", stderr: "" });
    expect(JSON.parse(readFileSync(out, "utf8")).version).toBe("2.1.0");
  });

  it("-o - is standard output", async () => {
    const result = await cli(["audit", relativeFixture("clean.rules"), "-o", "-"]);
    expect(result.stdout).toBe("no problems in 1 file\n");
  });
});

describe("colour", () => {
  const file = relativeFixture("syntax-error.rules");
  const hasAnsi = (text: string) => text.includes("\u001b[");

  it("only on a terminal", async () => {
    expect(hasAnsi((await cli(["audit", file])).stdout)).toBe(false);
    expect(hasAnsi((await cli(["audit", file], { stdoutIsTTY: true })).stdout)).toBe(true);
  });

  it("NO_COLOR and --no-color turn it off, FORCE_COLOR on", async () => {
    expect(hasAnsi((await cli(["audit", file], { stdoutIsTTY: true, env: { NO_COLOR: "1" } })).stdout)).toBe(false);
    expect(hasAnsi((await cli(["audit", file, "--no-color"], { stdoutIsTTY: true, env: { FORCE_COLOR: "1" } })).stdout)).toBe(false);
    expect(hasAnsi((await cli(["audit", file], { env: { FORCE_COLOR: "1" } })).stdout)).toBe(true);
    expect(hasAnsi((await cli(["audit", file, "--color"])).stdout)).toBe(true);
  });

  it("never in machine formats", async () => {
    for (const format of ["json", "sarif", "github"]) {
      expect(hasAnsi((await cli(["audit", file, "-f", format], { stdoutIsTTY: true, env: { FORCE_COLOR: "1" } })).stdout)).toBe(false);
    }
  });
});

describe("inputs", () => {
  const tree = join(scratch, "tree");
  const put = (path: string, text: string) => {
    mkdirSync(join(tree, path, ".."), { recursive: true });
    writeFileSync(join(tree, path), text);
  };
  put("etc/iptables/rules.v4", "*filter\nCOMMIT\n");
  put("etc/iptables/rules.v6", "*filter\nCOMMIT\n");
  put("router/config.boot", "firewall {\n}\n");
  put("router/commands.set", "set firewall name WAN_LOCAL default-action drop\n");
  put("scripts/firewall.sh", "#!/bin/sh\nIPT=/sbin/iptables\n$IPT -P INPUT DROP\n");
  put("scripts/ufw.bash", "#!/bin/bash\nip6tables -A INPUT -j ACCEPT\n");
  put("scripts/backup.sh", "#!/bin/sh\necho iptablesish\n");
  put("ipsec.rules", "*filter\nCOMMIT\n");
  put("iptables.up", "*filter\nCOMMIT\n");
  put("notes.txt", "not rules\n");
  put(".git/rules.v4", "*filter\nCOMMIT\n");
  put("node_modules/pkg/x.rules", "*filter\nCOMMIT\n");

  it("directories yield the files that look like rulesets, sorted, skipping hidden folders and node_modules", () => {
    const { files, errors } = collectPaths([tree]);
    expect(errors).toEqual([]);
    expect(files.map((path) => path.slice(tree.length + 1))).toEqual([
      "etc/iptables/rules.v4",
      "etc/iptables/rules.v6",
      "ipsec.rules",
      "iptables.up",
      "router/commands.set",
      "router/config.boot",
      "scripts/firewall.sh",
      "scripts/ufw.bash",
    ]);
  });

  it("explicit files are audited whatever their name", async () => {
    expect(looksLikeRuleset(join(tree, "notes.txt"))).toBe(false);
    const result = await cli(["audit", join(tree, "notes.txt"), "--fail-on", "none", "-f", "json"]);
    expect(JSON.parse(result.stdout).files).toHaveLength(1);
  });

  it("a directory is audited file by file", async () => {
    const result = await cli(["audit", join(tree, "etc"), "-f", "json"]);
    expect(JSON.parse(result.stdout).summary.files).toBe(2);
  });
});

describe("errors: one line, exit 2", () => {
  const empty = join(scratch, "empty-dir");
  mkdirSync(empty, { recursive: true });
  writeFileSync(join(empty, "README.md"), "nothing to see\n");
  const loop = join(scratch, "loop.rules");
  symlinkSync(loop, loop);
  const binary = join(scratch, "binary.rules");
  writeFileSync(binary, Buffer.from([0x2a, 0x66, 0x00, 0x01, 0x02]));

  const cases: [string, string[], RegExp][] = [
    ["missing file", ["audit", "no/such.rules"], /^vpnlint: no\/such\.rules: no such file or directory\n$/],
    ["directory without rulesets", ["audit", empty], /^vpnlint: .*empty-dir: no ruleset files found in this directory \(looked for .*\)\n$/],
    ["a file used as a directory", ["audit", `${fixture("clean.rules")}/rules.v4`], /^vpnlint: .*clean\.rules\/rules\.v4: not a directory/],
    ["a symlink loop", ["audit", loop], /^vpnlint: .*loop\.rules: too many levels of symbolic links\n$/],
    ["a binary file", ["audit", binary], /^vpnlint: .*binary\.rules: binary file, not a ruleset\n$/],
    ["a report that cannot be written", ["audit", relativeFixture("clean.rules"), "-o", scratch], /^vpnlint: .*: cannot write the report: is a directory, expected a file\n$/],
    ["a config file that is missing", ["audit", relativeFixture("clean.rules"), "--config", join(scratch, "none.yaml")], /^vpnlint: config .*none\.yaml: cannot read/],
    ["an unknown flag", ["audit", relativeFixture("clean.rules"), "--bogus"], /^vpnlint: unknown argument: bogus \(see vpnlint --help\)\n$/],
    ["a bad choice", ["audit", relativeFixture("clean.rules"), "--format", "xml"], /^vpnlint: invalid value "xml" for --format \(choices: text, json, sarif, github\)\n$/],
    ["a missing option value", ["audit", relativeFixture("clean.rules"), "--output"], /^vpnlint: not enough arguments following: output/],
    ["an unknown command", ["audt", "x"], /^vpnlint: unknown command "audt" \(did you mean audit\?\)\n$/],
    ["no command", [], /^vpnlint: give a command: audit, rules, explain or trace/],
    ["no paths", ["audit"], /^vpnlint: nothing to audit: give files or directories, or - to read standard input\n$/],
  ];
  for (const [name, args, expected] of cases) {
    it(name, async () => {
      const result = await cli(args);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(expected);
      expect(isOneLineError(result.stderr)).toBe(true);
    });
  }

  it("lists every unreadable input before giving up, and audits nothing", async () => {
    const result = await cli(["audit", "a.rules", relativeFixture("syntax-error.rules"), "b.rules"]);
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: "vpnlint: a.rules: no such file or directory\nvpnlint: b.rules: no such file or directory\n",
    });
  });
});
