// The --packet syntax and address helpers.

import { describe, expect, it } from "vitest";
import { formatAddress, parseAddressRange, rangeToCidrs } from "../../src/engine/addresses.js";
import { parsePacketSpec } from "../../src/engine/index.js";

describe("parsePacketSpec", () => {
  it("reads every key", () => {
    const r = parsePacketSpec("proto=udp src=198.51.100.7 sport=40000 dst=203.0.113.2 dport=500 in=eth0 state=new ipsec=no hook=input");
    expect(r).toEqual({
      ok: true,
      query: { hook: "input", proto: 17, src: "198.51.100.7", sport: 40000, dst: "203.0.113.2", dport: 500, in: "eth0", state: "new", ipsec: false },
    });
  });

  it("defaults to hook=input and accepts ranges and protocol numbers", () => {
    expect(parsePacketSpec("proto=50")).toEqual({ ok: true, query: { hook: "input", proto: 50 } });
    expect(parsePacketSpec("proto=tcp dport=1000:2000 hook=forward out=eth1")).toEqual({ ok: true, query: { hook: "forward", proto: 6, dport: [1000, 2000], out: "eth1" } });
  });

  it.each([
    ["proto=udpx", "unknown protocol"],
    ["port=5", 'unknown key "port"'],
    ["dport=70000", "not a port"],
    ["proto=esp dport=500", "needs a protocol with ports"],
    ["src=300.1.1.1", "not an address"],
    ["hook=prerouting", "hook must be"],
    ["state=open", "state must be"],
    ["ipsec=maybe", "ipsec must be"],
    ["dport", "not key=value"],
    ["dport=1 dport=2", "given twice"],
  ])("rejects %s", (text, message) => {
    const r = parsePacketSpec(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(message);
  });
});

describe("addresses", () => {
  it("parses and prints IPv4 and IPv6", () => {
    expect(parseAddressRange("192.0.2.0/24")).toEqual({ family: "ipv4", range: [0xc0000200n, 0xc00002ffn] });
    expect(formatAddress(parseAddressRange("2001:db8::1")!.range[0], "ipv6")).toBe("2001:db8::1");
    expect(parseAddressRange("2001:db8::/129")).toBeUndefined();
    expect(rangeToCidrs(0xc0000201n, 0xc00002ffn, "ipv4")).toEqual([
      "192.0.2.1", "192.0.2.2/31", "192.0.2.4/30", "192.0.2.8/29", "192.0.2.16/28", "192.0.2.32/27", "192.0.2.64/26", "192.0.2.128/25",
    ]);
  });
});
