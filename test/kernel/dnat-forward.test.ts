// DNAT + FORWARD against the kernel: a gateway DNATs IKE/NAT-T (and more) to a server behind it; whether the server
// receives each probe must be what the engine says (accepted after a DNAT to another address = delivered).

import { afterAll, beforeAll, expect, it } from "vitest";
import { analyze } from "../../src/engine/index.js";
import { parseSource } from "../../src/formats/index.js";
import { SourceFile } from "../../src/model/source.js";
import { describeWith, kernel } from "../helpers/environment.js";
import { cleanupLeftovers, GatewayLab, type Probe } from "./harness.js";

const SERVER_COUNTERS = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p udp -m udp --dport 500
-A INPUT -p udp -m udp --dport 4500
-A INPUT -p udp -m udp --dport 1701
-A INPUT -p esp
COMMIT
`;
const KINDS = ["udp 500", "udp 4500", "udp 1701", "esp"] as const;

const NAT = (extra = "") => `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -i eth0 -p udp -m udp --dport 500 -j DNAT --to-destination 198.51.100.10
-A PREROUTING -i eth0 -p udp -m multiport --dports 4500,14500 -j DNAT --to-destination 198.51.100.10:4500
-A PREROUTING -i eth0 -p esp -j DNAT --to-destination 198.51.100.10
${extra}-A POSTROUTING -o eth0 -j MASQUERADE
COMMIT
`;

const SCENARIOS: Record<string, string> = {
  "FORWARD policy DROP lets only IKE through": `${NAT("-A PREROUTING -i eth0 -p udp -m udp --dport 1701 -j DNAT --to-destination 198.51.100.10\n")}*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -d 198.51.100.10/32 -i eth0 -p udp -m udp --dport 500 -j ACCEPT
COMMIT
`,
  "FORWARD accepts IKE, NAT-T and ESP, not L2TP, through a user chain": `${NAT()}*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:VPN-FWD - [0:0]
:VPN-IKE - [0:0]
-A INPUT -i eth0 -p udp -m udp --dport 1701 -j ACCEPT
-A FORWARD -i eth0 -o eth1 -j VPN-FWD
-A VPN-FWD -p udp -m udp ! --dport 4500 -g VPN-IKE
-A VPN-FWD -p udp -j ACCEPT
-A VPN-FWD -p esp -j RETURN
-A VPN-FWD -j DROP
-A FORWARD -p esp -d 198.51.100.10 -j ACCEPT
-A VPN-IKE -p udp -m udp --dport 500 -j ACCEPT
COMMIT
`,
  "FORWARD policy ACCEPT with a drop for the gateway's own L2TP": `${NAT("-A PREROUTING -i eth0 -p udp -m udp --dport 1701 -j DNAT --to-destination 198.51.100.10\n")}*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -p udp -m udp --dport 1701 -m policy --dir in --pol none -j DROP
-A FORWARD -i eth0 -p udp -m udp --sport 30045:30055 -j REJECT
COMMIT
`,
};

let sport = 30000;

function probesFor(kind: (typeof KINDS)[number] | "udp 14500", src: string): Probe {
  const seq = sport++;
  if (kind === "esp") return { via: "wan", proto: 50, src, dst: "203.0.113.1", seq, tag: "esp" };
  return { via: "wan", proto: 17, src, dst: "203.0.113.1", sport: seq, dport: Number(kind.split(" ")[1]), seq, tag: kind };
}

describeWith(kernel, "DNAT and FORWARD on a client - gateway - server topology", () => {
  let lab: GatewayLab;

  beforeAll(async () => {
    cleanupLeftovers();
    lab = new GatewayLab();
    await lab.load(SERVER_COUNTERS, "server");
  });

  afterAll(() => lab?.close());

  for (const [name, text] of Object.entries(SCENARIOS)) {
    it(name, async () => {
      const model = parseSource(new SourceFile("gateway.ipv4.rules", text), "iptables");
      expect(model.diagnostics.map((d) => d.message)).toEqual([]);
      await lab.load(text, "gateway");
      const results: string[] = [];
      for (const kind of [...KINDS, "udp 14500"] as const) {
        for (const src of ["203.0.113.254", "192.0.2.7"]) {
          const probe = probesFor(kind, src);
          const before = await lab.counters("server");
          await lab.send([probe]);
          // Delivery is asynchronous (softirq, forwarding): poll the server's counters for a bounded time.
          const expectedRule = kind === "esp" ? 4 : kind === "udp 14500" ? 2 : KINDS.indexOf(kind) + 1;
          let delivered = false;
          for (let tries = 0; tries < 10 && !delivered; tries++) {
            if (tries > 0) await new Promise((resolve) => setTimeout(resolve, 20));
            const after = await lab.counters("server");
            const moved = (c: { chain: string; index: number }) => c.chain === "INPUT" && c.index === expectedRule;
            delivered = after.filter(moved)[0]!.packets > before.filter(moved)[0]!.packets;
          }
          const analysis = analyze(model.rulesets[0]!, {
            hook: "input",
            proto: probe.proto,
            src,
            dst: probe.dst,
            ...(probe.sport !== undefined ? { sport: probe.sport, dport: probe.dport! } : {}),
            in: "eth0",
            out: "eth1",
            state: "new",
            ipsec: false,
          });
          const engineDelivers = analysis.verdict === "accept" && analysis.parts.every((p) => p.dnat !== undefined);
          results.push(`${kind} from ${src}: kernel ${delivered ? "delivers" : "does not deliver"}, engine ${engineDelivers ? "delivers" : `does not deliver (${analysis.verdict})`}`);
          expect(analysis.verdict === "maybe").toBe(false);
          expect(engineDelivers, results.at(-1)).toBe(delivered);
        }
      }
      expect(results.some((r) => r.includes("kernel delivers"))).toBe(true);
      expect(results.some((r) => r.includes("kernel does not deliver"))).toBe(true);
    });
  }
});
