// The Vyatta-family corpus (../shared/corpus/vyatta): every file parses as the real router would, curly and set
// forms of one configuration give equal models, and the LABELS.md verdicts come out of the model.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { analyze } from "../../../src/engine/index.js";
import { detectFormat } from "../../../src/formats/index.js";
import { buildTree, childrenOf, type ConfigNode } from "../../../src/formats/vyatta/config-tree.js";
import { detectForm, vyattaFormat } from "../../../src/formats/vyatta/index.js";
import { treeToModel } from "../../../src/formats/vyatta/to-model.js";
import type { FirewallModel, Ruleset } from "../../../src/model/firewall.js";
import { SourceFile } from "../../../src/model/source.js";
import { corpus, corpusRoot, describeWith } from "../../helpers/environment.js";
import { dumpModel } from "./dump.js";

const root = join(corpusRoot, "vyatta");
const files = (): string[] => ["boot", "set"].flatMap((dir) => readdirSync(join(root, dir)).map((f) => `${dir}/${f}`)).sort();
const load = (file: string): SourceFile => new SourceFile(file, readFileSync(join(root, file), "utf8"));
const parse = (file: string): FirewallModel => vyattaFormat.parse(load(file));
const diagnostics = (model: FirewallModel): string[] => model.diagnostics.map((d) => `${model.source.position(d.range.start).line}: ${d.message}`);

/**
 * The VPN000 diagnostics each file gets, i.e. what the real router would refuse. Files not listed load cleanly.
 */
const EXPECTED_DIAGNOSTICS: Readonly<Record<string, readonly string[]>> = {
  // Hand-written `#` comments (VyOS 1.1 has no such syntax) and an unquoted `<EIP of this router>` placeholder:
  // the loader stops at the first of them.
  "boot/vyos-1.1__robgil-vyos-vpc__config.boot": [
    '141: "id" takes at most one value, found "of" after "<EIP"',
    '144: "#" comments are not config.boot syntax: the router refuses to load the file (remove "# AWS US-East VPN Endpoint 1")',
    '149: "#" comments are not config.boot syntax: the router refuses to load the file (remove "# Private ip of this router")',
    '157: "id" takes at most one value, found "of" after "<EIP"',
    '160: "#" comments are not config.boot syntax: the router refuses to load the file (remove "# AWS US-East VPN Endpoint 2")',
    '165: "#" comments are not config.boot syntax: the router refuses to load the file (remove "# Private ip of this router")',
  ],
  // The IBM doc line carries `("/opt/vyatta/etc/cpp.conf" )` after the description: the CLI rejects the extra words.
  "set/vyatta-nos-5600doc__ibm-vra__loopback-local-firewall-zone.set": [
    '27: unexpected "("/opt/vyatta/etc/cpp.conf"" after the value of "description": the router rejects this line',
  ],
  // VyOS 1.5 syntax elsewhere (`vpn ipsec interface`), but the firewall block is pre-1.4 (LABELS.md: ERROR, mixed).
  "set/vyos-1.5doc__vyos-documentation__l2tp-ipsec-server.set": [
    '12: "firewall name OUTSIDE-LOCAL" is VyOS 1.3 syntax, but this configuration is VyOS 1.4 or later ("vpn ipsec interface" at line 8); the router refuses it: now "firewall ipv4 name OUTSIDE-LOCAL", reached by a jump rule in "firewall ipv4 input|forward filter"',
  ],
};

/** A tree as `show configuration commands` prints it: one `set` line per leaf, every word quoted. */
function renderCommands(rootNode: ConfigNode): string {
  const out: string[] = [];
  const quote = (w: string): string => (w.includes("'") ? `"${w.replace(/["\\]/g, "\\$&")}"` : `'${w}'`);
  const stack: { node: ConfigNode; path: string[] }[] = childrenOf(rootNode).reverse().map((node) => ({ node, path: [node.name] }));
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    const children = childrenOf(node);
    if (children.length === 0) out.push(`set ${path.map(quote).join(" ")}`);
    for (const c of children.reverse()) stack.push({ node: c, path: [...path, c.name] });
  }
  return `${out.join("\n")}\n`;
}

/**
 * Migration rewrites between a VyOS 1.2/1.3/1.4 file and its 1.5 pair (vyos-1x migration scripts firewall/5-to-6 ..
 * 10-to-11, zone-policy to firewall zone): the rule-set labels, the generation, the interface order (`ethernet eth0
 * pppoe 0` became `interfaces pppoe pppoe0`), the tcp-flags text of opaque matches, and, in rule-sets used by zones,
 * `accept` rewritten as `return` (the zone then accepts: the synthesized rule after each zone jump), and MSS
 * clamping moved from `firewall options interface X adjust-mss` to `interfaces ... ip adjust-mss` (same mangle rules,
 * named and ordered differently).
 */
function migrated(model: FirewallModel): unknown {
  const text = JSON.stringify(dumpModel(model))
    .replaceAll("firewall name ", "firewall ipv4 name ")
    .replaceAll("firewall ipv6-name ", "firewall ipv6 name ")
    .replaceAll("zone-policy zone ", "firewall zone ");
  const dump = JSON.parse(text) as {
    host: { generation?: string; interfaces: { name: string }[] };
    rulesets: { tables: { name: string; chains: { builtin: boolean; policy?: unknown; rules: { text?: string; index?: number; target: { kind: string }; matches: { kind: string; text?: string }[] }[] }[] }[] }[];
  };
  delete dump.host.generation;
  dump.host.interfaces.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const ruleset of dump.rulesets) {
    for (const table of ruleset.tables) {
      for (const chain of table.chains) {
        for (const rule of chain.rules) {
          for (const match of rule.matches) if (match.kind === "opaque") delete match.text;
          if (!chain.builtin && rule.target.kind === "return") rule.target = { kind: "verdict", verdict: "accept" } as never;
        }
        if (!chain.builtin && !chain.policy) chain.policy = { verdict: "accept" };
        if (table.name === "mangle") {
          for (const rule of chain.rules) {
            delete rule.text;
            delete rule.index;
          }
          chain.rules.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
        }
      }
    }
  }
  return dump;
}

const PAIRS: readonly [string, string][] = [
  ["boot/vyos-1.2__vyos-1x__dialup-router-medium-vpn.boot", "set/vyos-1.5__vyos-1x__dialup-router-medium-vpn.set"],
  ["boot/vyos-1.2__vyos-1x__bgp-azure-ipsec-gateway.boot", "set/vyos-1.5__vyos-1x__bgp-azure-ipsec-gateway.set"],
  ["boot/vyos-1.3__vyos-1x__bgp-dmvpn-spoke.boot", "set/vyos-1.5__vyos-1x__bgp-dmvpn-spoke.set"],
  ["boot/vyos-1.4__vyos-1x__nat-basic.boot", "set/vyos-1.5__vyos-1x__nat-basic.set"],
  ["boot/vyos-1.3__vyos-1x__dialup-router-complex.boot", "set/vyos-1.5__vyos-1x__dialup-router-complex.set"],
];

type Verdict = "accept" | "drop" | "reject" | "maybe";
interface Label {
  readonly file: string;
  /** The external interface LABELS.md names (undefined: not stated, any interface). */
  readonly iface: string | undefined;
  /** The rule-set filtering local traffic on it: a chain label, or "open" (none). */
  readonly local: string;
  readonly ike: string;
  readonly natT: string;
  readonly esp: string;
  /** UDP 1701 arriving inside IPsec, and in cleartext. */
  readonly l2tpIpsec: string;
  readonly l2tpClear: string;
}

const OPEN = "accept (policy built-in)";
const LABELS: readonly Label[] = [
  { file: "boot/edgeos-1.9__crdant-homelab__config-642ba3e.boot", iface: "eth0", local: "firewall name WAN_LOCAL", ike: "accept (firewall name WAN_LOCAL rule 21)", natT: "accept (firewall name WAN_LOCAL rule 24)", esp: "accept (firewall name WAN_LOCAL rule 23)", l2tpIpsec: "accept (firewall name WAN_LOCAL rule 22)", l2tpClear: "accept (firewall name WAN_LOCAL rule 22)" },
  { file: "boot/edgeos-1.9__crdant-homelab__config-974d3a0.boot", iface: "eth0", local: "firewall name WAN_LOCAL", ike: "accept (firewall name WAN_LOCAL rule 30)", natT: "accept (firewall name WAN_LOCAL rule 60)", esp: "accept (firewall name WAN_LOCAL rule 50)", l2tpIpsec: "accept (firewall name WAN_LOCAL rule 40)", l2tpClear: "accept (firewall name WAN_LOCAL rule 40)" },
  { file: "boot/edgeos-2.0__DanZee-edgerouter-config__config.boot", iface: "pppoe0", local: "firewall name WAN_LOCAL", ike: "accept (firewall name WAN_LOCAL rule 30)", natT: "accept (firewall name WAN_LOCAL rule 50)", esp: "accept (firewall name WAN_LOCAL rule 40)", l2tpIpsec: "accept (firewall name WAN_LOCAL rule 60)", l2tpClear: "drop (policy firewall name WAN_LOCAL)" },
  { file: "set/vyatta-6.5doc__rackerlabs__protect-vyatta-local-firewall.set", iface: "eth0", local: "firewall name protect-vyatta", ike: "accept (firewall name protect-vyatta rule 100)", natT: "accept (firewall name protect-vyatta rule 250)", esp: "accept (firewall name protect-vyatta rule 200)", l2tpIpsec: "accept (firewall name protect-vyatta rule 210)", l2tpClear: "drop (policy firewall name protect-vyatta)" },
  { file: "set/vyatta-6.5doc__rackerlabs__l2tp-remote-access.set", iface: "eth0", local: "open", ike: OPEN, natT: OPEN, esp: OPEN, l2tpIpsec: OPEN, l2tpClear: OPEN },
  // The correct OUTSIDE-LOCAL rule-set is attached nowhere, so the box is open (LABELS: "unattached").
  { file: "set/vyos-1.2doc__vyos-documentation__l2tp-ipsec-server.set", iface: "eth0", local: "open", ike: OPEN, natT: OPEN, esp: OPEN, l2tpIpsec: OPEN, l2tpClear: OPEN },
  { file: "set/vyos-1.3doc__vyos-documentation__l2tp-ipsec-server.set", iface: "eth0", local: "open", ike: OPEN, natT: OPEN, esp: OPEN, l2tpIpsec: OPEN, l2tpClear: OPEN },
  { file: "set/vyos-1.5doc__vyos-documentation__l2tp-ipsec-server.set", iface: "eth0", local: "open", ike: OPEN, natT: OPEN, esp: OPEN, l2tpIpsec: OPEN, l2tpClear: OPEN },
  { file: "set/vyos-1.4doc__vyos-documentation__policy-based-ipsec-and-firewall-LEFT.set", iface: "eth0", local: "firewall ipv4 input filter", ike: "accept (firewall ipv4 input filter rule 10)", natT: "accept (firewall ipv4 input filter rule 10)", esp: "accept (firewall ipv4 input filter rule 15)", l2tpIpsec: "drop (policy firewall ipv4 input filter)", l2tpClear: "drop (policy firewall ipv4 input filter)" },
  { file: "boot/edgeos-1.x__mikim83-edgerouter_vpc_bgp_dual_wan__config.boot", iface: "pppoe0", local: "firewall name WAN_LOCAL", ike: "drop (policy firewall name WAN_LOCAL)", natT: "drop (policy firewall name WAN_LOCAL)", esp: "drop (policy firewall name WAN_LOCAL)", l2tpIpsec: "drop (policy firewall name WAN_LOCAL)", l2tpClear: "drop (policy firewall name WAN_LOCAL)" },
  { file: "boot/vyos-1.1__robgil-vyos-vpc__config.boot", iface: "eth0", local: "open", ike: OPEN, natT: OPEN, esp: OPEN, l2tpIpsec: OPEN, l2tpClear: OPEN },
  { file: "boot/vyos-1.2__vyos-1x__bgp-azure-ipsec-gateway.boot", iface: "eth0", local: "open", ike: OPEN, natT: OPEN, esp: OPEN, l2tpIpsec: OPEN, l2tpClear: OPEN },
  { file: "set/vyos-1.5__vyos-1x__bgp-azure-ipsec-gateway.set", iface: "eth0", local: "open", ike: OPEN, natT: OPEN, esp: OPEN, l2tpIpsec: OPEN, l2tpClear: OPEN },
  { file: "boot/vyos-1.3__vyos-1x__bgp-dmvpn-hub.boot", iface: "eth0", local: "open", ike: OPEN, natT: OPEN, esp: OPEN, l2tpIpsec: OPEN, l2tpClear: OPEN },
  { file: "boot/vyos-1.3__vyos-1x__bgp-dmvpn-spoke.boot", iface: "pppoe1", local: "open", ike: OPEN, natT: OPEN, esp: OPEN, l2tpIpsec: OPEN, l2tpClear: OPEN },
  { file: "set/vyos-1.5__vyos-1x__bgp-dmvpn-spoke.set", iface: "pppoe1", local: "open", ike: OPEN, natT: OPEN, esp: OPEN, l2tpIpsec: OPEN, l2tpClear: OPEN },
  { file: "boot/vyos-1.4rolling2021__vyos-1x__pki-ipsec.boot", iface: "eth0", local: "open", ike: OPEN, natT: OPEN, esp: OPEN, l2tpIpsec: OPEN, l2tpClear: OPEN },
  { file: "set/vyos-1.5doc__vyos-documentation__ipsec-remote-access-ikev2.set", iface: undefined, local: "open", ike: OPEN, natT: OPEN, esp: OPEN, l2tpIpsec: OPEN, l2tpClear: OPEN },
  { file: "set/vyatta-nos-5600doc__ibm-vra__s2s-ipsec-with-dnat.set", iface: "dp0p192p1", local: "open", ike: OPEN, natT: OPEN, esp: OPEN, l2tpIpsec: OPEN, l2tpClear: OPEN },
  { file: "set/vyatta-nos-5600doc__ibm-vra__vti-ipsec-west.set", iface: "dp0bond1", local: "open", ike: OPEN, natT: OPEN, esp: OPEN, l2tpIpsec: OPEN, l2tpClear: OPEN },
];

/** The rule-set that filters packets to the router arriving on `iface`: a jump in INPUT, or INPUT itself (1.4+). */
function localRuleSet(ruleset: Ruleset, iface: string | undefined): string {
  const input = ruleset.tables.get("filter")!.chains.get("INPUT")!;
  if (input.origin) return input.origin.label;
  for (const rule of input.rules) {
    if (rule.target.kind !== "jump") continue;
    const on = rule.matches.find((m) => m.kind === "interface" && m.direction === "in");
    if (on && on.kind === "interface" && on.name === iface) return ruleset.tables.get("filter")!.chains.get(rule.target.chain)!.origin!.label;
  }
  return "open";
}

function verdict(ruleset: Ruleset, iface: string | undefined, proto: number, dport?: number, ipsec?: boolean): string {
  const analysis = analyze(ruleset, {
    hook: "input",
    proto,
    state: "new",
    ...(iface !== undefined ? { in: iface } : {}),
    ...(dport !== undefined ? { dport } : {}),
    ...(ipsec !== undefined ? { ipsec } : {}),
  });
  const deciders = new Set(analysis.parts.map((p) => (p.decidedBy.kind === "rule" ? p.decidedBy.rule.text : `policy ${p.decidedBy.chain.origin?.label ?? (p.decidedBy.chain.builtin ? "built-in" : p.decidedBy.chain.name)}`)));
  expect(analysis.parts.every((p) => p.dnat === undefined)).toBe(true);
  return `${analysis.verdict as Verdict} (${[...deciders].join(", ")})`;
}

describeWith(corpus, "Vyatta corpus", () => {
  it("has the 35 files the issue names", () => {
    expect(files()).toHaveLength(35);
  });

  it("parses every file with exactly the diagnostics the router would give", () => {
    for (const file of files()) {
      expect({ file, diagnostics: diagnostics(parse(file)) }).toEqual({ file, diagnostics: EXPECTED_DIAGNOSTICS[file] ?? [] });
    }
  });

  it("detects every file as Vyatta, in the right form", () => {
    for (const file of files()) {
      const text = load(file).text;
      expect({ file, format: detectFormat(text), form: detectForm(text) }).toEqual({ file, format: "vyatta", form: file.startsWith("boot/") ? "curly" : "commands" });
    }
  });

  it("gives each config.boot file the same model as its `set` rendering", () => {
    for (const file of files().filter((f) => f.startsWith("boot/"))) {
      const tree = buildTree(load(file), "curly");
      // `show configuration commands` drops the version footer, and with it the exact release.
      const curly = dumpModel(treeToModel(tree)) as { rulesets: unknown; host: { generation?: string } };
      const commands = dumpModel(treeToModel(buildTree(new SourceFile(`${file}.set`, renderCommands(tree.root)), "commands"))) as { rulesets: unknown; host: { generation?: string } };
      delete curly.host.generation;
      delete commands.host.generation;
      expect({ file, rulesets: commands.rulesets, host: commands.host }).toEqual({ file, rulesets: curly.rulesets, host: curly.host });
    }
  });

  it("gives the curly file and its migrated 1.5 `set` pair equal models, up to the migration's rewrites", () => {
    for (const [boot, set] of PAIRS) {
      expect({ pair: set, model: migrated(parse(set)) }).toEqual({ pair: set, model: migrated(parse(boot)) });
    }
  });

  it("yields the LABELS.md verdicts for IKE, NAT-T, ESP and IPsec-protected / cleartext L2TP", () => {
    for (const label of LABELS) {
      const ruleset = parse(label.file).rulesets[0]!;
      const got: Label = {
        file: label.file,
        iface: label.iface,
        local: localRuleSet(ruleset, label.iface),
        ike: verdict(ruleset, label.iface, 17, 500),
        natT: verdict(ruleset, label.iface, 17, 4500),
        esp: verdict(ruleset, label.iface, 50),
        l2tpIpsec: verdict(ruleset, label.iface, 17, 1701, true),
        l2tpClear: verdict(ruleset, label.iface, 17, 1701, false),
      };
      expect(got).toEqual(label);
    }
  });

  it("keeps correct but unattached rule-sets visible: OUTSIDE-LOCAL rule 43 needs IPsec", () => {
    for (const file of ["set/vyos-1.2doc__vyos-documentation__l2tp-ipsec-server.set", "set/vyos-1.3doc__vyos-documentation__l2tp-ipsec-server.set", "set/vyos-1.5doc__vyos-documentation__l2tp-ipsec-server.set"]) {
      const model = parse(file);
      const chain = model.rulesets[0]!.tables.get("filter")!.chains.get("OUTSIDE-LOCAL")!;
      expect(chain.origin).toEqual({ label: "firewall name OUTSIDE-LOCAL", attached: false });
      const rule43 = chain.rules.find((r) => r.text === "firewall name OUTSIDE-LOCAL rule 43")!;
      expect(rule43.matches).toContainEqual(expect.objectContaining({ kind: "field", field: "ipsecIn", values: [[1, 6]] }));
      expect(model.host.l2tp?.ipsecSettings).toBe(true);
    }
  });

  it("reads the VPN facts LABELS.md relies on", () => {
    const danzee = parse("boot/edgeos-2.0__DanZee-edgerouter-config__config.boot");
    expect(danzee.host.ipsec).toMatchObject({ interfaces: ["eth0"], natTraversal: true, hasRemoteAccess: true });
    expect(danzee.host.interfaces.map((i) => i.name)).toEqual(["eth0", "eth0.4", "eth0.6", "pppoe0", "eth2", "eth3", "lo"]);
    const subtree = parse("boot/vyatta-6.5doc__rackerlabs__show-vpn-l2tp-remote-access-subtree.boot");
    expect(subtree.host.l2tp).toMatchObject({ outsideAddress: "X.X.X.X", ipsecSettings: true });
    const nos = parse("set/vyatta-nos-5600doc__ibm-vra__s2s-ipsec-with-dnat.set");
    const dnat = nos.rulesets[0]!.tables.get("nat")!.chains.get("PREROUTING")!.rules;
    expect(dnat).toHaveLength(1);
    expect(dnat[0]!.matches).toContainEqual(expect.objectContaining({ kind: "interface", direction: "in", name: "tun50" }));
    expect(nos.host.ipsec?.hasSiteToSite).toBe(true);
    const left = parse("set/vyos-1.4doc__vyos-documentation__policy-based-ipsec-and-firewall-LEFT.set");
    expect(left.host).toMatchObject({ generation: "vyos-1.4+", ipsec: { interfaces: ["eth0"], hasSiteToSite: true } });
  });
});
