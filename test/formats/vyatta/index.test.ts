import { describe, expect, it } from "vitest";
import { detectFormat } from "../../../src/formats/index.js";
import { detectForm, vyattaFormat } from "../../../src/formats/vyatta/index.js";

describe("Vyatta format detection", () => {
  const boot = "firewall {\n    name WAN_LOCAL {\n        default-action drop\n    }\n}\ninterfaces {\n    ethernet eth0 {\n        address dhcp\n    }\n}\n";
  const set = "# exported\nset firewall name WAN_LOCAL default-action 'drop'\nset interfaces ethernet eth0 address 'dhcp'\n";
  const transcript = "edit firewall name protect-vyatta\nset rule 100 action 'accept'\nset rule 100 protocol 'esp'\nexit\n";

  it("scores config.boot and set commands by content", () => {
    expect(vyattaFormat.detect(boot)).toBeGreaterThan(0.8);
    expect(vyattaFormat.detect(set)).toBeGreaterThan(0.8);
    expect(vyattaFormat.detect(transcript)).toBeGreaterThan(0.5);
    expect(vyattaFormat.detect('system {\n}\n// vyos-config-version: "system@20"\n')).toBe(1);
    expect([boot, set, transcript].map(detectForm)).toEqual(["curly", "commands", "commands"]);
  });

  it("does not claim iptables dumps, shell scripts or prose", () => {
    const dump = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p udp --dport 500 -j ACCEPT\nCOMMIT\n";
    const script = "#!/bin/sh\nset -e\niptables -A INPUT -p udp --dport 500 -j ACCEPT\nfunction up() {\n  echo up\n}\n";
    for (const text of [dump, script, "", "hello world\n"]) expect(vyattaFormat.detect(text)).toBe(0);
    expect(detectFormat(dump)).toBe("iptables");
    expect(detectFormat(boot)).toBe("vyatta");
    expect(detectFormat(set)).toBe("vyatta");
  });
});
