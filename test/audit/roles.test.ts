// Role inference on the model: evidence, external interface tiers, behind-NAT from Vyatta WAN addresses.

import { describe, expect, it } from "vitest";
import { kubeDump } from "../../bench/generate.js";
import { inferRoles, isPrivateIpv4 } from "../../src/audit/roles.js";
import { parseSource } from "../../src/formats/index.js";
import type { FirewallModel } from "../../src/model/firewall.js";
import { SourceFile } from "../../src/model/source.js";
import { checks } from "../../src/rules/index.js";
import { runChecks } from "../../src/rules/runner.js";

function roles(text: string, name = "x.rules") {
  return inferRoles(parseSource(new SourceFile(name, text)), { options: {}, config: {} });
}

describe("inferRoles", () => {
  it("takes the VPN rules' interfaces before DNAT and MASQUERADE ones", () => {
    const inferred = roles(
      ["*nat", ":POSTROUTING ACCEPT [0:0]", "-A POSTROUTING -o eth9 -j MASQUERADE", "COMMIT", "*filter", ":INPUT DROP [0:0]", "-A INPUT -i eth1 -p esp -j ACCEPT", "COMMIT", ""].join("\n"),
    );
    expect(inferred.ipsecEndpoint).toMatchObject({ value: true, source: "inferred", reasons: ["a rule accepts ESP (line 7)"] });
    expect(inferred.externalInterfaces.value).toEqual(["eth1"]);
    expect(inferred.gateway.value).toBe(false);
    expect(inferred.vpnFamilies.has("ipv4")).toBe(true);
  });

  it("sees a gateway in destination NAT of VPN traffic, and ignores tunnel interfaces", () => {
    const inferred = roles(
      ["*nat", ":PREROUTING ACCEPT [0:0]", "-A PREROUTING -i ppp0 -p udp -m udp --dport 4500 -j DNAT --to-destination 192.0.2.10", "-A PREROUTING -i eth0 -p udp -m udp --dport 500 -j DNAT --to-destination 192.0.2.10", "COMMIT", ""].join("\n"),
    );
    expect(inferred.gateway.value).toBe(true);
    expect(inferred.ipsecEndpoint.value).toBe(false);
    expect(inferred.externalInterfaces.value).toEqual(["eth0"]);
  });

  it("says no external interface is known when nothing names one", () => {
    const inferred = roles("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p udp -m udp --dport 500 -j ACCEPT\nCOMMIT\n");
    expect(inferred.externalInterfaces).toMatchObject({ value: [], source: "default" });
  });

  it("infers behind NAT from a private Vyatta WAN address only", () => {
    const config = (address: string): string =>
      [
        `set interfaces ethernet eth0 address '${address}'`,
        "set interfaces ethernet eth0 firewall local name 'WAN_LOCAL'",
        "set firewall name WAN_LOCAL default-action 'drop'",
        "set firewall name WAN_LOCAL rule 10 action 'accept'",
        "set firewall name WAN_LOCAL rule 10 protocol 'esp'",
        "set vpn ipsec ipsec-interfaces interface 'eth0'",
        "",
      ].join("\n");
    expect(roles(config("100.64.1.2/24"), "c.set").behindNat).toMatchObject({ value: true, source: "inferred" });
    expect(roles(config("203.0.113.2/24"), "c.set").behindNat).toMatchObject({ value: false });
  });

  it("lets options replace the inferred roles", () => {
    const model = parseSource(new SourceFile("x.rules", "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p esp -j ACCEPT\nCOMMIT\n"));
    const forced = inferRoles(model, { options: { roles: ["gateway"], externalInterfaces: ["wan0"] }, config: { behindNat: true } });
    expect(forced.ipsecEndpoint).toMatchObject({ value: false, source: "option" });
    expect(forced.gateway).toMatchObject({ value: true, source: "option" });
    expect(forced.externalInterfaces).toMatchObject({ value: ["wan0"], source: "option" });
    expect(forced.behindNat).toMatchObject({ value: true, source: "config" });
  });
});

/** Counts the rules of unbuilt chains built one by one (DeferredRules.rule) whose target is DNAT. */
function countDnatBuilds(model: FirewallModel): { count: number } {
  const built = { count: 0 };
  for (const ruleset of model.rulesets) {
    for (const table of ruleset.tables.values()) {
      for (const chain of table.chains.values()) {
        const deferred = chain.deferred;
        if (deferred === undefined) continue;
        const rule = deferred.rule.bind(deferred);
        deferred.rule = (i) => {
          if (deferred.target(i).kind === "dnat") built.count++;
          return rule(i);
        };
      }
    }
  }
  return built;
}

describe("inferRoles over a Kubernetes node's dump", () => {
  it("passes over kube-proxy's DNAT rules unbuilt, yet reads a DNAT rule that names an interface", () => {
    // The VPN rules name no interface, so the DNAT rules' interfaces are the external ones.
    const text = kubeDump(64)
      .replaceAll("-A INPUT -i eth0 ", "-A INPUT ")
      .replace("-A PREROUTING ", "-A PREROUTING -i eth7 -p tcp -m tcp --dport 8443 -j DNAT --to-destination 10.0.0.9:443\n-A PREROUTING ");
    const model = parseSource(new SourceFile("kube.rules", text));
    expect(model.rulesets[0]!.tables.get("nat")!.chains.get("PREROUTING")!.deferred).toBeDefined();
    const dnatBuilds = countDnatBuilds(model);
    const inferred = inferRoles(model, { options: {}, config: {} });
    expect(inferred.externalInterfaces.value).toContain("eth7");
    expect(dnatBuilds.count).toBe(1);
    // Nor do the checks build them.
    runChecks(model, inferred, checks);
    expect(dnatBuilds.count).toBe(1);
  });
});

describe("isPrivateIpv4", () => {
  it("knows RFC 1918 and RFC 6598 space", () => {
    expect(["10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1", "100.127.255.254"].every(isPrivateIpv4)).toBe(true);
    expect(["172.32.0.1", "100.128.0.1", "203.0.113.2", "192.169.0.1", "10.1.2", "300.1.1.1"].some(isPrivateIpv4)).toBe(false);
  });
});
