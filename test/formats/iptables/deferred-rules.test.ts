// Rules kept as lines until asked for (src/formats/iptables/deferred-rules.ts) must be invisible: the survey of a
// ruleset read from their summaries equals the survey of the built rules, a picked rule is the very object the chain
// later holds, and general commands mixed with common lines load exactly as the general path alone loads them.

import { beforeAll, describe, expect, it, vi } from "vitest";
import { analyze, surveyRuleset, type Analysis, type PacketQuery, type RulePicker } from "../../../src/engine/index.js";
import { parseSource } from "../../../src/formats/index.js";
import type { FirewallModel, Match } from "../../../src/model/firewall.js";
import { SourceFile } from "../../../src/model/source.js";
import { kubeDump } from "../../../bench/generate.js";
import { mulberry32 } from "../../helpers/random.js";
import { PICKER, surveyed } from "./surveys.js";

const COMMON_LINES = "../../../src/formats/iptables/common-lines.js";

/** parseSource of a second copy of the parsers whose common reader never answers: the general path reads every line. */
let generalParse: typeof parseSource;

beforeAll(async () => {
  vi.resetModules();
  vi.doMock(COMMON_LINES, async (importOriginal) => ({ ...(await importOriginal<object>()), checkCommonRule: () => false }));
  generalParse = (await import("../../../src/formats/index.js")).parseSource;
  vi.doUnmock(COMMON_LINES);
});

/** Marks only matches naming protocol 17 or 50, or port 500, 4500 or 53, as it promises (like the checks' picker). */
const NAMED = { protos: [17, 50], ports: [500, 4500, 53] };
const NAMED_PICKER: RulePicker = {
  target: (kind) => (kind === "dnat" ? 1 : 0),
  match: (match: Match) => {
    if (match.kind !== "field") return 0;
    const wanted = match.field === "proto" ? NAMED.protos : NAMED.ports;
    let marks = 0;
    for (const [lo, hi] of match.values) wanted.forEach((value, i) => (marks |= lo <= value && value <= hi ? 2 << i : 0));
    return marks === 0 ? 0 : marks | (match.field === "sport" ? 64 : 0) | (match.negated ? 128 : 0);
  },
  named: NAMED,
};

function deferredChains(model: FirewallModel): number {
  let count = 0;
  for (const ruleset of model.rulesets) for (const table of ruleset.tables.values()) for (const chain of table.chains.values()) if (chain.deferred && !chain.deferred.built) count++;
  return count;
}

function expectSameSurvey(name: string, text: string, picker = PICKER): void {
  const source = new SourceFile(name, text);
  const lazy = parseSource(source);
  const built = parseSource(source);
  expect(deferredChains(lazy), name).toBeGreaterThan(0);
  const fromSummaries = lazy.rulesets.map((ruleset) => surveyRuleset(ruleset, picker));
  expect(deferredChains(lazy), `${name}: the survey built chains`).toBe(deferredChains(built));
  // Reading every chain's rules builds them; the survey then reads the rules themselves.
  for (const ruleset of built.rulesets) for (const table of ruleset.tables.values()) for (const chain of table.chains.values()) expect(chain.rules).toBeDefined();
  expect(deferredChains(built)).toBe(0);
  const fromRules = built.rulesets.map((ruleset) => surveyRuleset(ruleset, picker));
  expect(fromSummaries.map(surveyed), name).toEqual(fromRules.map(surveyed));
  // A rule picked before its chain was built is the object the chain then holds.
  for (const survey of fromSummaries) {
    for (const pick of survey.picked) {
      // What a pick says before its rule is built holds of the rule.
      const { targetKind, knownNoInterfaces } = pick;
      expect(pick.chain.rules[pick.rule.index - 1]).toBe(pick.rule);
      expect(targetKind).toBe(pick.rule.target.kind);
      if (knownNoInterfaces) expect(pick.rule.matches.filter((match) => match.kind === "interface")).toEqual([]);
    }
  }
  expect(lazy, name).toEqual(generalParse(source));
}

describe("deferred common rules", () => {
  it("survey like built rules on a kube-proxy dump (interfaces, jump graph, picks and marks)", () => {
    const dump = kubeDump(64);
    expect(dump.split("\n").length).toBeGreaterThan(900);
    expectSameSurvey("kube", dump);
    expectSameSurvey("kube, named values", dump, NAMED_PICKER);
  });

  it("survey like built rules with interfaces, negations, ports, gotos and a chain jumped to twice in a row", () => {
    const text = [
      "*filter",
      ":INPUT DROP [0:0]",
      ":FORWARD ACCEPT [0:0]",
      ":OUTPUT ACCEPT [0:0]",
      ":A - [0:0]",
      ":B - [0:0]",
      "-A INPUT -i eth0 -p udp -m udp --sport 500 --dport 500 -j ACCEPT",
      "-A INPUT -p tcp -m tcp --dport 50:60 -j ACCEPT",
      "-A INPUT -p udp -m udp --sport 4000:5000 -j ACCEPT",
      "-A INPUT ! -i ppp+ -p tcp -m tcp ! --dport 1000:2000 -j A",
      "-A INPUT -i + -p esp -j A",
      "-A INPUT -s 192.0.2.0/24 -j A",
      "-A INPUT ! -p udp -g B",
      "-A FORWARD -i eth1 -o eth0 -p 50 -j B",
      "-A A -p udp -m udp --dport 4500 -m comment --comment \"NAT-T\" -j ACCEPT",
      "-A A -j RETURN",
      "-A B -o wg0 -j DROP",
      "COMMIT",
      "",
    ].join("\n");
    expectSameSurvey("mixed", text);
    expectSameSurvey("mixed, named values", text, NAMED_PICKER);
  });
});

/** Everything an analysis says, in one comparable text. */
function analysisText(analysis: Analysis): string {
  const lines: string[] = [analysis.verdict];
  for (const part of analysis.parts) {
    const decider = part.decidedBy.kind === "rule" ? `${part.decidedBy.chain.name}#${part.decidedBy.rule.index} ${part.decidedBy.rule.text}` : `${part.decidedBy.chain.name}:policy`;
    const path = part.path.map((step) => `${step.table}/${step.chain.name}#${step.rule?.index ?? "-"} ${step.action}`).join(" > ");
    lines.push(`${part.verdict} [${part.description}] ${decider} ${part.dnat ? `dnat ${part.dnat.to} by ${part.dnat.rule.text}` : ""} :: ${path}`);
  }
  return lines.join("\n");
}

/** Reads every chain's rules: the model then holds only built rules, as before deferral. */
function buildAll(model: FirewallModel): FirewallModel {
  for (const ruleset of model.rulesets) for (const table of ruleset.tables.values()) for (const chain of table.chains.values()) expect(chain.rules).toBeDefined();
  return model;
}

function builtRules(model: FirewallModel): number {
  let count = 0;
  for (const ruleset of model.rulesets) {
    for (const table of ruleset.tables.values()) for (const chain of table.chains.values()) if (!chain.deferred || chain.deferred.built) count += chain.rules.length;
  }
  return count;
}

const QUERIES: readonly PacketQuery[] = [
  { hook: "input", in: "eth0", proto: 17, dport: 500, state: "new" },
  { hook: "input", proto: 17, dport: 4500 },
  { hook: "input", in: "eth0", proto: 50 },
  { hook: "input", proto: 17, dport: 1701, ipsec: false },
  { hook: "input", proto: 6, dport: 1047, dst: "10.96.0.24" },
  { hook: "input", proto: 6, src: "198.18.0.0/16" },
  { hook: "forward", proto: 6, dport: 8080 },
  { hook: "input" },
];

describe("walks over deferred common rules", () => {
  it("answer like walks over the built rules, and build only the rules their bounds let through", () => {
    const source = new SourceFile("kube", kubeDump(64));
    const lazy = parseSource(source);
    const built = buildAll(parseSource(source));
    const all = builtRules(built);
    expect(all).toBeGreaterThan(1000);
    const ike = analyze(lazy.rulesets[0]!, QUERIES[0]!);
    // The UDP question passes by the TCP service rules and the firewall chains' other ports unbuilt.
    expect(builtRules(lazy)).toBeLessThan(all / 5);
    for (const query of QUERIES) {
      const expected = analysisText(analyze(built.rulesets[0]!, query));
      expect(analysisText(query === QUERIES[0] ? ike : analyze(lazy.rulesets[0]!, query)), JSON.stringify(query)).toBe(expected);
    }
    // With a work budget the limited answers match too (the budget is charged for unbuilt rules alike).
    for (const budget of [50, 500, 5_000]) {
      for (const query of QUERIES) {
        const fresh = parseSource(source);
        expect(analysisText(analyze(fresh.rulesets[0]!, query, { budget })), `${budget} ${JSON.stringify(query)}`).toBe(analysisText(analyze(built.rulesets[0]!, query, { budget })));
      }
    }
  });
});

describe("general commands after common lines", () => {
  const head = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":A - [0:0]", ":B - [0:0]"];
  const common = ["-A A -p udp -m udp --dport 500 -j ACCEPT", "-A A -p udp -m udp --dport 4500 -j ACCEPT", "-A B -s 192.0.2.1/32 -j DROP", "-A INPUT -j A", "-A INPUT -p udp -j B"];
  const cases: Record<string, string[]> = {
    "insert before them": ["-I A 2 -p esp -j ACCEPT", "-A A -j RETURN"],
    "replace one": ["-R A 1 -p udp -m udp --dport 501 -j ACCEPT"],
    "delete by number and by spec": ["-D A 1", "-D B -s 192.0.2.1/32 -j DROP", "-A B -j RETURN"],
    "a general line between common ones": ["-A A -m policy --dir in --pol ipsec -j ACCEPT", "-A A -p udp -m udp --dport 1701 -j DROP"],
    "rename the chain jumped to": ["-E A C", "-A C -j RETURN", "-A INPUT -j C"],
    "flush one chain and all": ["-F B", "-A B -j RETURN", "-F"],
    "flush and delete": ["-F", "-X A", "-A INPUT -j B"],
    "delete a referenced chain (refused)": ["-X B"],
    "a jump loop through common lines": ["-A B -j A", "-A A -j B"],
    "a jump loop closed by the first of two rows naming the chain": ["-A B -p tcp -j A", "-A B -j A", "-A A -j B"],
    "a jump after a row that ends the kernel's walk (no loop)": ["-A B -j DROP", "-A B -j A", "-A A -j B"],
    "a jump after an unconditional RETURN, then a loop before it": ["-A B -j RETURN", "-A B -j A", "-A A -j B", "-I B 1 -j A"],
  };
  for (const [name, lines] of Object.entries(cases)) {
    it(`load as the general path alone: ${name}`, () => {
      const source = new SourceFile(name, [...head, ...common, ...lines, "COMMIT", ""].join("\n"));
      const model = parseSource(source);
      expect(model).toEqual(generalParse(source));
    });
  }

  it("in a shell script, drop the rule of a loop a later command closes, even one still a row", () => {
    // The loop is found at "-A A -j B" (read from the here-document, still a row) when `iptables -A B -j A` runs.
    const script = ["#!/bin/sh", "iptables-restore <<'EOF'", ...head, "-A INPUT -j B", "-A A -j B", "COMMIT", "EOF", "iptables -A B -j A", ""].join("\n");
    const source = new SourceFile("loop.sh", script);
    const model = parseSource(source);
    expect(model).toEqual(generalParse(source));
    const chains = model.rulesets[0]!.tables.get("filter")!.chains;
    expect(chains.get("A")!.rules.map((rule) => rule.text)).toEqual([]);
    expect(model.diagnostics.map((d) => d.message)).toEqual(["jump loop B -> A -> B: the kernel refuses this rule"]);
  });

  it("in iptables-restore --noflush, let a chain declared again drop the rows read before", () => {
    const body = ["*filter", ":X - [0:0]", "-A X -p udp -m udp --dport 500 -j ACCEPT", ":X - [0:0]", "-A X -p udp -m udp --dport 4500 -j ACCEPT", "-A INPUT -j X", "COMMIT"];
    const script = ["#!/bin/sh", "iptables-restore --noflush <<'EOF'", ...body, "EOF", ""].join("\n");
    const source = new SourceFile("noflush.sh", script);
    const model = parseSource(source);
    expect(model).toEqual(generalParse(source));
    expect(model.rulesets[0]!.tables.get("filter")!.chains.get("X")!.rules.map((rule) => rule.text)).toEqual(["-A X -p udp -m udp --dport 4500 -j ACCEPT"]);
  });

  it("report a jump loop at the common line that closes it", () => {
    const source = new SourceFile("loop", [...head, ...common, "-A B -j A", "-A A -j B", "COMMIT", ""].join("\n"));
    const messages = parseSource(source).diagnostics.map((d) => `${source.position(d.range.start).line}: ${d.message}`);
    expect(messages).toEqual(['12: jump loop A -> B -> A: the kernel refuses table "filter" at COMMIT']);
  });
});

describe("common lines mixed with general commands at random", () => {
  const COMMON = [
    "-A A -p udp -m udp --dport 500 -j ACCEPT",
    "-A A -j B",
    "-A B -s 192.0.2.1/32 -j DROP",
    "-A B -p tcp -m tcp --dport 1723 -j ACCEPT",
    "-A INPUT -i eth0 -j A",
    "-A B -j A",
    "-A C -p tcp -m tcp --dport 22 -j ACCEPT",
    "-A A -g C",
    "-A D -j RETURN",
    "-A FORWARD -o ppp+ -p 50 -j ACCEPT",
  ];
  const GENERAL = [
    "-I A 1 -p tcp -j ACCEPT",
    "-I B 2 -j RETURN",
    "-R A 1 -p udp -m udp --dport 4500 -j ACCEPT",
    "-D A 1",
    "-D B -s 192.0.2.1/32 -j DROP",
    "-D A -p udp -m udp --dport 500 -j ACCEPT",
    "-N C",
    "-X C",
    "-F A",
    "-F",
    "-E B D",
    "-E D B",
    "-P INPUT DROP",
    ":A - [0:0]",
    ":C - [0:0]",
    "-A A -m policy --dir in --pol ipsec -j ACCEPT",
    "-X",
    "-Z",
  ];
  const QUERIES: readonly PacketQuery[] = [{ hook: "input", in: "eth0", proto: 17, dport: 500 }, { hook: "forward", proto: 50 }, { hook: "input", proto: 6 }];

  function randomDocument(random: () => number): string {
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const block = () => {
      const lines = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":A - [0:0]", ":B - [0:0]"];
      for (let n = 0; n < 12; n++) lines.push(random() < 0.7 ? pick(COMMON) : pick(GENERAL));
      return [...lines, "COMMIT"];
    };
    if (random() < 0.5) return [...block(), ...(random() < 0.3 ? block() : []), ""].join("\n");
    // A shell script: here-documents (sometimes --noflush) and iptables commands between them.
    const script = ["#!/bin/sh"];
    for (let part = 0; part < 3; part++) {
      if (random() < 0.6) script.push(`iptables-restore${random() < 0.4 ? " --noflush" : ""} <<'EOF'`, ...block(), "EOF");
      else for (let n = 0; n < 3; n++) script.push(`iptables ${random() < 0.7 ? pick(COMMON) : pick(GENERAL)}`);
    }
    return [...script, ""].join("\n");
  }

  it("load, survey and answer as the general path alone, for 600 documents", () => {
    const random = mulberry32(4500);
    let deferredSeen = 0;
    for (let round = 0; round < 600; round++) {
      const text = randomDocument(random);
      const name = text.startsWith("#!") ? `mixed-${round}.sh` : `mixed-${round}.rules`;
      const source = new SourceFile(name, text);
      const lazy = parseSource(source);
      const general = generalParse(source);
      if (lazy.rulesets.length > 0 && deferredChains(lazy) > 0) deferredSeen++;
      lazy.rulesets.forEach((ruleset, i) => {
        expect(surveyed(surveyRuleset(ruleset, PICKER)), name).toEqual(surveyed(surveyRuleset(general.rulesets[i]!, PICKER)));
        for (const query of QUERIES) expect(analysisText(analyze(ruleset, query)), `${name} ${JSON.stringify(query)}`).toBe(analysisText(analyze(general.rulesets[i]!, query)));
      });
      expect(lazy, name).toEqual(general);
    }
    expect(deferredSeen).toBeGreaterThan(200);
  });
});
