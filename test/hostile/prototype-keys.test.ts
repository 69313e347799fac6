// Names such as __proto__, constructor and prototype are plain data in configs and dumps: they become chains and
// groups like any other name, and nothing in the process changes Object.prototype.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditSource } from "../../src/audit/index.js";
import type { Chain, FirewallModel } from "../../src/model/firewall.js";
import { SourceFile } from "../../src/model/source.js";
import { parseSource } from "../../src/formats/index.js";

const KEYS = ["__proto__", "constructor", "prototype", "hasOwnProperty", "toString", "valueOf"] as const;

const bootConfig = `firewall {
    group {
        address-group __proto__ {
            address 192.0.2.1
        }
        network-group constructor {
            network 198.51.100.0/24
        }
    }
    name __proto__ {
        default-action drop
        description "__proto__"
        rule 10 {
            action accept
            destination {
                port 500
            }
            protocol udp
            source {
                group {
                    address-group __proto__
                }
            }
        }
    }
    name constructor {
        default-action accept
        rule 20 {
            action drop
            protocol esp
            source {
                group {
                    network-group constructor
                }
            }
        }
    }
    name prototype {
        default-action reject
    }
    name hasOwnProperty {
        default-action drop
    }
    name toString {
        default-action drop
    }
    name valueOf {
        default-action drop
    }
}
interfaces {
    ethernet eth0 {
        address 203.0.113.2/24
        description __proto__
        firewall {
            in {
                name constructor
            }
            local {
                name __proto__
            }
        }
    }
}
`;

const setCommands = `set firewall group address-group __proto__ address 192.0.2.1
set firewall group network-group constructor network 198.51.100.0/24
set firewall name __proto__ default-action drop
set firewall name __proto__ rule 10 action accept
set firewall name __proto__ rule 10 destination port 500
set firewall name __proto__ rule 10 protocol udp
set firewall name __proto__ rule 10 source group address-group __proto__
set firewall name constructor default-action accept
set firewall name constructor rule 20 action drop
set firewall name constructor rule 20 protocol esp
set firewall name prototype default-action reject
set firewall name hasOwnProperty default-action drop
set firewall name toString default-action drop
set firewall name valueOf default-action drop
set interfaces ethernet eth0 address 203.0.113.2/24
set interfaces ethernet eth0 description __proto__
set interfaces ethernet eth0 firewall in name constructor
set interfaces ethernet eth0 firewall local name __proto__
`;

/** Unknown nodes named like Object.prototype members, at the top and deep inside: ignored or reported, never merged. */
const unknownKeys = `set __proto__ polluted yes
set constructor prototype polluted yes
set firewall name X rule 10 __proto__ polluted
set firewall name X rule 10 constructor prototype polluted
set firewall name X default-action drop
`;

const iptablesDump = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
${KEYS.map((key) => `:${key} - [0:0]`).join("\n")}
-A INPUT -j __proto__
-A INPUT -j constructor
-A __proto__ -p udp -m udp --dport 500 -j ACCEPT
-A constructor -p esp -j ACCEPT
-A prototype -j RETURN
COMMIT
`;

function snapshot(): [string, PropertyDescriptor | undefined][] {
  return Object.getOwnPropertyNames(Object.prototype).map((key) => [key, Object.getOwnPropertyDescriptor(Object.prototype, key)]);
}

function filterChains(model: FirewallModel): Map<string, Chain> {
  const table = model.rulesets[0]?.tables.get("filter");
  return table?.chains ?? new Map();
}

const realRules = (chain: Chain | undefined) => (chain?.rules ?? []).filter((rule) => !rule.synthesized);

describe("hostile input: prototype member names are plain data", () => {
  let before: ReturnType<typeof snapshot>;
  beforeEach(() => {
    before = snapshot();
  });
  afterEach(() => {
    // Whatever a test found, leave no pollution behind for the next one in this process.
    for (const key of Object.getOwnPropertyNames(Object.prototype)) {
      if (!before.some(([k]) => k === key)) delete (Object.prototype as Record<string, unknown>)[key];
    }
  });

  const expectUntouched = (): void => {
    expect(snapshot()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  };

  for (const [name, text, path] of [
    ["config.boot", bootConfig, "proto.boot"],
    ["set commands", setCommands, "proto.set"],
  ] as const) {
    it(`reads rule-sets named after Object.prototype members from ${name}`, () => {
      const model = parseSource(new SourceFile(path, text), "vyatta");
      expectUntouched();
      expect(model.diagnostics.map((d) => d.message)).toEqual([]);
      const chains = filterChains(model);
      for (const key of KEYS) expect(chains.has(key), `chain ${key}`).toBe(true);
      expect(chains.get("__proto__")!.policy?.verdict).toBe("drop");
      expect(chains.get("constructor")!.policy?.verdict).toBe("accept");
      expect(chains.get("prototype")!.policy?.verdict).toBe("reject");
      expect(realRules(chains.get("__proto__")).map((rule) => rule.target.kind === "verdict" && rule.target.verdict)).toEqual(["accept"]);
      expect(realRules(chains.get("constructor")).map((rule) => rule.target.kind === "verdict" && rule.target.verdict)).toEqual(["drop"]);
      expect(chains.get("__proto__")!.origin?.attached).toBe(true);
      expect(chains.get("constructor")!.origin?.attached).toBe(true);
      expect(chains.get("prototype")!.origin?.attached).toBe(false);
      // The group named __proto__ resolved to its one address, not to an empty or inherited object.
      const source = realRules(chains.get("__proto__"))[0]!.matches.find((m) => m.kind === "address" && m.direction === "src");
      expect(source && source.kind === "address" ? source.values : undefined).toEqual([[0xc0000201n, 0xc0000201n]]);
      expect(model.host.interfaces.map((i) => i.name)).toEqual(["eth0"]);
    });
  }

  it("ignores or reports unknown nodes named after Object.prototype members", () => {
    const report = auditSource(new SourceFile("unknown.set", unknownKeys), { inputFormat: "vyatta" });
    expectUntouched();
    expect(report.findings.every((finding) => finding.location.startLine >= 1 && finding.location.startLine <= 5)).toBe(true);
    const model = parseSource(new SourceFile("unknown.set", unknownKeys), "vyatta");
    expect(filterChains(model).get("X")?.policy?.verdict).toBe("drop");
    expectUntouched();
  });

  it("reads iptables chains named after Object.prototype members", () => {
    const model = parseSource(new SourceFile("proto.rules", iptablesDump), "iptables");
    expectUntouched();
    expect(model.diagnostics.map((d) => d.message)).toEqual([]);
    const chains = filterChains(model);
    for (const key of KEYS) expect(chains.get(key)?.builtin, `chain ${key}`).toBe(false);
    expect(realRules(chains.get("__proto__")).map((rule) => rule.target.kind)).toEqual(["verdict"]);
    expect(realRules(chains.get("INPUT")).map((rule) => (rule.target.kind === "jump" ? rule.target.chain : rule.target.kind))).toEqual(["__proto__", "constructor"]);
    const report = auditSource(new SourceFile("proto.rules", iptablesDump));
    expectUntouched();
    expect(report.findings.filter((finding) => finding.ruleId === "VPN000")).toEqual([]);
  });
});
