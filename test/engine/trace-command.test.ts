// `vpnlint trace`: per-packet verdicts and steps in text and JSON, and one-line usage errors.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yargs from "yargs";
import { afterAll, describe, expect, it } from "vitest";
import { createTraceCommand } from "../../src/cli/commands/trace.js";
import type { CliIo } from "../../src/cli/io.js";

const dir = mkdtempSync(join(tmpdir(), "vpnlint-trace-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rules = join(dir, "server.rules");
writeFileSync(
  rules,
  `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:IKE - [0:0]
-A INPUT -p udp -m udp --dport 1701 -m policy --dir in --pol none -j DROP
-A INPUT -i eth0 -p udp -j IKE
-A INPUT -p udp -m policy --dir in --pol ipsec -m udp --dport 1701 -j ACCEPT
-A IKE -p udp -m multiport --dports 500,4500 -j ACCEPT
COMMIT
`,
);

async function trace(args: string[]): Promise<{ out: string; err: string; error?: Error }> {
  let out = "";
  let err = "";
  const io: CliIo = {
    cwd: dir,
    env: {},
    stdout: { write: (t) => void (out += t), isTTY: false },
    stderr: { write: (t) => void (err += t), isTTY: false },
    readStdin: async () => "",
  };
  try {
    await yargs().command(createTraceCommand(io)).strict().exitProcess(false).fail((m, e) => { throw e ?? new Error(m); }).parseAsync(["trace", ...args]);
    return { out, err };
  } catch (error) {
    return { out, err, error: error as Error };
  }
}

describe("vpnlint trace", () => {
  it("prints the verdict and every step with file:line and rule text", async () => {
    const { out, error } = await trace([rules, "--packet", "proto=udp src=198.51.100.7 sport=40000 dst=203.0.113.2 dport=500 in=eth0 state=new ipsec=no"]);
    expect(error).toBeUndefined();
    expect(out).toContain("verdict: accept");
    expect(out).toContain(`filter INPUT  ${rules}:7  -A INPUT -i eth0 -p udp -j IKE  => jump IKE`);
    expect(out).toContain(`filter IKE  ${rules}:9  -A IKE -p udp -m multiport --dports 500,4500 -j ACCEPT  => ACCEPT`);
  });

  it("says which parts of a set fare differently", async () => {
    const { out } = await trace([rules, "--packet", "proto=udp dport=1701 in=eth0 state=new"]);
    expect(out).toContain("verdict: maybe (parts of this set fare differently");
    expect(out).toMatch(/part \d, drop: udp dport 1701 state new not ipsec/);
    expect(out).toMatch(/part \d, accept: udp dport 1701 state new ipsec/);
  });

  it("prints one JSON object per packet", async () => {
    const { out } = await trace([rules, "-f", "json", "-p", "proto=udp dport=4500 in=eth0 state=new", "-p", "proto=esp in=eth0"]);
    const parsed = JSON.parse(out) as { packet: string; verdict: string; steps: { file: string; line: number; table: string; chain: string; action: string }[] }[];
    expect(parsed.map((p) => [p.packet, p.verdict])).toEqual([
      ["proto=udp dport=4500 in=eth0 state=new", "accept"],
      ["proto=esp in=eth0", "drop"],
    ]);
    expect(parsed[0]!.steps.map((s) => [s.line, s.table, s.chain, s.action])).toEqual([
      [7, "filter", "INPUT", "jump IKE"],
      [9, "filter", "IKE", "ACCEPT"],
    ]);
    expect(parsed[1]!.steps).toEqual([{ file: rules, line: 2, table: "filter", chain: "INPUT", action: "policy DROP" }]);
  });

  it("rejects a bad packet and a missing file with one line", async () => {
    expect((await trace([rules, "--packet", "proto=udp dport=99999"])).error?.message).toBe('--packet "proto=udp dport=99999": dport: "99999" is not a port or port range');
    expect((await trace([join(dir, "missing.rules"), "--packet", "proto=udp"])).error?.message).toContain("missing.rules: cannot read: no such file or directory");
    expect((await trace([rules, "--packet", "src=2001:db8::1"])).error?.message).toContain("the files hold no IPv6 rules");
  });
});
