// The shared corpus: the hand-labelled Vyatta configs give the verdicts in LABELS.md, and every other file gives
// exactly the findings reviewed below (or none), without crashing. Notes and VPN000 (the front ends') are left out
// of the comparison; every file is still audited in full.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, it } from "vitest";
import { auditSource } from "../../src/audit/index.js";
import { SourceFile } from "../../src/model/source.js";
import { corpus, corpusRoot, describeWith } from "../helpers/environment.js";

/**
 * `ID@line` of the warnings and errors of checks, per corpus file; files not listed must have none. The Vyatta ones
 * follow vyatta/LABELS.md (FAIL -> the failing check, "no local firewall" -> VPN017, "unattached" -> VPN010).
 */
const EXPECTED: Readonly<Record<string, readonly string[]>> = {
  // LABELS: FAIL, r22 / r40 accept udp/1701 without match-ipsec.
  "vyatta/boot/edgeos-1.9__crdant-homelab__config-642ba3e.boot": ["VPN004@91"],
  "vyatta/boot/edgeos-1.9__crdant-homelab__config-974d3a0.boot": ["VPN004@450"],
  // LABELS: IKE/NAT-T/ESP not allowed on WAN_LOCAL (default drop); port-forward of PPTP (1723) to 10.200.1.17.
  "vyatta/boot/edgeos-1.x__mikim83-edgerouter_vpc_bgp_dual_wan__config.boot": ["VPN001@42", "VPN002@42", "VPN003@42", "VPN009@256"],
  // LABELS: no local firewall (WARN only).
  "vyatta/boot/vyos-1.1__robgil-vyos-vpc__config.boot": ["VPN017@109"],
  "vyatta/boot/vyos-1.2__vyos-1x__bgp-azure-ipsec-gateway.boot": ["VPN017@334"],
  "vyatta/set/vyos-1.5__vyos-1x__bgp-azure-ipsec-gateway.set": ["VPN017@143"],
  "vyatta/boot/vyos-1.3__vyos-1x__bgp-dmvpn-hub.boot": ["VPN017@135"],
  "vyatta/boot/vyos-1.3__vyos-1x__bgp-dmvpn-spoke.boot": ["VPN017@159"],
  "vyatta/set/vyos-1.5__vyos-1x__bgp-dmvpn-spoke.set": ["VPN017@59"],
  // LABELS: no local firewall; the config also runs an L2TP server, so cleartext L2TP is accepted.
  "vyatta/boot/vyos-1.4rolling2021__vyos-1x__pki-ipsec.boot": ["VPN017@47", "VPN004@109"],
  // LABELS: L2TP/IPsec server with no local firewall in this file (open, no match-ipsec enforcement).
  "vyatta/set/vyatta-6.5doc__rackerlabs__l2tp-remote-access.set": ["VPN017@1", "VPN004@4"],
  // LABELS: rules fine, rule-set not attached.
  "vyatta/set/vyos-1.2doc__vyos-documentation__l2tp-ipsec-server.set": ["VPN010@13"],
  "vyatta/set/vyos-1.3doc__vyos-documentation__l2tp-ipsec-server.set": ["VPN010@13"],
  // LABELS: mixed generations (VPN000 from the front end) and attached nowhere.
  "vyatta/set/vyos-1.5doc__vyos-documentation__l2tp-ipsec-server.set": ["VPN010@12"],
  // Reviewed: an L2TP/IPsec server with a public address that drops ESP (clients not behind NAT cannot pass data).
  "iptables/realworld/net-network/majek_dump_vpn__vpn__iptables.up.rules": ["VPN003@51"],
  // Reviewed: IKE, ESP and AH accepted on eth1, NAT-T not (a peer behind NAT cannot connect).
  "iptables/realworld/net-network/examples_ferm__dmz_router.ferm.iptables-save": ["VPN002@17"],
  // Reviewed: a VPN gateway accepting 500,1701,4500 in one rule (cleartext L2TP) and PPTP among its TCP services.
  "iptables/upstream-dumps/dumps/ipt-save__wireless.txt": ["VPN009@29", "VPN004@30"],
  // Reviewed: FORWARD drops NEW ESP (conntrack NEW,INVALID DROP) before the jump to IPSEC_42.
  "iptables/realworld/iptables-semantics/Parser_Test__iptables-save": ["VPN008@51"],
};

/** Labelled PASS files and negative controls: LABELS.md says a linter must not ask anything of them. */
const CLEAN_BY_LABEL = [
  "vyatta/boot/edgeos-2.0__DanZee-edgerouter-config__config.boot",
  "vyatta/set/vyatta-6.5doc__rackerlabs__protect-vyatta-local-firewall.set",
  "vyatta/boot/vyatta-6.5doc__rackerlabs__show-vpn-l2tp-remote-access-subtree.boot",
  "vyatta/set/vyos-1.4doc__vyos-documentation__policy-based-ipsec-and-firewall-LEFT.set",
  "vyatta/set/vyatta-nos-5600doc__ibm-vra__s2s-ipsec-with-dnat.set",
  "vyatta/set/vyatta-nos-5600doc__ibm-vra__vti-ipsec-west.set",
  "vyatta/boot/vyos-1.2__vyos-1x__dialup-router-medium-vpn.boot",
  "vyatta/set/vyos-1.5__vyos-1x__dialup-router-medium-vpn.set",
  "vyatta/boot/vyos-1.3__vyos-1x__dialup-router-complex.boot",
  "vyatta/set/vyos-1.5__vyos-1x__dialup-router-complex.set",
  "vyatta/boot/vyos-1.3__vyos-1x__dialup-router-wireguard-ipv6.boot",
  "vyatta/boot/vyos-1.4__vyos-1x__nat-basic.boot",
  "vyatta/set/vyos-1.5__vyos-1x__nat-basic.set",
  "vyatta/boot/vyos-1.4rolling2022__morganconnors-SEC-350__fw01.boot",
  "vyatta/boot/edgeos-1.9__stevejenkins-UBNT-EdgeRouter-Example-Configs__Comcast-erx.boot",
  "vyatta/set/vyatta-nos-5600doc__ibm-vra__loopback-local-firewall-zone.set",
];

function corpusFiles(): string[] {
  const files: string[] = [];
  const pending = [corpusRoot];
  while (pending.length > 0) {
    const directory = pending.pop()!;
    for (const name of readdirSync(directory)) {
      const path = join(directory, name);
      if (statSync(path).isDirectory()) pending.push(path);
      else if (!name.endsWith(".md") && name !== "INDEX.tsv") files.push(path);
    }
  }
  return files.sort();
}

describeWith(corpus, "corpus findings", () => {
  const files = corpusFiles();
  const results = new Map<string, string[]>();

  it("audits every corpus file without crashing, with findings inside the file", () => {
    expect(files.length).toBeGreaterThan(200);
    for (const path of files) {
      const name = relative(corpusRoot, path);
      const text = readFileSync(path, "utf8");
      const report = auditSource(new SourceFile(name, text), { noConfigSearch: true });
      expect(report.internalErrors, name).toEqual([]);
      const lines = report.source.lineCount;
      for (const finding of report.findings) {
        expect(finding.location.startLine, `${name}: ${finding.message}`).toBeGreaterThanOrEqual(1);
        expect(finding.location.endLine, `${name}: ${finding.message}`).toBeLessThanOrEqual(lines);
        expect(finding.message, name).not.toMatch(/\{\{/);
      }
      results.set(
        name,
        report.findings.filter((finding) => finding.ruleId !== "VPN000" && finding.severity !== "note").map((finding) => `${finding.ruleId}@${finding.location.startLine}`),
      );
    }
  });

  it("gives the labelled and reviewed findings, and none elsewhere", () => {
    expect(results.size).toBe(files.length);
    for (const name of CLEAN_BY_LABEL) expect(results.has(name), name).toBe(true);
    for (const [name, found] of results) {
      expect([...found].sort(), name).toEqual([...(EXPECTED[name] ?? [])].sort());
    }
  });
});
