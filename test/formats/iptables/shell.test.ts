// Shell scripts calling iptables: variables, sudo, continuations, comments, other commands ignored, here-documents.

import { describe, expect, it } from "vitest";
import { iptablesFormat } from "../../../src/formats/iptables/index.js";
import type { FirewallModel } from "../../../src/model/firewall.js";
import { resolveRange, SourceFile } from "../../../src/model/source.js";

function load(text: string): FirewallModel {
  return iptablesFormat.parse(new SourceFile("firewall.sh", text));
}

function rules(model: FirewallModel, family: "ipv4" | "ipv6", table = "filter"): string[] {
  const t = model.rulesets.find((r) => r.family === family)?.tables.get(table as "filter");
  return t ? [...t.chains.values()].flatMap((c) => c.rules.map((r) => r.text)) : [];
}

const script = [
  "#!/bin/sh",
  "# firewall for an L2TP/IPsec server",
  "IPT=/sbin/iptables",
  'IP6T="sudo ip6tables"',
  "WAN=eth0",
  "$IPT -F",
  "$IPT -P INPUT DROP",
  "${IPT} -A INPUT -i lo -j ACCEPT",
  "$IPT -A INPUT -i $WAN -p udp -m multiport --dports 500,4500 \\",
  "     -j ACCEPT",
  '$IPT -t nat -A POSTROUTING -o "$WAN" -j MASQUERADE',
  "iptables -N L2TP 2>/dev/null || true",
  "sudo iptables-legacy -A INPUT -p udp --dport 1701 -m policy --dir in --pol ipsec -j L2TP",
  "$IP6T -A INPUT -p ipv6-icmp -j ACCEPT",
  'echo "iptables -A INPUT -j DROP"',
  "iptables-restore -n <<EOF",
  "*filter",
  "-A L2TP -j ACCEPT",
  "COMMIT",
  "EOF",
  "iptables -L -n",
  "",
].join("\n");

describe("shell scripts", () => {
  it("applies iptables and ip6tables calls in order and ignores other commands", () => {
    const model = load(script);
    expect(model.diagnostics).toEqual([]);
    expect(rules(model, "ipv4")).toEqual([
      "-A INPUT -i lo -j ACCEPT",
      "-A INPUT -i eth0 -p udp -m multiport --dports 500,4500 -j ACCEPT",
      "-A INPUT -p udp --dport 1701 -m policy --dir in --pol ipsec -j L2TP",
      "-A L2TP -j ACCEPT",
    ]);
    expect(rules(model, "ipv4", "nat")).toEqual(["-A POSTROUTING -o eth0 -j MASQUERADE"]);
    expect(rules(model, "ipv6")).toEqual(["-A INPUT -p ipv6-icmp -j ACCEPT"]);
    const filter = model.rulesets[0]!.tables.get("filter")!;
    expect(filter.chains.get("INPUT")!.policy?.verdict).toBe("drop");
  });

  it("gives each rule the range of its whole command, continuation included", () => {
    const rule = load(script).rulesets[0]!.tables.get("filter")!.chains.get("INPUT")!.rules[1]!;
    expect(resolveRange(rule.range)).toMatchObject({ startLine: 9, startColumn: 1, endLine: 10, endColumn: 15 });
    expect(rule.index).toBe(2);
  });

  it("reports commands iptables itself would refuse", () => {
    const model = load("#!/bin/sh\niptables -A NOPE -j ACCEPT\niptables -t bogus -A INPUT\niptables -6 -A INPUT\niptables -A INPUT -t\n");
    expect(
      model.diagnostics.map((d) => {
        const r = resolveRange(d.range);
        return `${r.startLine}:${r.startColumn} ${d.message}`;
      }),
    ).toEqual(['2:13 chain "NOPE" does not exist in table "filter"', '3:13 unknown table "bogus" (iptables has raw, mangle, nat, filter, security)', '4:10 "-6" cannot be used with iptables', '5:19 "-t" needs a table name after it']);
  });

  it("reports an unterminated quote", () => {
    const model = load('#!/bin/sh\niptables -A INPUT -m comment --comment "open\n');
    expect(model.diagnostics.map((d) => [resolveRange(d.range).startLine, resolveRange(d.range).startColumn, d.message])).toEqual([
      [2, 40, "unterminated quote: the shell reads the rest of the file as part of this word"],
    ]);
  });

  it("inserts at the end when a script inserts further down than the rules it made (the host may have more)", () => {
    const model = load("#!/bin/sh\niptables -A INPUT -p esp -j ACCEPT\niptables -I INPUT 5 -p udp --dport 500 -j ACCEPT\niptables -I INPUT 1 -i lo -j ACCEPT\n");
    expect(model.diagnostics).toEqual([]);
    expect(rules(model, "ipv4")).toEqual(["-A INPUT -i lo -j ACCEPT", "-A INPUT -p esp -j ACCEPT", "-A INPUT -p udp --dport 500 -j ACCEPT"]);
  });

  it("expands variables in here-documents with an unquoted delimiter only", () => {
    const text = "#!/bin/sh\nWAN=eth1\niptables-restore <<EOF\n*filter\n-A INPUT -i $WAN -p esp -j ACCEPT\n-A INPUT -i ${WAN} -s $PEER -j ACCEPT\nCOMMIT\nEOF\niptables-restore -n <<'EOF'\n*filter\n-A INPUT -i $WAN -j DROP\nCOMMIT\nEOF\n";
    const model = load(text);
    expect(model.diagnostics).toEqual([]);
    expect(rules(model, "ipv4")).toEqual([
      "-A INPUT -i eth1 -p esp -j ACCEPT",
      expect.stringMatching(/^-A INPUT -i eth1 -s \$PEER/),
      "-A INPUT -i $WAN -j DROP",
    ]);
  });

  it("follows a variable holding sudo and a path", () => {
    const model = load('#!/bin/bash\nIPT="/usr/bin/sudo -E /sbin/iptables -w"\n$IPT -A INPUT -p udp --dport 4500 -j ACCEPT\n');
    expect(model.diagnostics).toEqual([]);
    expect(rules(model, "ipv4")).toEqual(["-A INPUT -p udp --dport 4500 -j ACCEPT"]);
  });

  it("is recognised without a #! line", () => {
    expect(rules(load("iptables -A INPUT -p esp -j ACCEPT\n"), "ipv4")).toEqual(["-A INPUT -p esp -j ACCEPT"]);
  });
});
