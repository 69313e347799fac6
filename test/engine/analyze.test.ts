// Engine semantics on hand-built models: traversal, chains, conntrack, IPsec policy, marks, NAT, opaque matches.

import { describe, expect, it } from "vitest";
import { analyze, type Analysis, type PacketQuery } from "../../src/engine/index.js";
import { IpsecState } from "../../src/model/firewall.js";
import {
  ACCEPT, DROP, LOG, NFQUEUE, REJECT, RETURN,
  addr, anyOf, dnat, dport, dports, esp, goto, iface, ipsecIn, jump, mark, opaque, proto, r, ruleset, setMark, sport, state, udp,
} from "./builder.js";

const udpTo = (port: number, extra: Partial<PacketQuery> = {}): PacketQuery => ({ hook: "input", proto: 17, dport: port, ...extra });
const decider = (a: Analysis) => a.parts.map((p) => (p.decidedBy.kind === "rule" ? `${p.decidedBy.chain.name}#${p.decidedBy.rule.index}` : `${p.decidedBy.chain.name}:policy`));

describe("filter traversal", () => {
  const rs = ruleset({ filter: { INPUT: { policy: "drop", rules: [r([udp, dport(500)], ACCEPT), r([udp, dport(4500)], REJECT)] } } });

  it("decides a single packet by the first matching rule", () => {
    const a = analyze(rs, udpTo(500, { src: "198.51.100.7", sport: 40000, dst: "203.0.113.2", in: "eth0", state: "new", ipsec: false }));
    expect(a.verdict).toBe("accept");
    expect(decider(a)).toEqual(["INPUT#1"]);
    expect(a.parts[0]!.path.map((s) => s.action)).toEqual(["ACCEPT"]);
  });

  it("falls to the policy", () => {
    const a = analyze(rs, udpTo(501));
    expect(a.verdict).toBe("drop");
    expect(decider(a)).toEqual(["INPUT:policy"]);
    expect(a.parts[0]!.path.map((s) => s.action)).toEqual(["policy DROP"]);
  });

  it("partitions a set exactly and says maybe when parts differ", () => {
    const a = analyze(rs, { hook: "input", proto: 17 });
    expect(a.verdict).toBe("maybe");
    const byVerdict = Object.fromEntries(a.parts.map((p) => [p.verdict, p.description]));
    expect(byVerdict.accept).toContain("dport 500");
    expect(byVerdict.reject).toContain("dport 4500");
    expect(byVerdict.drop).toBe("udp dport not 500,4500");
  });

  it("skips disabled rules", () => {
    const off = ruleset({ filter: { INPUT: { policy: "drop", rules: [r([udp], ACCEPT, true)] } } });
    expect(analyze(off, udpTo(500)).verdict).toBe("drop");
  });

  it("handles negated addresses, ports and multiport disjunctions", () => {
    const neg = ruleset({
      filter: {
        INPUT: {
          policy: "accept",
          rules: [r([addr("src", "198.51.100.0/24", true)], DROP), r([udp, dport(1000, 2000, true)], REJECT), r([udp, anyOf(sport(7), dport(9))], DROP)],
        },
      },
    });
    expect(analyze(neg, udpTo(1500, { src: "203.0.113.9" })).verdict).toBe("drop");
    expect(analyze(neg, udpTo(3000, { src: "198.51.100.9" })).verdict).toBe("reject");
    expect(analyze(neg, { hook: "input", proto: 17, sport: 7, dport: 1500, src: "198.51.100.9" }).verdict).toBe("drop");
    expect(analyze(neg, { hook: "input", proto: 17, sport: 40000, dport: 1500, src: "198.51.100.9" }).verdict).toBe("accept");
    expect(analyze(neg, { hook: "input", proto: 50, src: "198.51.100.9" }).verdict).toBe("accept");
  });

  it("treats interface names with + as prefixes", () => {
    const ifs = ruleset({ filter: { INPUT: { policy: "drop", rules: [r([iface("in", "ppp+")], ACCEPT), r([iface("in", "eth0", true)], REJECT)] } } });
    expect(analyze(ifs, udpTo(1701, { in: "ppp0" })).verdict).toBe("accept");
    expect(analyze(ifs, udpTo(1701, { in: "eth0" })).verdict).toBe("drop");
    expect(analyze(ifs, udpTo(1701, { in: "wlan0" })).verdict).toBe("reject");
    const any = analyze(ifs, udpTo(1701));
    expect(any.verdict).toBe("maybe");
    expect(any.parts.find((p) => p.verdict === "accept")!.description).toContain("in ppp+");
    expect(analyze(ifs, udpTo(1701, { notIn: ["eth0", "lo"] })).parts.map((p) => p.verdict).sort()).toEqual(["accept", "reject"]);
  });
});

describe("user chains", () => {
  it("jump returns after RETURN and after falling off", () => {
    const rs = ruleset({
      filter: {
        INPUT: { policy: "drop", rules: [r([], jump("A")), r([udp, dport(500)], ACCEPT)] },
        A: { rules: [r([udp, dport(500)], RETURN), r([udp, dport(4500)], ACCEPT)] },
      },
    });
    const ike = analyze(rs, udpTo(500));
    expect(ike.verdict).toBe("accept");
    expect(ike.parts[0]!.path.map((s) => `${s.chain.name}:${s.action}`)).toEqual(["INPUT:jump A", "A:RETURN", "INPUT:ACCEPT"]);
    expect(decider(analyze(rs, udpTo(4500)))).toEqual(["A#2"]);
    expect(decider(analyze(rs, udpTo(53)))).toEqual(["INPUT:policy"]);
  });

  it("falling off a goto'd chain returns to the caller's caller", () => {
    const rs = ruleset({
      filter: {
        INPUT: { policy: "drop", rules: [r([udp], jump("A")), r([udp, dport(500)], ACCEPT)] },
        A: { rules: [r([dport(500)], goto("B")), r([], REJECT)] },
        B: { rules: [r([dport(501)], ACCEPT)] },
      },
    });
    const a = analyze(rs, udpTo(500));
    expect(a.verdict).toBe("accept");
    expect(decider(a)).toEqual(["INPUT#2"]);
    expect(analyze(rs, udpTo(502)).verdict).toBe("reject");
  });

  it("goto from a built-in chain and RETURN in a built-in chain apply its policy", () => {
    const rs = ruleset({
      filter: {
        INPUT: { policy: "drop", rules: [r([dport(500)], goto("B")), r([dport(501)], RETURN), r([udp], ACCEPT)] },
        B: { rules: [] },
      },
    });
    expect(decider(analyze(rs, udpTo(500)))).toEqual(["INPUT:policy"]);
    expect(analyze(rs, udpTo(500)).verdict).toBe("drop");
    expect(analyze(rs, udpTo(501)).verdict).toBe("drop");
    expect(analyze(rs, udpTo(502)).verdict).toBe("accept");
  });

  it("Vyatta rule-sets: falling off applies their default-action, RETURN goes back", () => {
    const rs = ruleset({
      filter: {
        INPUT: { policy: "accept", rules: [r([iface("in", "eth0")], jump("WAN_LOCAL"))] },
        WAN_LOCAL: { policy: "drop", rules: [r([udp, dport(500)], ACCEPT), r([udp, dport(53)], RETURN)] },
      },
    });
    expect(decider(analyze(rs, udpTo(4500, { in: "eth0" })))).toEqual(["WAN_LOCAL:policy"]);
    expect(analyze(rs, udpTo(4500, { in: "eth0" })).verdict).toBe("drop");
    expect(analyze(rs, udpTo(53, { in: "eth0" })).verdict).toBe("accept");
    expect(decider(analyze(rs, udpTo(53, { in: "eth0" })))).toEqual(["INPUT:policy"]);
    expect(analyze(rs, udpTo(4500, { in: "eth1" })).verdict).toBe("accept");
  });

  it("walks a chain once per distinct input set", () => {
    const chains: Record<string, { rules: ReturnType<typeof r>[] }> = {};
    const depth = 60;
    for (let i = 0; i < depth; i++) chains[`C${i}`] = { rules: [r([], jump(`C${i + 1}`)), r([], jump(`C${i + 1}`))] };
    chains[`C${depth}`] = { rules: [r([udp, dport(9)], DROP)] };
    const rs = ruleset({ filter: { INPUT: { policy: "accept", rules: [r([], jump("C0"))] }, ...chains } });
    const t = performance.now();
    const a = analyze(rs, udpTo(9));
    expect(a.verdict).toBe("drop");
    expect(analyze(rs, udpTo(10)).verdict).toBe("accept");
    expect(performance.now() - t).toBeLessThan(2000);
  });

  it("survives a 10,000-deep jump chain", () => {
    const chains: Record<string, { rules: ReturnType<typeof r>[] }> = {};
    const depth = 10_000;
    for (let i = 0; i < depth; i++) chains[`C${i}`] = { rules: [r([udp, dport(i)], RETURN), r([], jump(`C${i + 1}`))] };
    chains[`C${depth}`] = { rules: [r([udp], ACCEPT)] };
    const rs = ruleset({ filter: { INPUT: { policy: "drop", rules: [r([], jump("C0"))] }, ...chains } });
    const deep = analyze(rs, udpTo(20_000));
    expect(deep.verdict).toBe("accept");
    expect(deep.parts[0]!.path).toHaveLength(depth + 2);
    expect(analyze(rs, udpTo(5_000)).verdict).toBe("drop");
    // Every level returns a part of its own: the ways back are merged past a bound, the verdicts stay exact.
    const any = analyze(rs, { hook: "input", proto: 17 });
    expect(any.verdict).toBe("maybe");
    const dropped = any.parts.filter((p) => p.verdict === "drop");
    expect(dropped.map((p) => p.description).join(" ")).toContain("dport 0");
    expect(any.parts.find((p) => p.verdict === "accept")!.description).toBe("udp dport 10000-65535");
  });

  it("reports a 50,000-chain jump cycle as maybe instead of looping", () => {
    const chains: Record<string, { rules: ReturnType<typeof r>[] }> = {};
    const n = 50_000;
    for (let i = 0; i < n; i++) chains[`L${i}`] = { rules: [r([], i % 2 ? goto(`L${(i + 1) % n}`) : jump(`L${(i + 1) % n}`))] };
    const rs = ruleset({ filter: { INPUT: { policy: "drop", rules: [r([udp, dport(500)], ACCEPT), r([], jump("L0"))] }, ...chains } });
    const a = analyze(rs, { hook: "input", proto: 17 });
    expect(a.verdict).toBe("maybe");
    const loop = a.parts.find((p) => p.verdict === "maybe")!;
    expect(loop.path.at(-1)!.action).toContain("loop");
    expect(loop.path.at(-2)!.action).toContain("path cut");
    expect(loop.decidedBy.kind === "rule" && loop.decidedBy.chain.name).toBe(`L${n - 1}`);
    expect(a.parts.find((p) => p.verdict === "accept")!.description).toContain("dport 500");
  });
});

describe("conntrack and IPsec policy", () => {
  const hwdsl2 = ruleset({
    filter: {
      INPUT: {
        policy: "drop",
        rules: [
          r([udp, dport(1701), ipsecIn(IpsecState.NONE)], DROP),
          r([state(["INVALID"])], DROP),
          r([state(["RELATED", "ESTABLISHED"])], ACCEPT),
          r([udp, dports(500, 4500)], ACCEPT),
          r([udp, dport(1701), ipsecIn(1, 6)], ACCEPT),
          r([udp, dport(1701)], DROP),
          r([esp], ACCEPT),
        ],
      },
    },
  });

  it("accepts L2TP only inside IPsec", () => {
    expect(analyze(hwdsl2, udpTo(1701, { state: "new", ipsec: true })).verdict).toBe("accept");
    expect(decider(analyze(hwdsl2, udpTo(1701, { state: "new", ipsec: false })))).toEqual(["INPUT#1"]);
    const any = analyze(hwdsl2, udpTo(1701, { state: "new" }));
    expect(any.verdict).toBe("maybe");
    expect(any.parts.find((p) => p.verdict === "accept")!.description).toContain("ipsec");
  });

  it("tells conntrack states apart", () => {
    const noIpsecRule = ruleset({ filter: { INPUT: { policy: "drop", rules: [r([state(["RELATED", "ESTABLISHED"])], ACCEPT)] } } });
    expect(analyze(noIpsecRule, udpTo(1701, { state: "established" })).verdict).toBe("accept");
    expect(analyze(noIpsecRule, udpTo(1701, { state: "new" })).verdict).toBe("drop");
    expect(analyze(noIpsecRule, udpTo(1701, { state: "invalid" })).verdict).toBe("drop");
    expect(analyze(hwdsl2, udpTo(1234, { state: "invalid" })).verdict).toBe("drop");
  });

  it("keeps --proto and --mode of the IPsec policy exact", () => {
    const tunnelOnly = ruleset({ filter: { INPUT: { policy: "drop", rules: [r([udp, dport(1701), ipsecIn(IpsecState.ESP_TUNNEL)], ACCEPT)] } } });
    const a = analyze(tunnelOnly, udpTo(1701, { ipsec: true }));
    expect(a.verdict).toBe("maybe");
    expect(a.parts.find((p) => p.verdict === "accept")!.description).toContain("esp tunnel");
    expect(analyze(tunnelOnly, udpTo(1701, { ipsec: false })).verdict).toBe("drop");
  });
});

describe("opaque matches and targets", () => {
  it("an opaque match before a verdict makes the part maybe", () => {
    const rs = ruleset({ filter: { INPUT: { policy: "accept", rules: [r([opaque("recent")], DROP), r([udp, dport(53)], DROP)] } } });
    expect(analyze(rs, udpTo(500)).verdict).toBe("maybe");
    expect(analyze(rs, udpTo(53)).verdict).toBe("drop");
  });

  it("an opaque match on a LOG rule changes nothing", () => {
    const rs = ruleset({ filter: { INPUT: { policy: "drop", rules: [r([opaque("limit")], LOG), r([udp], ACCEPT)] } } });
    const a = analyze(rs, udpTo(500));
    expect(a.verdict).toBe("accept");
    expect(a.parts.every((p) => p.verdict === "accept")).toBe(true);
  });

  it("an opaque match in a jumped chain is maybe only where it matters", () => {
    const rs = ruleset({
      filter: {
        INPUT: { policy: "drop", rules: [r([], jump("RATE")), r([udp, dport(500)], ACCEPT)] },
        RATE: { rules: [r([udp, dport(500, 501), opaque("hashlimit", true)], DROP)] },
      },
    });
    expect(analyze(rs, udpTo(500)).verdict).toBe("maybe");
    expect(analyze(rs, udpTo(501)).verdict).toBe("drop");
    expect(analyze(rs, udpTo(4500)).verdict).toBe("drop");
  });

  it("an opaque terminal target is maybe", () => {
    const rs = ruleset({ filter: { INPUT: { policy: "accept", rules: [r([udp, dport(500)], NFQUEUE)] } } });
    expect(analyze(rs, udpTo(500)).verdict).toBe("maybe");
    expect(analyze(rs, udpTo(4500)).verdict).toBe("accept");
  });
});

describe("tables, marks and NAT", () => {
  it("follows marks set in mangle into filter", () => {
    const rs = ruleset({
      mangle: { PREROUTING: { rules: [r([udp, dport(500)], setMark(0x4000, 0x4000))] } },
      filter: {
        INPUT: { policy: "drop", rules: [r([mark(0x4000, 0x4000)], ACCEPT), r([mark(0, 0x4000, true)], REJECT)] },
        OUTPUT: { policy: "accept", rules: [r([mark(0x4000, 0x4000)], DROP)] },
      },
    });
    expect(analyze(rs, udpTo(500)).verdict).toBe("accept");
    expect(analyze(rs, udpTo(501)).verdict).toBe("drop");
    expect(analyze(rs, { hook: "output", proto: 17 }).verdict).toBe("maybe");
  });

  it("a drop in raw or mangle ends the walk", () => {
    const rs = ruleset({ raw: { PREROUTING: { rules: [r([udp, dport(500)], DROP)] } }, filter: { INPUT: { policy: "accept" } } });
    expect(analyze(rs, udpTo(500)).verdict).toBe("drop");
    expect(analyze(rs, udpTo(500)).parts[0]!.path[0]!.table).toBe("raw");
  });

  it("DNAT to another address takes the packet to FORWARD", () => {
    const rs = ruleset({
      nat: { PREROUTING: { rules: [r([iface("in", "eth0"), udp, dports(500, 4500)], dnat("192.0.2.10"))] } },
      filter: {
        INPUT: { policy: "accept" },
        FORWARD: { policy: "drop", rules: [r([addr("dst", "192.0.2.10/32"), udp, dport(500)], ACCEPT)] },
      },
    });
    const ike = analyze(rs, udpTo(500, { in: "eth0", state: "new", dst: "203.0.113.2" }));
    expect(ike.verdict).toBe("accept");
    expect(ike.parts[0]!.dnat?.to).toBe("192.0.2.10");
    expect(ike.parts[0]!.path.map((s) => `${s.table}/${s.chain.name}:${s.action}`)).toEqual(["nat/PREROUTING:DNAT 192.0.2.10", "filter/FORWARD:ACCEPT"]);
    const natt = analyze(rs, udpTo(4500, { in: "eth0", state: "new" }));
    expect(natt.verdict).toBe("drop");
    expect(decider(natt)).toEqual(["FORWARD:policy"]);
    expect(analyze(rs, udpTo(4500, { in: "eth1", state: "new" })).verdict).toBe("accept");
    expect(analyze(rs, udpTo(4500, { in: "eth0", state: "established" })).verdict).toBe("accept");
  });

  it("DNAT of the port only keeps the packet local", () => {
    const rs = ruleset({
      nat: { PREROUTING: { rules: [r([udp, dport(5000)], { kind: "redirect", toPorts: [500, 500] })] } },
      filter: { INPUT: { policy: "drop", rules: [r([udp, dport(500)], ACCEPT)] }, FORWARD: { policy: "drop" } },
    });
    const a = analyze(rs, udpTo(5000, { state: "new" }));
    expect(a.verdict).toBe("accept");
    expect(a.parts[0]!.dnat?.to).toBe(":500");
  });

  it("a DNAT on one way of an opaque match and none on the other make the same packets maybe", () => {
    const rs = ruleset({
      nat: { PREROUTING: { rules: [r([udp, dport(500), opaque("statistic")], dnat("192.0.2.10"))] } },
      filter: { INPUT: { policy: "accept" }, FORWARD: { policy: "drop" } },
    });
    const a = analyze(rs, udpTo(500, { state: "new" }));
    expect(a.verdict).toBe("maybe");
    expect(a.parts.every((p) => p.verdict === "maybe")).toBe(true);
    expect(a.parts[0]!.description).toContain("dport 500");
    expect(analyze(rs, udpTo(501, { state: "new" })).verdict).toBe("accept");
  });

  it("flows that meet in numbers are merged with exact verdicts", () => {
    const chains: Record<string, { rules: ReturnType<typeof r>[] }> = {};
    const jumps = [];
    for (let i = 0; i < 80; i++) {
      chains[`S${i}`] = { rules: [r([udp, dport(1000 + i)], RETURN)] };
      jumps.push(r([], jump(`S${i}`)));
    }
    const rs = ruleset({
      mangle: { PREROUTING: { rules: jumps }, ...chains },
      filter: { INPUT: { policy: "drop", rules: [r([udp, dport(1000, 1039)], ACCEPT)] } },
    });
    const a = analyze(rs, { hook: "input", proto: 17, dport: [1000, 1079] });
    expect(a.verdict).toBe("maybe");
    const accepted = a.parts.filter((p) => p.verdict === "accept");
    const dropped = a.parts.filter((p) => p.verdict === "drop");
    expect(accepted.map((p) => p.description).join(";")).toContain("dport 1000-1039");
    expect(dropped.map((p) => p.description).join(";")).toContain("dport 1040-1079");
    expect(a.parts.some((p) => p.path.some((s) => s.action.includes("ways with different paths joined")))).toBe(true);
  });

  it("an empty ruleset accepts", () => {
    const a = analyze(ruleset({}), udpTo(500));
    expect(a.verdict).toBe("accept");
  });
});

describe("proto-specific fields", () => {
  it("port matches never match packets without ports, negated or not", () => {
    const rs = ruleset({ filter: { INPUT: { policy: "accept", rules: [r([proto(17, true), dport(500, 500, true)], DROP)] } } });
    expect(analyze(rs, { hook: "input", proto: 50 }).verdict).toBe("accept");
  });
});
