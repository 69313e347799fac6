// The engine's shortcuts change nothing: chains indexed by source, destination, protocol and port, rules skipped
// uncompiled, remembered answers, and the one-pass survey give the same analyses as the plain walk.

import { describe, expect, it } from "vitest";
import { analyze, surveyRuleset, type Analysis, type PacketQuery } from "../../src/engine/index.js";
import { ACCEPT, DROP, LOG, RETURN, addr, anyOf, dnat, dport, dports, iface, jump, opaque, r, ruleset, setMark, state, tcp, udp, type RuleSpec } from "./builder.js";

/** Everything an analysis says, in one comparable text. */
function text(analysis: Analysis): string {
  const lines: string[] = [analysis.verdict];
  for (const part of analysis.parts) {
    const decider = part.decidedBy.kind === "rule" ? `${part.decidedBy.chain.name}#${part.decidedBy.rule.index}` : `${part.decidedBy.chain.name}:policy`;
    const path = part.path.map((step) => `${step.chain.name}#${step.rule?.index ?? "-"} ${step.action}`).join(" > ");
    lines.push(`${part.verdict} [${part.description}] ${decider} ${part.dnat ? `dnat ${part.dnat.to}` : ""} :: ${path}`);
  }
  return lines.join("\n");
}

/** A kube-proxy-like ruleset: per-source jumps in INPUT, per-service rules by destination and port, DNAT chains. */
function kubeLike(): ReturnType<typeof ruleset> {
  const input: RuleSpec[] = [r([iface("in", "lo")], ACCEPT), r([state(["ESTABLISHED", "RELATED"])], ACCEPT)];
  const filter: Record<string, { policy?: "drop"; rules: RuleSpec[] }> = {};
  for (let i = 0; i < 80; i++) {
    input.push(r([addr("src", `198.18.${i}.0/24`)], jump(`FW${i}`)));
    filter[`FW${i}`] = {
      rules: [
        r([addr("src", `198.18.${i}.${i + 1}/32`), udp, dport(500 + (i % 3) * 2000)], ACCEPT),
        r([addr("src", `198.18.${(i + 1) % 80}.7/32`), tcp, dport(22)], ACCEPT),
        r([tcp, dport(1000 + i)], DROP),
        r([], RETURN),
      ],
    };
  }
  input.push(r([iface("in", "eth0"), udp, dports(500, 4500)], ACCEPT), r([iface("in", "eth0"), { kind: "field", field: "proto", values: [[50, 50]], negated: false }], ACCEPT));
  const services: RuleSpec[] = [];
  const nat: Record<string, { rules: RuleSpec[] }> = {};
  for (let i = 0; i < 100; i++) {
    services.push(r([addr("dst", `10.96.0.${i + 1}/32`), tcp, dport(1024 + i * 7)], jump(`SVC${i}`)));
    nat[`SVC${i}`] = { rules: [r([opaque("statistic")], jump(`SEP${i}`)), r([opaque("statistic")], jump(`SEP${i}`)), r([], jump(`SEP${i}`))] };
    nat[`SEP${i}`] = { rules: [r([addr("src", `10.244.${i}.9/32`)], setMark(0x4000, 0x4000)), r([tcp], dnat(`10.244.${i}.2`, 8080))] };
  }
  return ruleset({
    nat: { PREROUTING: { rules: [r([], jump("SERVICES"))] }, SERVICES: { rules: services }, ...nat },
    filter: { INPUT: { policy: "drop", rules: input }, FORWARD: { policy: "drop", rules: [r([anyOf(dport(443), dport(8080)), tcp], LOG), r([addr("dst", "10.244.0.0/16")], ACCEPT)] }, ...filter },
  });
}

const QUESTIONS: PacketQuery[] = [
  { hook: "input", proto: 17, dport: 500, state: "new", in: "eth0" },
  { hook: "input", proto: 17, dport: 4500, state: "new", notIn: ["lo"] },
  { hook: "input", proto: 50, state: "new", in: "eth0" },
  { hook: "input", proto: 6, dport: 1723, state: "new", in: "eth0" },
  { hook: "input", proto: 6, dport: 1024 + 7 * 42, in: "eth0" },
  { hook: "input", proto: 6, dport: [1000, 1100], src: "198.18.0.0/17" },
  { hook: "input", proto: 6, dst: "10.96.0.0/26", state: "new" },
  { hook: "forward", proto: 6, dport: 443, in: "ppp0", state: "new" },
  { hook: "input", proto: 17 },
  { hook: "input" },
];

describe("indexed walks", () => {
  const rs = kubeLike();

  it("give the answers of the plain walk, for narrow and wide questions", () => {
    for (const query of QUESTIONS) {
      const plain = text(analyze(rs, query, { indexChainsFrom: Infinity }));
      expect(text(analyze(rs, query, { indexChainsFrom: 0 })), JSON.stringify(query)).toBe(plain);
      expect(text(analyze(rs, query)), JSON.stringify(query)).toBe(plain);
    }
  });

  it("reach the DNAT of one service among many by its port", () => {
    const analysis = analyze(rs, { hook: "input", proto: 6, dport: 1024 + 7 * 42, dst: "10.96.0.43", state: "new", in: "eth0" });
    expect(analysis.parts.some((part) => part.dnat?.to === "10.244.42.2:8080")).toBe(true);
  });
});

describe("remembered answers", () => {
  it("are shared by the same question however its fields are ordered, and not when options are given", () => {
    const rs = kubeLike();
    const first = analyze(rs, { hook: "input", proto: 17, dport: 500, in: "eth0" });
    expect(analyze(rs, { in: "eth0", dport: 500, proto: 17, hook: "input" })).toBe(first);
    expect(analyze(rs, { hook: "input", proto: 17, dport: 501, in: "eth0" })).not.toBe(first);
    const plain = analyze(rs, { hook: "input", proto: 17, dport: 500, in: "eth0" }, { indexChainsFrom: Infinity });
    expect(plain).not.toBe(first);
    expect(text(plain)).toBe(text(first));
  });
});

describe("the ruleset survey", () => {
  const rs = ruleset({
    filter: {
      INPUT: { rules: [r([iface("in", "eth0")], jump("A")), r([iface("in", "ppp+")], jump("A")), r([anyOf(iface("out", "wg0"), dport(1))], jump("B")), r([], jump("NOPE"))] },
      A: { rules: [r([udp, dport(500)], ACCEPT), r([], jump("B"), true)] },
      B: { rules: [r([addr("src", "192.0.2.0/24")], RETURN)] },
    },
  });

  it("finds every interface name and prefix, the jump graph, and the loaded rules a picker marks", () => {
    const survey = surveyRuleset(rs, {
      target: (kind) => (kind === "return" ? 1 : 0),
      match: (match) => (match.kind === "anyOf" ? 4 : match.kind === "field" && match.field === "dport" ? 2 : 0),
    });
    expect([...survey.interfaceNames].sort()).toEqual(["eth0", "wg0"]);
    expect([...survey.interfacePrefixes]).toEqual(["ppp"]);
    const filter = rs.tables.get("filter")!.chains;
    expect(survey.callees.get(filter.get("INPUT")!)?.map((chain) => chain.name)).toEqual(["A", "B"]);
    expect(survey.callees.get(filter.get("A")!)).toBeUndefined();
    expect(survey.picked.map(({ rule }) => `${rule.chain}#${rule.index}`)).toEqual(["INPUT#3", "A#1", "B#1"]);
    expect(survey.picked.map((pick) => pick.marks)).toEqual([4, 2, 1]);
  });
});

describe("the work budget", () => {
  it("is charged for the rules an index skips, so a limited answer does not depend on the index", () => {
    const rules: RuleSpec[] = [];
    for (let i = 0; i < 100; i++) rules.push(r([addr("src", `10.0.${i}.0/24`)], ACCEPT));
    const rs = ruleset({ filter: { INPUT: { policy: "drop", rules } } });
    const query: PacketQuery = { hook: "input", src: "10.0.99.5" };
    expect(text(analyze(rs, query))).toContain("INPUT#100 ACCEPT");
    const limited = analyze(rs, query, { budget: 10 });
    expect(limited.verdict).toBe("maybe");
    expect(text(limited)).toContain("INPUT#11 analysis limit reached");
    expect(text(analyze(rs, query, { budget: 10, indexChainsFrom: 1_000 }))).toBe(text(limited));
  });
});

