// The real CLI on hostile files: exit 0, 1 or 2 with a one-line error, never a stack trace; JSON and SARIF stay valid
// JSON for any input bytes; input escape sequences never reach a terminal raw; 1,000 files under an fd limit.

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/environment.js";
import { BUILD_TIMEOUT_MS, hostileBuild, type Build } from "./build.js";
import { binaryGarbage, longIptablesLine, mutations, nestedBraces, seededRandom, seedOf, unbalancedQuotes } from "./generators.js";

/** Generous for loaded CI machines; each spawn has its own timeout below it, so a hang still ends the test. */
const CLI_TEST_TIMEOUT_MS = 300_000;
const SPAWN_TIMEOUT_MS = 240_000;

interface CliRun {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Input that only a terminal would act on: OSC title, clear screen, cursor report, one-byte CSI, DCS. */
const HOSTILE_ESCAPES = ["\u001b]0;PWNED\u0007", "\u001b[2J", "\u001b[6n", "\u009b2J", "\u001bP+q\u001b\\"];
/** What the CLI itself may send to a terminal: SGR colours and the spinner's cursor moves. */
const OWN_SEQUENCES = /\u001b\[[0-9;]*m|\u001b\[\?25[lh]|\u001b\[[0-9]*[ABCDGK]/g;

const ESCAPE_PATH_NAME = `esc-\u001b]0;PWNED\u0007-\u001b[2J.rules`;

function escapeRuleset(): string {
  return [
    "*filter",
    ":INPUT DROP [0:0]",
    `:CHAIN-\u001b[2J-PWNED - [0:0]`,
    `-A INPUT -m comment --comment "${HOSTILE_ESCAPES.join(" ")} PWNED" -p udp -m udp --dport 1701 -j ACCEPT`,
    `-A INPUT -p udp --dport 500 -j CHAIN-\u001b[2J-PWNED`,
    `-A INPUT --bogus-\u001b[6n-PWNED -j ACCEPT`,
    `-A INPUT -j NO-SUCH-\u001b]0;PWNED\u0007`,
    "COMMIT",
    "",
  ].join("\n");
}

/** Problems with how a run ended, whatever its output format. */
function endProblems(label: string, run: CliRun, allowedExits: readonly number[]): string[] {
  const problems: string[] = [];
  if (run.signal) problems.push(`${label}: killed by ${run.signal}`);
  else if (!allowedExits.includes(run.status ?? -1)) problems.push(`${label}: exit ${run.status}, stderr: ${run.stderr.slice(0, 300)}`);
  if (/^\s+at .*(:\d+:\d+\)?|<anonymous>\)?)$/m.test(run.stderr) || /node:internal|FATAL ERROR|Uncaught/.test(run.stderr)) {
    problems.push(`${label}: stack trace or fatal error on stderr: ${run.stderr.slice(0, 500)}`);
  }
  if (/internal error/.test(run.stderr)) problems.push(`${label}: ${run.stderr.trim().split("\n")[0]}`);
  for (const line of run.stderr.split("\n").filter((l) => l !== "")) {
    if (!line.startsWith("vpnlint: ")) problems.push(`${label}: stderr line is not a vpnlint error: ${line.slice(0, 200)}`);
  }
  return problems;
}

/** Raw input escape sequences in terminal output, after taking away the CLI's own colours and cursor moves. */
function rawEscapes(output: string): string[] {
  const rest = output.replace(OWN_SEQUENCES, "");
  return [...rest.matchAll(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g)].map((m) => JSON.stringify(rest.slice(Math.max(0, m.index - 20), m.index + 20)));
}

describe("hostile input: the CLI", () => {
  let build: Build;
  let dir: string;
  /** Text files, each hostile in its own way, that the CLI must audit (not refuse). */
  let textFiles: string[];

  const cli = (args: readonly string[], env: Record<string, string> = {}, timeout = SPAWN_TIMEOUT_MS): CliRun => {
    const result = spawnSync(process.execPath, [build.cli, ...args], {
      cwd: dir,
      encoding: "utf8",
      env: { ...cleanEnv(), ...env },
      timeout,
      maxBuffer: 512 * 1024 * 1024,
    });
    return { status: result.status, signal: result.signal, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
  };

  beforeAll(() => {
    build = hostileBuild();
    dir = mkdtempSync(join(tmpdir(), "vpnlint-hostile-cli-"));
    textFiles = [];
    const write = (name: string, content: string | Uint8Array): string => {
      writeFileSync(join(dir, name), content);
      textFiles.push(name);
      return name;
    };
    for (const example of ["l2tp-ipsec-server.rules", "l2tp-ipsec-broken.rules", "nat-gateway.rules"]) {
      const bytes = new Uint8Array(readFileSync(join(repoRoot, "examples", example)));
      for (const name of ["invalid-utf8", "terminal-escapes", "crlf", "bom", "splice-garbage", "byte-flips"]) {
        const seed = seedOf("cli", example, name);
        const mutation = mutations.find((m) => m.name === name)!;
        // NUL bytes make the CLI refuse a file as binary; that path has its own test below.
        const mutated = mutation.apply(bytes, seededRandom(seed)).map((b) => (b === 0 ? 0x20 : b));
        write(`${name}-${seed}-${example}`, mutated);
      }
    }
    // Random bytes without NUL get past the binary sniff and into the parsers. Sizes are smaller than in
    // extremes.test.ts (which times the library on the full sizes): here the output is what is checked.
    write("garbage-no-nul.rules", binaryGarbage(7, 32 * 1024).map((b) => (b === 0 ? 1 : b)));
    write("garbage-header.boot", binaryGarbage(8, 16 * 1024, "firewall {\n").map((b) => (b === 0 ? 1 : b)));
    write("long-line.rules", longIptablesLine("comment", 1024 * 1024));
    write("nested.boot", nestedBraces(10_000, false));
    write("quotes.set", unbalancedQuotes("set"));
    write("escapes.rules", escapeRuleset());
    // Text after COMMIT is refused by any loader, so a finding (and with it the file name) is always printed.
    write(ESCAPE_PATH_NAME, `${readFileSync(join(repoRoot, "examples/l2tp-ipsec-broken.rules"), "utf8")}PWNED outside a table\n`);
    write("empty.rules", "");
    write("bom-only.boot", "\ufeff");
  }, BUILD_TIMEOUT_MS);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("writes valid JSON for every hostile file, each file listed once", () => {
    const run = cli(["audit", "--format", "json", ...textFiles]);
    expect(endProblems("audit --format json", run, [0, 1])).toEqual([]);
    const document = JSON.parse(run.stdout) as { files: { path: string }[] };
    expect(document.files.map((file) => file.path).sort()).toEqual([...textFiles].sort());
  }, CLI_TEST_TIMEOUT_MS);

  it("writes valid SARIF for every hostile file, with positive line numbers", () => {
    const run = cli(["audit", "--format", "sarif", ...textFiles]);
    expect(endProblems("audit --format sarif", run, [0, 1])).toEqual([]);
    const log = JSON.parse(run.stdout) as {
      version: string;
      runs: { results: { locations?: { physicalLocation?: { region?: { startLine?: number; startColumn?: number } } }[] }[] }[];
    };
    expect(log.version).toBe("2.1.0");
    const regions = log.runs.flatMap((r) => r.results).flatMap((result) => result.locations ?? []).map((l) => l.physicalLocation?.region);
    expect(regions.filter((region) => region && !(region.startLine! >= 1 && (region.startColumn ?? 1) >= 1))).toEqual([]);
  }, CLI_TEST_TIMEOUT_MS);

  it("writes GitHub annotations as one line per finding", () => {
    const run = cli(["audit", "--format", "github", ...textFiles]);
    expect(endProblems("audit --format github", run, [0, 1])).toEqual([]);
    // Workflow commands, and log lines of vpnlint's own; a line break from the input would start a stray line.
    expect(run.stdout.split("\n").filter((line) => line !== "" && !line.startsWith("::") && !line.startsWith("vpnlint: "))).toEqual([]);
    expect(rawEscapes(run.stdout)).toEqual([]);
  }, CLI_TEST_TIMEOUT_MS);

  it("never replays input escape sequences to a coloured terminal", () => {
    const run = cli(["audit", ...textFiles], { FORCE_COLOR: "1" });
    expect(endProblems("audit (FORCE_COLOR=1)", run, [0, 1])).toEqual([]);
    // The file name carries escapes too: it is printed with every finding, so the check has something to look at.
    expect(run.stdout.includes("PWNED"), "the escaped file name is printed").toBe(true);
    expect(rawEscapes(run.stdout + run.stderr)).toEqual([]);
  }, CLI_TEST_TIMEOUT_MS);

  it("never replays input escape sequences on a real terminal (pty)", () => {
    // script(1) gives the CLI a pseudo-terminal: stdout and stderr are TTYs, as for a person at a shell.
    const result = spawnSync("script", ["-qec", 'exec "$VPNLINT_NODE" "$VPNLINT_CLI" audit "$VPNLINT_FILE" escapes.rules', "/dev/null"], {
      cwd: dir,
      encoding: "utf8",
      env: { ...cleanEnv(), TERM: "xterm-256color", VPNLINT_NODE: process.execPath, VPNLINT_CLI: build.cli, VPNLINT_FILE: ESCAPE_PATH_NAME },
      timeout: SPAWN_TIMEOUT_MS,
    });
    expect(result.error).toBeUndefined();
    expect([0, 1]).toContain(result.status);
    expect(result.stdout.includes("PWNED"), "the escaped file name is printed").toBe(true);
    expect(rawEscapes(result.stdout.replace(/\r\n/g, "\n"))).toEqual([]);
  }, CLI_TEST_TIMEOUT_MS);

  it("reads hostile bytes from standard input and names them safely", () => {
    const input = Buffer.concat([Buffer.from(escapeRuleset()), Buffer.from(binaryGarbage(11, 8 * 1024).map((b) => (b === 0 ? 1 : b)))]);
    const stdinName = "stdin-\u001b]0;PWNED\u0007.rules";
    for (const format of ["json", "sarif", "text"] as const) {
      const result = spawnSync(process.execPath, [build.cli, "audit", "--format", format, "--stdin-filename", stdinName, "-"], {
        cwd: dir,
        input,
        encoding: "utf8",
        env: { ...cleanEnv(), FORCE_COLOR: "1" },
        timeout: SPAWN_TIMEOUT_MS,
      });
      const run = { status: result.status, signal: result.signal, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
      expect(endProblems(`audit --format ${format} -`, run, [0, 1])).toEqual([]);
      if (format === "text") {
        expect(run.stdout.includes("PWNED"), "the escaped name is printed").toBe(true);
        expect(rawEscapes(run.stdout)).toEqual([]);
      } else {
        expect(() => JSON.parse(run.stdout)).not.toThrow();
      }
    }
  }, CLI_TEST_TIMEOUT_MS);

  it("refuses binary, missing and empty-directory inputs with one line each and exit 2", () => {
    writeFileSync(join(dir, "binary.rules"), binaryGarbage(9, 4096, "*filter\n\u0000"));
    mkdirSync(join(dir, "no-rulesets"), { recursive: true });
    writeFileSync(join(dir, "no-rulesets/readme.txt"), "nothing here\n");
    for (const [path, format] of [["binary.rules", "json"], ["does-not-exist.rules", "sarif"], ["no-rulesets", "text"]] as const) {
      const run = cli(["audit", "--format", format, path]);
      expect(endProblems(`audit ${path}`, run, [2])).toEqual([]);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.stderr).toContain(path);
    }
  }, CLI_TEST_TIMEOUT_MS);

  it("audits 1,000 files in one invocation under a 640-descriptor limit and 256 MB", () => {
    const many = join(dir, "many");
    mkdirSync(many, { recursive: true });
    const sources = ["l2tp-ipsec-server.rules", "l2tp-ipsec-broken.rules", "nat-gateway.rules"].map((f) => readFileSync(join(repoRoot, "examples", f), "utf8"));
    const vyatta = "firewall {\n    name WAN_LOCAL {\n        default-action drop\n        rule 10 {\n            action accept\n            destination {\n                port 500,4500\n            }\n            protocol udp\n        }\n    }\n}\n";
    const names: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const name = i % 4 === 3 ? `many/host-${i}.boot` : `many/host-${i}.rules`;
      const body = i % 4 === 3 ? vyatta.replace("port 500,4500", `port ${500 + i}`) : sources[i % 3]!.replace("--dport 22 ", `--dport ${1000 + i} `);
      writeFileSync(join(dir, name), body);
      names.push(name);
    }
    const rssFile = join(dir, "rss.txt");
    // Fewer descriptors than files, so one held per input fails; more than loading the modules needs at start-up.
    const result = spawnSync("bash", ["-c", 'ulimit -n 640 && exec /usr/bin/time -f %M -o "$0" "$@"', rssFile, process.execPath, build.cli, "audit", "--format", "json", ...names], {
      cwd: dir,
      encoding: "utf8",
      env: cleanEnv(),
      timeout: SPAWN_TIMEOUT_MS,
      maxBuffer: 512 * 1024 * 1024,
    });
    const run = { status: result.status, signal: result.signal, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
    expect(endProblems("audit of 1,000 files", run, [0, 1])).toEqual([]);
    const document = JSON.parse(run.stdout) as { files: { path: string }[] };
    expect(document.files).toHaveLength(1000);
    const peakMb = Number(readFileSync(rssFile, "utf8").trim().split("\n").pop()) / 1024;
    expect(peakMb).toBeLessThan(256);
  }, CLI_TEST_TIMEOUT_MS);
});

/** The parent's environment without settings that change colour or progress output. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !["FORCE_COLOR", "NO_COLOR", "CI", "TERM"].includes(key)) env[key] = value;
  }
  return env;
}
