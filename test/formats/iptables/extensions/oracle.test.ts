// Differential test against the real iptables-legacy-restore: tricky rules, each loaded for real (not --test, so the
// kernel's checks run) in a throwaway network namespace, must be accepted by vpnlint exactly when iptables loads them.
// Only core modules every distribution kernel has; host-dependent cases (user names, conntrack helpers) stay out.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { parseSource } from "../../../../src/formats/index.js";
import { SourceFile } from "../../../../src/model/source.js";
import { describeWith, kernel } from "../../../helpers/environment.js";

/** `table chain rule...`; a chain named USER is declared first. */
const RULES = `
filter INPUT -p tcp --dport 22 -j ACCEPT
filter INPUT -p udp -m udp --dport isakmp -j ACCEPT
filter INPUT -p tcp --dport isakmp
filter INPUT -p udp --dport ssh
filter INPUT -p udp -m multiport --dports isakmp,ipsec-nat-t,l2tp
filter INPUT -p tcp -m multiport --dports isakmp
filter INPUT -p tcp -m multiport --dports 22:22
filter INPUT -p icmp -m multiport --ports 1
filter INPUT ! -p tcp -m multiport --ports 1
filter INPUT -m tcp --dport 1 -p tcp
filter INPUT -m tcp --dport 1
filter INPUT -p udp -m tcp --dport 1
filter INPUT -p tcp --dport 65536
filter INPUT -p tcp --dport 0x16
filter INPUT -p tcp --syn --dport 22 --tcp-option 5
filter INPUT -p tcp --tcp-option 0
filter INPUT -p tcp -m tcp --syn --tcp-flags SYN SYN
filter INPUT -p tcp --tcp-flags SYN,FOO SYN
filter INPUT -p tcp --d 22
filter INPUT -p tcp -m tcp --dp 22
filter INPUT -p tcp --sport=1
filter INPUT -p tcp --syn=1
filter INPUT -p tcp --dport ! 22
filter INPUT -p ! tcp
filter INPUT ! -p 0
filter INPUT -p 256
filter INPUT -p IPv6-ICMP
filter INPUT -s 1.2.3 -d 010.1.1.1
filter INPUT -s 1.2.3.4/033
filter INPUT -s 1.2.3.4/33
filter INPUT -s 1.2.3.4/255.0.255.0
filter INPUT ! -s 1.2.3.4,5.6.7.8
filter INPUT -s 1.2.3.4,5.6.7.8 -d 192.0.2.1,198.51.100.0/24
filter INPUT -s ,1.2.3.4
filter INPUT -o eth0
filter OUTPUT -i eth0
filter USER -o eth0 -i eth1
filter INPUT -i 1234567890123456
filter INPUT -i eth0 -i eth1
filter INPUT ! ! -p tcp
filter INPUT -p tcp !
filter INPUT ! -m tcp
filter INPUT -j ACCEPT -j DROP
filter INPUT -j INPUT
filter INPUT -g USER
filter INPUT -g ACCEPT
filter INPUT -j NOWHERE
filter INPUT -t filter
filter INPUT -m state --state NEW --state ESTABLISHED
filter INPUT -m state wrong
filter INPUT -m conntrack --ctstate new,established
filter INPUT -m comment --comment x -m comment --comment y
filter INPUT -p icmp --icmp-type echo
filter INPUT -p icmp --icmp-type ping
filter INPUT -p icmp --icmp-type 8/0:5
filter INPUT -m policy --dir in --pol ipsec --proto 50
filter INPUT -m policy --dir out --pol ipsec
filter FORWARD -m policy --dir out --pol none
filter INPUT -m policy --dir in --pol none --proto esp
filter INPUT -m policy --dir in --pol ipsec --strict --proto esp --next
filter INPUT -m policy --dir in --pol ipsec --proto esp --next --proto ah
filter INPUT -m policy --dir in --pol none --strict
filter INPUT -m policy --dir in --pol ipsec ! --mode transport --tunnel-src 192.0.2.1
filter INPUT -m policy --dir in --pol ipsec --mode transport --tunnel-src 192.0.2.1
filter INPUT -m policy -i eth0 --dir in --pol ipsec --proto esp
filter INPUT -m limit --limit 1/hour --limit-burst 120
filter INPUT -m limit --limit 1/hour --limit-burst 119
filter INPUT -m limit --limit 10001/s
filter INPUT -m recent --rcheck --hitcount 999 --name foo
filter INPUT -m recent --set --rttl
filter INPUT -m mark --mark 0x1/0x1/0x1
filter INPUT -m u32 --u32 "6 & 0xFF = 1 && 4 & 0x3FFF = 0"
filter INPUT -m u32 --u32 garbage
filter INPUT -m time --datestart 2020-13-01
filter INPUT -m ttl ! --ttl-lt 3
filter INPUT -j REJECT --reject-with tcp-reset
filter INPUT -p tcp -j REJECT --reject-with tcp-rst
filter INPUT -j REJECT --reject-with icmp-port
filter USER -j REJECT
mangle INPUT -j REJECT
filter INPUT -j LOG --log-level warn
filter INPUT -j LOG --log-level 8
filter INPUT -m comment --comment -4 -j DROP
filter INPUT -m comment --comment -t -j DROP
filter INPUT -m comment --comment -c -j DROP
filter INPUT -m comment --comment --ipv6 -j DROP
filter INPUT -j LOG --log-prefix -w
filter INPUT -p tcp --dport 22 -4 -j DROP
filter INPUT -s -4 -j DROP
filter INPUT -p tcp --tcp-flags -4 SYN -j DROP
filter INPUT -m comment --comment x -t nat -j DROP
filter INPUT -j MARK --set-xmark 1 --or-mark 2
nat PREROUTING -p tcp --dport 80 -j DNAT --to-destination 192.0.2.1:8080
nat PREROUTING -j DNAT --to-destination 192.0.2.1:8080
nat POSTROUTING -j DNAT --to-destination 192.0.2.1
nat USER -j DNAT --to-destination 192.0.2.1
nat POSTROUTING -o eth0 -j MASQUERADE
nat PREROUTING -j MASQUERADE
nat POSTROUTING -j SNAT --to-source 203.0.113.1
filter INPUT -j DNAT --to-destination 192.0.2.1
mangle FORWARD -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu
mangle FORWARD -p tcp -j TCPMSS --set-mss 1400
mangle PREROUTING -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu
raw PREROUTING -j CT --notrack
filter INPUT -j CT --notrack
`
  .trim()
  .split("\n");

interface Case {
  readonly rule: string;
  readonly document: string;
}

function casesOf(lines: readonly string[]): Case[] {
  return lines.map((line) => {
    const [table, chain, ...rest] = line.split(" ");
    const rule = rest.join(" ");
    const declare = chain === "USER" ? ":USER - [0:0]\n" : "";
    return { rule: line, document: `*${table}\n${declare}-A ${chain} ${rule}\nCOMMIT\n` };
  });
}

describeWith(kernel, "rule specs against the real iptables-legacy-restore", () => {
  it("accepts exactly the rules the kernel loads", () => {
    const cases = casesOf(RULES);
    const dir = mkdtempSync(join(tmpdir(), `vpnlint-a2-${process.pid}-`));
    try {
      cases.forEach((c, i) => writeFileSync(join(dir, `${i}.rules`), c.document));
      const script = `for i in $(seq 0 ${cases.length - 1}); do iptables-legacy-restore < "${dir}/$i.rules" 2>/dev/null; echo "$i $?"; done`;
      const run = spawnSync("unshare", ["-rn", "sh", "-c", script], { encoding: "utf8", timeout: 120_000 });
      expect(run.error).toBeUndefined();
      const loads = new Map(run.stdout.trim().split("\n").map((line) => line.split(" ").map(Number) as [number, number]));
      expect(loads.size).toBe(cases.length);
      const disagreements = cases.flatMap((c, i) => {
        const model = parseSource(new SourceFile(`case-${i}`, c.document), "iptables");
        const accepted = model.diagnostics.length === 0;
        const real = loads.get(i) === 0;
        return accepted === real ? [] : [`${c.rule}: iptables ${real ? "loads it" : "refuses it"}, vpnlint ${accepted ? "accepts" : `says ${model.diagnostics[0]!.message}`}`];
      });
      expect(disagreements).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
