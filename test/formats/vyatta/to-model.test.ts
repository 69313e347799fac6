import { describe, expect, it } from "vitest";
import { vyattaFormat } from "../../../src/formats/vyatta/index.js";
import { CtState, IpsecState, type Chain, type FirewallModel, type Match, type Ruleset } from "../../../src/model/firewall.js";
import { SourceFile } from "../../../src/model/source.js";
import { decide, ESP, TCP, UDP } from "./first-match.js";

function parse(text: string, path = "config.boot"): FirewallModel {
  return vyattaFormat.parse(new SourceFile(path, text));
}
function v4(model: FirewallModel): Ruleset {
  return model.rulesets.find((r) => r.family === "ipv4")!;
}
function v6(model: FirewallModel): Ruleset | undefined {
  return model.rulesets.find((r) => r.family === "ipv6");
}
function chain(ruleset: Ruleset | undefined, name: string, table: "filter" | "nat" | "mangle" = "filter"): Chain {
  const found = ruleset?.tables.get(table)?.chains.get(name);
  if (!found) throw new Error(`no chain ${table}/${name}`);
  return found;
}
function messages(model: FirewallModel): string[] {
  return model.diagnostics.map((d) => `${model.source.position(d.range.start).line}: ${d.message}`);
}
function text(model: FirewallModel, range: { start: number; end: number } | undefined): string {
  return range ? model.source.text.slice(range.start, range.end) : "";
}
function field(matches: readonly Match[], name: string): Match | undefined {
  return matches.find((m) => m.kind === "field" && m.field === name);
}
const WAN = { in: "eth0", src: 0xc6336407n };

describe("classic firewall (Vyatta 6.5, EdgeOS, VyOS 1.1-1.3)", () => {
  const boot = `firewall {
    name WAN_LOCAL {
        default-action drop
        rule 10 {
            action accept
            state {
                established enable
                related enable
                invalid disable
            }
        }
        rule 20 {
            action accept
            destination {
                port 500,ipsec-nat-t
            }
            protocol udp
        }
        rule 30 {
            action accept
            protocol esp
        }
        rule 40 {
            action accept
            destination {
                port l2tp
            }
            ipsec {
                match-ipsec
            }
            protocol udp
        }
        rule 50 {
            action drop
            disable
            protocol all
        }
    }
    name LAN_IN {
        rule 5 {
            action reject
            protocol !tcp_udp
            source {
                address !10.0.0.0/8
                port 1000-2000
            }
        }
    }
    ipv6-name WAN6_LOCAL {
        default-action accept
    }
}
interfaces {
    ethernet eth0 {
        firewall {
            local {
                ipv6-name WAN6_LOCAL
                name WAN_LOCAL
            }
        }
        vif 6 {
            pppoe 0 {
                firewall {
                    in {
                        name LAN_IN
                    }
                }
            }
        }
    }
    ethernet eth1 {
        address 192.0.2.1/24
        vif 20 {
            address 198.51.100.1/24
            firewall {
                out {
                    name LAN_IN
                }
            }
        }
    }
}
/* Release version: v1.9.1.1.4977602.170427.0113 */
`;
  const model = parse(boot);

  it("maps rule-sets to filter user chains with default-action policies and origins", () => {
    expect(messages(model)).toEqual([
      "42: ports in \"firewall name LAN_IN rule 5\" need \"protocol tcp\", \"udp\" or \"tcp_udp\": the router refuses to commit it",
    ]);
    const wanLocal = chain(v4(model), "WAN_LOCAL");
    expect(wanLocal).toMatchObject({ builtin: false, table: "filter", policy: { verdict: "drop" }, origin: { label: "firewall name WAN_LOCAL", attached: true } });
    expect(text(model, wanLocal.policy!.range)).toBe("default-action drop");
    expect(chain(v4(model), "LAN_IN").policy).toEqual({ verdict: "drop" });
    expect(chain(v6(model), "WAN6_LOCAL").policy?.verdict).toBe("accept");
    expect(model.host.generation).toBe("edgeos-1.9");
  });

  it("maps rule matches: state, ports with service names, protocols, ipsec, negation, disable", () => {
    const rules = chain(v4(model), "WAN_LOCAL").rules;
    expect(rules.map((r) => r.text)).toEqual([10, 20, 30, 40, 50].map((n) => `firewall name WAN_LOCAL rule ${n}`));
    expect(field(rules[0]!.matches, "ctState")).toMatchObject({ values: [[CtState.ESTABLISHED, CtState.RELATED]], negated: false });
    expect(field(rules[1]!.matches, "dport")).toMatchObject({ values: [[500, 500], [4500, 4500]] });
    expect(text(model, field(rules[1]!.matches, "dport")!.range)).toBe("port 500,ipsec-nat-t");
    expect(field(rules[2]!.matches, "proto")).toMatchObject({ values: [[50, 50]] });
    expect(field(rules[3]!.matches, "ipsecIn")).toMatchObject({ values: [[IpsecState.ESP_TRANSPORT, IpsecState.IPCOMP_TUNNEL]] });
    expect(field(rules[3]!.matches, "dport")).toMatchObject({ values: [[1701, 1701]] });
    expect(rules[4]).toMatchObject({ disabled: true, matches: [] });
    expect(text(model, rules[3]!.range)).toMatch(/^rule 40 \{[\s\S]*\}$/);
    const lan = chain(v4(model), "LAN_IN").rules[0]!;
    expect(field(lan.matches, "proto")).toMatchObject({ values: [[6, 6], [17, 17]], negated: true });
    expect(lan.matches.find((m) => m.kind === "address")).toMatchObject({ direction: "src", negated: true, values: [[0x0a000000n, 0x0affffffn]] });
    expect(lan.target).toMatchObject({ kind: "verdict", verdict: "reject" });
  });

  it("attaches local/in/out by synthesized jumps on kernel interface names (vif, pppoe)", () => {
    const input = chain(v4(model), "INPUT");
    expect(input.policy).toEqual({ verdict: "accept" });
    expect(input.rules).toHaveLength(1);
    expect(input.rules[0]).toMatchObject({ synthesized: true, text: "interfaces ethernet eth0 firewall local name WAN_LOCAL", target: { kind: "jump", chain: "WAN_LOCAL" } });
    expect(input.rules[0]!.matches).toMatchObject([{ kind: "interface", direction: "in", name: "eth0" }]);
    expect(text(model, input.rules[0]!.range)).toBe("name WAN_LOCAL");
    const forward = chain(v4(model), "FORWARD").rules;
    expect(forward.map((r) => [r.text, r.matches.map((m) => (m.kind === "interface" ? `${m.direction}:${m.name}` : m.kind))])).toEqual([
      ["interfaces ethernet eth0 vif 6 pppoe 0 firewall in name LAN_IN", ["in:pppoe0"]],
      ["interfaces ethernet eth1 vif 20 firewall out name LAN_IN", ["out:eth1.20"]],
    ]);
    expect(chain(v6(model), "INPUT").rules[0]).toMatchObject({ target: { chain: "WAN6_LOCAL" } });
  });

  it("gives the verdicts a router would: IKE, NAT-T, ESP, L2TP only inside IPsec; other interfaces open", () => {
    const rs = v4(model);
    expect(decide(rs, "INPUT", { ...WAN, proto: UDP, dport: 500 }).verdict).toBe("accept");
    expect(decide(rs, "INPUT", { ...WAN, proto: UDP, dport: 4500 }).verdict).toBe("accept");
    expect(decide(rs, "INPUT", { ...WAN, proto: ESP }).verdict).toBe("accept");
    expect(decide(rs, "INPUT", { ...WAN, proto: UDP, dport: 1701, ipsecIn: IpsecState.ESP_TRANSPORT }).verdict).toBe("accept");
    expect(decide(rs, "INPUT", { ...WAN, proto: UDP, dport: 1701 })).toMatchObject({ verdict: "drop", chain: "WAN_LOCAL" });
    expect(decide(rs, "INPUT", { in: "eth1", proto: UDP, dport: 1701 }).verdict).toBe("accept");
  });

  it("records host facts: interfaces with addresses under their kernel names", () => {
    expect(model.host.interfaces.map((i) => [i.name, i.addresses])).toEqual([
      ["eth0", []],
      ["eth0.6", []],
      ["pppoe0", []],
      ["eth1", ["192.0.2.1/24"]],
      ["eth1.20", ["198.51.100.1/24"]],
    ]);
  });

  it("applies classic firewall state-policy before every rule-set's own rules", () => {
    const m = parse(`set firewall state-policy established action 'accept'
set firewall state-policy invalid action 'drop'
set firewall name OUT rule 10 action 'drop'
set firewall name OUT rule 10 protocol 'tcp'
set interfaces ethernet eth0 firewall local name 'OUT'
`, "c.set");
    expect(messages(m)).toEqual([]);
    expect(chain(v4(m), "OUT").rules.map((r) => [r.text, r.synthesized ?? false])).toEqual([
      ["firewall state-policy established", true],
      ["firewall state-policy invalid", true],
      ["firewall name OUT rule 10", false],
    ]);
    expect(decide(v4(m), "INPUT", { in: "eth0", proto: TCP, dport: 22, ctState: CtState.ESTABLISHED }).verdict).toBe("accept");
  });

  it("reports unknown actions, protocols, ports, addresses and undefined rule-sets in the config's own terms", () => {
    const m = parse(`set firewall name X rule 10 action 'acept'
set firewall name X rule 20 action 'accept'
set firewall name X rule 20 protocol 'udpp'
set firewall name X rule 30 action 'accept'
set firewall name X rule 30 protocol 'tcp'
set firewall name X rule 30 destination port '99999'
set firewall name X rule 40 action 'accept'
set firewall name X rule 40 source address '10.0.0.300'
set firewall name X rule 50 protocol 'tcp'
set firewall name X rule abc action 'drop'
set interfaces ethernet eth0 firewall local name 'MISSING'
`, "e.set");
    expect(messages(m)).toEqual([
      '1: unknown action "acept" in "firewall name X rule 10"',
      '3: unknown protocol "udpp" in "firewall name X rule 20"',
      '6: invalid port "99999" in "firewall name X rule 30"',
      '8: invalid address "10.0.0.300" in "firewall name X rule 40"',
      '9: "firewall name X rule 50" has no action: the router refuses to commit it',
      '10: rule number "abc" in "firewall name X" is not a number from 1 to 999999',
      '11: rule-set "MISSING" is not defined ("interfaces ethernet eth0 firewall local name MISSING")',
    ]);
  });

  it("reads address, network and port groups into sets", () => {
    const m = parse(`set firewall group address-group PEERS address '192.0.2.1'
set firewall group address-group PEERS address '192.0.2.5-192.0.2.9'
set firewall group network-group NETS network '10.0.0.0/8'
set firewall group port-group IKE port '500'
set firewall group port-group IKE port 'ipsec-nat-t'
set firewall name X rule 10 action 'accept'
set firewall name X rule 10 protocol 'udp'
set firewall name X rule 10 source group address-group 'PEERS'
set firewall name X rule 10 destination group port-group 'IKE'
set firewall name X rule 20 action 'accept'
set firewall name X rule 20 destination group network-group 'NETS'
set firewall name X rule 30 action 'accept'
set firewall name X rule 30 source group address-group 'NOPE'
`, "g.set");
    expect(messages(m)).toEqual(['13: address-group "NOPE" used in "firewall name X rule 30" does not exist']);
    const rules = chain(v4(m), "X").rules;
    expect(rules[0]!.matches.find((x) => x.kind === "address")).toMatchObject({ direction: "src", values: [[0xc0000201n, 0xc0000201n], [0xc0000205n, 0xc0000209n]] });
    expect(field(rules[0]!.matches, "dport")).toMatchObject({ values: [[500, 500], [4500, 4500]] });
    expect(rules[1]!.matches[0]).toMatchObject({ kind: "address", direction: "dst", values: [[0x0a000000n, 0x0affffffn]] });
  });

  it("maps protocol numbers, all, and ICMP types", () => {
    const m = parse(`set firewall name X rule 1 action 'accept'
set firewall name X rule 1 protocol '50'
set firewall name X rule 2 action 'accept'
set firewall name X rule 2 protocol 'all'
set firewall name X rule 3 action 'accept'
set firewall name X rule 3 protocol 'icmp'
set firewall name X rule 3 icmp type-name 'echo-request'
set firewall name X rule 4 action 'accept'
set firewall name X rule 4 protocol 'icmp'
set firewall name X rule 4 icmp type '3'
set firewall name X rule 4 icmp code '4'
`, "p.set");
    expect(messages(m)).toEqual([]);
    const rules = chain(v4(m), "X").rules;
    expect(rules[0]!.matches).toMatchObject([{ field: "proto", values: [[50, 50]] }]);
    expect(rules[1]!.matches).toEqual([]);
    expect(field(rules[2]!.matches, "icmpType")).toMatchObject({ values: [[8 * 256, 8 * 256 + 255]] });
    expect(field(rules[3]!.matches, "icmpType")).toMatchObject({ values: [[3 * 256 + 4, 3 * 256 + 4]] });
  });
});

describe("zone-policy (classic) and firewall zone (VyOS 1.4+)", () => {
  const zones = (prefix: string, ruleSets: string): string => `${ruleSets}
set ${prefix} LOCAL local-zone
set ${prefix} LOCAL from WAN firewall name 'WAN-LOCAL'
set ${prefix} WAN interface 'eth0'
set ${prefix} WAN from LAN firewall name 'LAN-WAN'
set ${prefix} LAN interface 'eth1'
set ${prefix} LAN default-action 'reject'
`;
  const classic = parse(zones("zone-policy zone", "set firewall name WAN-LOCAL rule 10 action 'accept'\nset firewall name WAN-LOCAL rule 10 protocol 'esp'\nset firewall name LAN-WAN default-action 'accept'"), "z.set");
  const modern = parse(zones("firewall zone", "set firewall ipv4 name WAN-LOCAL rule 10 action 'accept'\nset firewall ipv4 name WAN-LOCAL rule 10 protocol 'esp'\nset firewall ipv4 name LAN-WAN default-action 'return'"), "z5.set");

  it("filters traffic to the router through the local zone's from-rule-sets", () => {
    for (const m of [classic, modern]) {
      expect(messages(m)).toEqual([]);
      const rs = v4(m);
      expect(decide(rs, "INPUT", { in: "eth0", proto: ESP })).toMatchObject({ verdict: "accept", chain: "WAN-LOCAL" });
      expect(decide(rs, "INPUT", { in: "eth0", proto: UDP, dport: 500 })).toMatchObject({ verdict: "drop", chain: "WAN-LOCAL" });
      // LAN has no from-entry in LOCAL: the local zone's default-action (drop) applies; loopback always passes.
      expect(decide(rs, "INPUT", { in: "eth1", proto: UDP, dport: 500 }).verdict).toBe("drop");
      expect(decide(rs, "INPUT", { in: "lo", proto: UDP, dport: 500 }).verdict).toBe("accept");
      expect(chain(rs, "WAN-LOCAL").origin?.attached).toBe(true);
    }
  });

  it("reports a from-zone that is not defined", () => {
    const m = parse("set firewall ipv4 name X default-action 'accept'\nset firewall zone LAN interface 'eth1'\nset firewall zone LAN from WAM firewall name 'X'\n", "zz.set");
    expect(messages(m)).toEqual(['3: zone "WAM" in "firewall zone LAN from WAM" is not defined']);
  });

  it("filters forwarded traffic between zones; a return from the rule-set passes", () => {
    for (const m of [classic, modern]) {
      const rs = v4(m);
      expect(decide(rs, "FORWARD", { in: "eth1", out: "eth0", proto: TCP, dport: 443 }).verdict).toBe("accept");
      expect(decide(rs, "FORWARD", { in: "eth0", out: "eth1", proto: TCP, dport: 443 }).verdict).toBe("reject");
      expect(decide(rs, "FORWARD", { in: "eth1", out: "eth1", proto: TCP, dport: 443 }).verdict).toBe("accept");
    }
    expect(chain(v4(classic), "INPUT").rules[1]).toMatchObject({ text: "zone-policy zone LOCAL from WAN firewall name WAN-LOCAL", synthesized: true });
    expect(chain(v4(modern), "INPUT").rules[1]).toMatchObject({ text: "firewall zone LOCAL from WAN firewall name WAN-LOCAL", synthesized: true });
  });
});

describe("zone intra-zone-filtering", () => {
  it("filters traffic inside a zone by its action or rule-set", () => {
    const m = parse(`set firewall ipv4 name LAN-LAN rule 10 action 'accept'
set firewall ipv4 name LAN-LAN rule 10 protocol 'tcp'
set firewall zone LAN interface 'eth1'
set firewall zone LAN interface 'eth2'
set firewall zone LAN intra-zone-filtering firewall name 'LAN-LAN'
set firewall zone DMZ interface 'eth3'
set firewall zone DMZ intra-zone-filtering action 'drop'
`, "intra.set");
    expect(messages(m)).toEqual([]);
    const rs = v4(m);
    expect(decide(rs, "FORWARD", { in: "eth1", out: "eth2", proto: TCP, dport: 80 })).toMatchObject({ verdict: "accept", chain: "LAN-LAN" });
    expect(decide(rs, "FORWARD", { in: "eth1", out: "eth2", proto: UDP, dport: 53 })).toMatchObject({ verdict: "drop", chain: "LAN-LAN" });
    expect(decide(rs, "FORWARD", { in: "eth3", out: "eth3", proto: TCP, dport: 80 }).rule?.text).toBe("firewall zone DMZ intra-zone-filtering action drop");
  });
});

describe("VyOS 1.4 early rolling: firewall interface", () => {
  it("attaches by `firewall interface eth0 local name X`", () => {
    const m = parse("set firewall name WAN-LOCAL default-action 'drop'\nset firewall interface eth0 local name 'WAN-LOCAL'\nset firewall interface eth0 in name 'WAN-LOCAL'\n", "i.set");
    expect(messages(m)).toEqual([]);
    expect(m.host.generation).toBe("vyos-1.4-early");
    expect(chain(v4(m), "INPUT").rules[0]).toMatchObject({ text: "firewall interface eth0 local name WAN-LOCAL", matches: [{ kind: "interface", name: "eth0" }], target: { chain: "WAN-LOCAL" } });
    expect(chain(v4(m), "FORWARD").rules[0]).toMatchObject({ matches: [{ kind: "interface", direction: "in", name: "eth0" }] });
  });
});

describe("VyOS 1.4+ and 1.5: base chains, jump targets, interface names and groups", () => {
  const m = parse(`set firewall group interface-group WAN interface 'eth0'
set firewall group interface-group WAN interface 'pppoe*'
set firewall global-options state-policy established action 'accept'
set firewall ipv4 input filter default-action 'drop'
set firewall ipv4 input filter rule 10 action 'jump'
set firewall ipv4 input filter rule 10 jump-target 'VPN-IN'
set firewall ipv4 input filter rule 10 inbound-interface group 'WAN'
set firewall ipv4 name VPN-IN default-action 'return'
set firewall ipv4 name VPN-IN rule 10 action 'accept'
set firewall ipv4 name VPN-IN rule 10 destination port '500,4500'
set firewall ipv4 name VPN-IN rule 10 protocol 'udp'
set firewall ipv4 name VPN-IN rule 20 action 'accept'
set firewall ipv4 name VPN-IN rule 20 destination port '1701'
set firewall ipv4 name VPN-IN rule 20 ipsec 'match-ipsec-in'
set firewall ipv4 name VPN-IN rule 20 protocol 'udp'
set firewall ipv4 name VPN-IN rule 30 action 'drop'
set firewall ipv4 name VPN-IN rule 30 state 'new'
set firewall ipv4 name VPN-IN rule 30 protocol 'udp'
set firewall ipv4 name UNUSED default-action 'drop'
set firewall ipv4 forward filter rule 5 action 'accept'
set firewall ipv4 forward filter rule 5 inbound-interface name '!eth0'
set firewall ipv6 input filter default-action 'drop'
`, "m.set");

  it("makes the base chains the built-in chains with their default-action as policy", () => {
    expect(messages(m)).toEqual([]);
    expect(m.host.generation).toBe("vyos-1.5");
    const input = chain(v4(m), "INPUT");
    expect(input).toMatchObject({ builtin: true, policy: { verdict: "drop" }, origin: { label: "firewall ipv4 input filter", attached: true } });
    expect(input.rules.map((r) => r.text)).toEqual(["firewall global-options state-policy established", "firewall ipv4 input filter rule 10"]);
    expect(input.rules[1]!.target).toMatchObject({ kind: "jump", chain: "VPN-IN" });
    expect(input.rules[1]!.matches[0]).toMatchObject({ kind: "anyOf", alternatives: [{ name: "eth0" }, { name: "pppoe+" }] });
    expect(chain(v4(m), "FORWARD").policy).toEqual({ verdict: "accept" });
    expect(chain(v4(m), "FORWARD").rules[1]!.matches).toMatchObject([{ kind: "interface", name: "eth0", negated: true }]);
    expect(chain(v6(m), "INPUT").policy?.verdict).toBe("drop");
  });

  it("reaches named rule-sets by jump; `return` falls back to the base chain", () => {
    expect(chain(v4(m), "VPN-IN")).toMatchObject({ origin: { label: "firewall ipv4 name VPN-IN", attached: true } });
    expect(chain(v4(m), "VPN-IN").policy).toBeUndefined();
    expect(chain(v4(m), "UNUSED").origin).toEqual({ label: "firewall ipv4 name UNUSED", attached: false });
    const rs = v4(m);
    expect(decide(rs, "INPUT", { in: "pppoe0", proto: UDP, dport: 4500 }).verdict).toBe("accept");
    expect(decide(rs, "INPUT", { in: "eth0", proto: UDP, dport: 1701, ipsecIn: IpsecState.ESP_TUNNEL }).verdict).toBe("accept");
    expect(decide(rs, "INPUT", { in: "eth0", proto: UDP, dport: 1701 })).toMatchObject({ verdict: "drop", chain: "VPN-IN" });
    expect(decide(rs, "INPUT", { in: "eth0", proto: TCP, dport: 22 })).toMatchObject({ verdict: "drop", chain: "INPUT" });
    expect(field(chain(rs, "VPN-IN").rules[2]!.matches, "ctState")).toMatchObject({ values: [[CtState.NEW, CtState.NEW]] });
  });

  it("reports a generation mix instead of guessing", () => {
    const mixed = parse(`set vpn ipsec interface 'eth0'
set firewall name OUTSIDE-LOCAL rule 43 action 'accept'
set firewall name OUTSIDE-LOCAL rule 43 ipsec 'match-ipsec'
set firewall name OUTSIDE-LOCAL rule 43 protocol 'udp'
`, "mix.set");
    expect(messages(mixed)).toEqual([
      '2: "firewall name OUTSIDE-LOCAL" is VyOS 1.3 syntax, but this configuration is VyOS 1.4 or later ("vpn ipsec interface" at line 1); the router refuses it: now "firewall ipv4 name OUTSIDE-LOCAL", reached by a jump rule in "firewall ipv4 input|forward filter"',
    ]);
    expect(chain(v4(mixed), "OUTSIDE-LOCAL").origin?.attached).toBe(false);
    const v15 = parse(`firewall {
    ipv4 {
        input {
            filter {
                rule 10 {
                    action accept
                    ipsec {
                        match-ipsec
                    }
                }
            }
        }
    }
}
// Release version: 1.5-rolling-202406
`);
    expect(messages(v15)).toEqual(['8: "ipsec match-ipsec" is VyOS 1.4 syntax; VyOS 1.5 needs "match-ipsec-in" (or "-out")']);
    const old = parse(`set firewall name X rule 1 action 'accept'\nset firewall name X rule 1 ipsec 'match-ipsec-in'\nset interfaces ethernet eth0 firewall local name X\n`, "o.set");
    expect(messages(old)[0]).toContain('"firewall name X" is VyOS 1.3 syntax, but this configuration is VyOS 1.4 or later ("ipsec match-ipsec-in" at line 2)');
  });

  it("maps match-none-in and match-ipsec-out to the ipsecIn / ipsecOut fields", () => {
    const m2 = parse("set firewall ipv4 output filter rule 1 action 'drop'\nset firewall ipv4 output filter rule 1 ipsec 'match-none-out'\nset firewall ipv4 input filter rule 1 action 'drop'\nset firewall ipv4 input filter rule 1 ipsec 'match-none-in'\n", "d.set");
    expect(field(chain(v4(m2), "OUTPUT").rules[0]!.matches, "ipsecOut")).toMatchObject({ values: [[0, 0]] });
    expect(field(chain(v4(m2), "INPUT").rules[0]!.matches, "ipsecIn")).toMatchObject({ values: [[0, 0]] });
  });
});

describe("Vyatta NOS 5600", () => {
  const m = parse(`set resources group port-group IKE port '500'
set resources group port-group IKE port '4500'
set resources group address-group PEERS address '203.0.113.9'
set security firewall name WAN-LOCAL rule 10 action 'accept'
set security firewall name WAN-LOCAL rule 10 protocol 'udp'
set security firewall name WAN-LOCAL rule 10 destination port 'IKE'
set security firewall name WAN-LOCAL rule 10 source address 'PEERS'
set security firewall name CPP default-action 'accept'
set interfaces dataplane dp0s2 address '198.51.100.2/24'
set interfaces dataplane dp0s2 firewall local 'WAN-LOCAL'
set interfaces loopback lo firewall local 'CPP'
set service nat destination rule 10 inbound-interface 'dp0s2'
set service nat destination rule 10 protocol 'udp'
set service nat destination rule 10 destination port '4500'
set service nat destination rule 10 translation address '10.0.0.5'
`, "nos.set");

  it("maps security firewall rule-sets with resources groups and the implicit drop", () => {
    expect(messages(m)).toEqual([]);
    expect(m.host.generation).toBe("vyatta-nos");
    const wan = chain(v4(m), "WAN-LOCAL");
    expect(wan).toMatchObject({ policy: { verdict: "drop" }, origin: { label: "security firewall name WAN-LOCAL", attached: true } });
    expect(field(wan.rules[0]!.matches, "dport")).toMatchObject({ values: [[500, 500], [4500, 4500]] });
    expect(wan.rules[0]!.matches.find((x) => x.kind === "address")).toMatchObject({ values: [[0xcb007109n, 0xcb007109n]] });
  });

  it("attaches dataplane firewalls by interface and the loopback local firewall to all traffic to the router", () => {
    const input = chain(v4(m), "INPUT").rules;
    expect(input.map((r) => [r.text, r.matches.length])).toEqual([
      ["interfaces dataplane dp0s2 firewall local WAN-LOCAL", 1],
      ["interfaces loopback lo firewall local CPP", 0],
    ]);
    expect(m.host.interfaces).toMatchObject([{ name: "dp0s2", addresses: ["198.51.100.2/24"] }, { name: "lo" }]);
  });

  it("reads security vpn ipsec and security vpn l2tp as host facts", () => {
    const vpn = parse("set security vpn ipsec site-to-site peer 192.0.2.1 local-address '198.51.100.2'\nset security vpn l2tp remote-access outside-address '198.51.100.2'\nset security vpn l2tp remote-access ipsec-settings authentication mode 'pre-shared-secret'\n", "nosvpn.set");
    expect(vpn.host).toMatchObject({ generation: "vyatta-nos", ipsec: { hasSiteToSite: true, hasRemoteAccess: true }, l2tp: { outsideAddress: "198.51.100.2", ipsecSettings: true } });
  });

  it("maps service nat destination to DNAT in PREROUTING", () => {
    const rules = chain(v4(m), "PREROUTING", "nat").rules;
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ text: "service nat destination rule 10", target: { kind: "dnat", toAddresses: [0x0a000005n, 0x0a000005n] } });
    expect(rules[0]!.matches).toMatchObject([{ field: "proto" }, { field: "dport", values: [[4500, 4500]] }, { kind: "interface", direction: "in", name: "dp0s2" }]);
  });
});

describe("NAT", () => {
  it("maps nat destination/source with leaf and {name} interface forms, exclude and masquerade", () => {
    const m = parse(`set nat destination rule 10 inbound-interface 'eth0'
set nat destination rule 10 protocol 'udp'
set nat destination rule 10 destination port '500,4500'
set nat destination rule 10 translation address '192.168.1.10'
set nat destination rule 20 inbound-interface name 'eth0'
set nat destination rule 20 protocol 'esp'
set nat destination rule 20 translation address '192.168.1.10'
set nat source rule 5 exclude
set nat source rule 5 outbound-interface name 'eth0'
set nat source rule 5 destination address '10.2.0.0/16'
set nat source rule 10 outbound-interface name 'eth0'
set nat source rule 10 translation address 'masquerade'
set nat source rule 20 outbound-interface 'eth1'
set nat source rule 20 translation address '203.0.113.1-203.0.113.4'
set nat source rule 20 translation port '1024-2047'
`, "nat.set");
    expect(messages(m)).toEqual([]);
    const pre = chain(v4(m), "PREROUTING", "nat").rules;
    expect(pre.map((r) => [r.text, r.target.kind])).toEqual([["nat destination rule 10", "dnat"], ["nat destination rule 20", "dnat"]]);
    expect(pre[0]!.matches).toMatchObject([{ field: "proto" }, { field: "dport", values: [[500, 500], [4500, 4500]] }, { kind: "interface", name: "eth0" }]);
    expect(pre[1]!.matches).toMatchObject([{ field: "proto", values: [[50, 50]] }, { kind: "interface", name: "eth0" }]);
    const post = chain(v4(m), "POSTROUTING", "nat").rules;
    expect(post.map((r) => r.target)).toMatchObject([
      { kind: "verdict", verdict: "accept" },
      { kind: "masquerade" },
      { kind: "snat", toAddresses: [0xcb007101n, 0xcb007104n], toPorts: [1024, 2047] },
    ]);
  });

  it("maps classic Vyatta 6.5 service nat destination with interface rule-sets as classic, not Vyatta NOS", () => {
    const m = parse(`set firewall name WAN_IN default-action 'drop'
set interfaces ethernet eth0 firewall in name 'WAN_IN'
set service nat destination rule 10 inbound-interface 'eth0'
set service nat destination rule 10 protocol 'udp'
set service nat destination rule 10 destination port '4500'
set service nat destination rule 10 translation address '192.168.1.10'
`, "v65.set");
    expect(messages(m)).toEqual([]);
    expect(m.host.generation).toBe("vyatta-classic");
    expect(chain(v4(m), "FORWARD").rules[0]).toMatchObject({ text: "interfaces ethernet eth0 firewall in name WAN_IN" });
    expect(chain(v4(m), "PREROUTING", "nat").rules[0]).toMatchObject({ text: "service nat destination rule 10", target: { kind: "dnat" } });
  });

  it("maps EdgeOS service nat rules by type", () => {
    const m = parse(`service {
    nat {
        rule 1 {
            type destination
            inbound-interface eth0
            protocol udp
            destination {
                port 500
            }
            inside-address {
                address 192.168.1.10
            }
        }
        rule 5000 {
            type masquerade
            outbound-interface eth0
        }
        rule 5001 {
            type source
            outbound-interface eth1
            outside-address {
                address 203.0.113.7
            }
        }
    }
}
`);
    expect(messages(m)).toEqual([]);
    expect(m.host.generation).toBe("edgeos");
    expect(chain(v4(m), "PREROUTING", "nat").rules[0]).toMatchObject({ text: "service nat rule 1", target: { kind: "dnat", toAddresses: [0xc0a8010an, 0xc0a8010an] } });
    expect(chain(v4(m), "POSTROUTING", "nat").rules.map((r) => r.target.kind)).toEqual(["masquerade", "snat"]);
  });

  it("maps EdgeOS port-forward to DNAT and, with auto-firewall, FORWARD accepts before the rule-sets", () => {
    const m = parse(`firewall {
    name WAN_IN {
        default-action drop
    }
}
interfaces {
    ethernet eth0 {
        firewall {
            in {
                name WAN_IN
            }
        }
    }
}
port-forward {
    auto-firewall enable
    lan-interface eth1
    rule 1 {
        description ipsec
        forward-to {
            address 192.168.1.10
        }
        original-port 500,4500
        protocol udp
    }
    wan-interface eth0
}
`);
    expect(messages(m)).toEqual([]);
    const dnat = chain(v4(m), "PREROUTING", "nat").rules[0]!;
    expect(dnat).toMatchObject({ text: "port-forward rule 1", synthesized: true, target: { kind: "dnat", toAddresses: [0xc0a8010an, 0xc0a8010an] } });
    expect(dnat.matches).toMatchObject([{ kind: "interface", name: "eth0" }, { field: "proto", values: [[17, 17]] }, { field: "dport", values: [[500, 500], [4500, 4500]] }]);
    const forward = chain(v4(m), "FORWARD").rules;
    expect(forward.map((r) => r.text)).toEqual(["port-forward rule 1 (auto-firewall)", "interfaces ethernet eth0 firewall in name WAN_IN"]);
    expect(decide(v4(m), "FORWARD", { in: "eth0", out: "eth1", proto: UDP, dport: 4500, dst: 0xc0a8010an }).verdict).toBe("accept");
    expect(decide(v4(m), "FORWARD", { in: "eth0", out: "eth1", proto: UDP, dport: 1701, dst: 0xc0a8010an }).verdict).toBe("drop");
  });
});

describe("TCP MSS clamping", () => {
  it("becomes TCPMSS rules in mangle FORWARD for VyOS 1.2 options, VyOS 1.3+ adjust-mss and EdgeOS mss-clamp", () => {
    const m = parse(`set firewall options interface pppoe0 adjust-mss '1452'
set firewall options interface pppoe0 adjust-mss6 '1432'
set firewall options mss-clamp interface-type 'pppoe'
set firewall options mss-clamp interface-type 'tun'
set firewall options mss-clamp mss '1412'
set interfaces ethernet eth0 vif 10 ip adjust-mss 'clamp-mss-to-pmtu'
`, "mss.set");
    expect(messages(m)).toEqual([]);
    const rules = chain(v4(m), "FORWARD", "mangle").rules;
    expect(rules.map((r) => [r.text, r.target.kind === "continue" ? `${r.target.name} ${r.target.options}` : r.target.kind, r.matches.map((x) => (x.kind === "interface" ? x.name : x.kind))])).toEqual([
      ["firewall options interface pppoe0 adjust-mss 1452", "TCPMSS --set-mss 1452", ["field", "pppoe0"]],
      ["firewall options mss-clamp interface-type pppoe mss 1412", "TCPMSS --set-mss 1412", ["field", "pppoe+"]],
      ["firewall options mss-clamp interface-type tun mss 1412", "TCPMSS --set-mss 1412", ["field", "tun+"]],
      ["interfaces ethernet eth0 vif 10 ip adjust-mss clamp-mss-to-pmtu", "TCPMSS --clamp-mss-to-pmtu", ["field", "eth0.10"]],
    ]);
    expect(chain(v6(m), "FORWARD", "mangle").rules.map((r) => r.text)).toEqual(["firewall options interface pppoe0 adjust-mss6 1432"]);
  });
});

describe("VPN host facts", () => {
  it("reads vpn ipsec and vpn l2tp remote-access", () => {
    const m = parse(`set interfaces ethernet eth0 address '10.0.1.30/24'
set vpn ipsec ipsec-interfaces interface 'eth0'
set vpn ipsec nat-traversal 'enable'
set vpn ipsec site-to-site peer 192.0.2.1 authentication mode 'pre-shared-secret'
set vpn l2tp remote-access outside-address '10.0.1.30'
set vpn l2tp remote-access ipsec-settings authentication mode 'pre-shared-secret'
`, "vpn.set");
    expect(messages(m)).toEqual([]);
    expect(m.host.ipsec).toMatchObject({ interfaces: ["eth0"], natTraversal: true, hasSiteToSite: true, hasRemoteAccess: true });
    expect(m.host.l2tp).toMatchObject({ outsideAddress: "10.0.1.30", ipsecSettings: true });
    expect(m.host.interfaces).toMatchObject([{ name: "eth0", addresses: ["10.0.1.30/24"] }]);
  });
});

describe("odd input", () => {
  it("never throws, and keeps rule-sets called __proto__ or constructor", () => {
    const m = parse("set firewall name __proto__ rule 1 action 'accept'\nset firewall name constructor default-action 'accept'\nset interfaces ethernet eth0 firewall local name '__proto__'\n", "odd.set");
    expect(messages(m)).toEqual([]);
    expect(chain(v4(m), "__proto__").origin?.attached).toBe(true);
    expect(chain(v4(m), "constructor").policy?.verdict).toBe("accept");
    const proto = parse("set firewall name X rule 1 action 'accept'\nset firewall name X rule 1 state __proto__ 'enable'\nset firewall name X rule 1 state constructor\nset firewall state-policy toString action 'accept'\n", "proto.set");
    expect(messages(proto)).toEqual(['2: unknown state "__proto__"', '3: unknown state "constructor"']);
    expect(chain(v4(proto), "X").rules.map((r) => r.matches)).toEqual([[]]);
    for (const junk of ["}", "{", "'", '"', "/*", "firewall { name { rule", "set", "\u0000\u0001", "a b c d {"]) {
      expect(() => parse(junk)).not.toThrow();
    }
  });
});
