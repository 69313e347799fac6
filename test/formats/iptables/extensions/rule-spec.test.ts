// The rule-spec parser: generic options as iptables' getopt reads them, and the exact model of every modelled match and target.

import { describe, expect, it } from "vitest";
import type { AddressMatch, AnyOfMatch, FieldMatch, Match, OpaqueMatch } from "../../../../src/model/firewall.js";
import { accepted, errorOf, spec } from "./helpers.js";

function fields(text: string, where = {}): Match[] {
  const result = spec(text, where);
  expect(result.errors).toEqual([]);
  return result.matches;
}

function only<T extends Match>(text: string, kind: T["kind"], where = {}): T {
  const found = fields(text, where).filter((m) => m.kind === kind);
  expect(found).toHaveLength(1);
  return found[0] as T;
}

function field(text: string, name: FieldMatch["field"], where = {}): FieldMatch {
  const found = fields(text, where).filter((m): m is FieldMatch => m.kind === "field" && m.field === name);
  expect(found).toHaveLength(1);
  return found[0]!;
}

function covered(text: string, match: Match): string {
  return text.slice(match.range!.start, match.range!.end);
}

describe("generic options", () => {
  it("maps -p names and numbers to the protocol field, with negation", () => {
    expect(field("-p tcp", "proto")).toMatchObject({ values: [[6, 6]], negated: false });
    expect(field("! -p udp", "proto")).toMatchObject({ values: [[17, 17]], negated: true });
    expect(field("-p esp", "proto").values).toEqual([[50, 50]]);
    expect(field("-p AH", "proto").values).toEqual([[51, 51]]);
    expect(field("-p 47", "proto").values).toEqual([[47, 47]]);
    expect(fields("-p all")).toEqual([]);
    expect(fields("-p 0")).toEqual([]);
    const text = "! -p udp -j ACCEPT";
    expect(covered(text, field(text, "proto"))).toBe("! -p udp");
  });

  it("refuses protocols iptables refuses", () => {
    expect(errorOf("! -p 0")).toMatchObject({ at: "! -p 0" });
    expect(errorOf("-p foo")).toEqual({ message: 'unknown protocol "foo"', at: "foo" });
    expect(errorOf("-p 256").at).toBe("256");
    expect(errorOf("-p tcp -p udp")).toEqual({ message: "multiple -p flags not allowed", at: "-p udp" });
  });

  it("reads long options, abbreviations and attached values as getopt_long does", () => {
    for (const text of ["--protocol=tcp", "--protocol tcp", "--pro tcp", "-ptcp"]) expect(field(text, "proto").values).toEqual([[6, 6]]);
    expect(accepted("-p tcp -m tcp --dp 22")).toBe(true);
    expect(accepted("-p tcp -m multiport --dport 22")).toBe(true);
    expect(errorOf("-p tcp --d 22").message).toMatch(/^ambiguous option "--d"/);
    expect(accepted("-fp tcp")).toBe(true);
  });

  it("maps -s/-d to address intervals, masked, with lists as unions", () => {
    const m = only<AddressMatch>("-s 10.11.12.13/8", "address");
    expect(m).toMatchObject({ direction: "src", family: "ipv4", negated: false, values: [[0x0a000000n, 0x0affffffn]] });
    expect(only<AddressMatch>("-d 192.0.2.1,198.51.100.0/24", "address").values).toEqual([
      [0xc0000201n, 0xc0000201n],
      [0xc6336400n, 0xc63364ffn],
    ]);
    expect(only<AddressMatch>("! -s 203.0.113.5", "address")).toMatchObject({ negated: true, values: [[0xcb007105n, 0xcb007105n]] });
    expect(only<AddressMatch>("-s 10.0.0.0/255.255.0.0", "address").values).toEqual([[0x0a000000n, 0x0a00ffffn]]);
    expect(fields("-s 0.0.0.0/0")).toEqual([]);
    expect(only("-s 10.0.12.0/255.0.255.0", "opaque")).toMatchObject({ module: "address" });
    expect(only<AddressMatch>("-s 2001:db8::/32", "address", { family: "ipv6" }).values).toEqual([
      [0x20010db8n << 96n, (0x20010db8n << 96n) | ((1n << 96n) - 1n)],
    ]);
  });

  it("refuses host names, bad masks and negated lists", () => {
    expect(errorOf("-s vpn.example.com")).toEqual({
      message: '"vpn.example.com" is a host name; vpnlint does not resolve names, write the address',
      at: "vpn.example.com",
    });
    expect(errorOf("-s 1.2.3.4/33").message).toBe('invalid mask "33" in -s 1.2.3.4/33');
    expect(errorOf("! -s 1.2.3.4,5.6.7.8").at).toBe("! -s 1.2.3.4,5.6.7.8");
  });

  it("maps -i/-o, and refuses them in chains without that interface", () => {
    expect(only("-i eth+", "interface")).toMatchObject({ direction: "in", name: "eth+", negated: false });
    expect(only("! -o ppp0", "interface", { chain: "FORWARD" })).toMatchObject({ direction: "out", name: "ppp0", negated: true });
    expect(fields("-i +")).toEqual([]);
    expect(errorOf("-o eth0", { chain: "INPUT" })).toEqual({ message: "-o cannot be used in INPUT (no output interface yet)", at: "-o eth0" });
    expect(errorOf("-i eth0", { chain: "OUTPUT" }).at).toBe("-i eth0");
    expect(accepted("-o eth0", { chain: "USER" })).toBe(true);
    expect(errorOf("-i thisinterfaceistoolong0").at).toBe("thisinterfaceistoolong0");
  });

  it("maps -f to the fragment field", () => {
    expect(field("! -f", "fragment")).toMatchObject({ values: [[1, 1]], negated: true });
    expect(errorOf("-f", { family: "ipv6" }).message).toBe('unknown option "-f"');
  });

  it("handles ! as iptables does", () => {
    expect(errorOf("! ! -p tcp").at).toBe("!");
    expect(errorOf("-p tcp !").message).toBe('"!" is not followed by an option');
    expect(errorOf("! -m tcp").message).toMatch(/cannot come before -m/);
    expect(errorOf("-p tcp --dport ! 22").at).toBe("--dport !");
    expect(errorOf("-s ! 1.2.3.4").at).toBe("!");
  });

  it("skips rules marked for the other family", () => {
    expect(spec("-6 -p tcp --bogus").skipped).toBe(true);
    expect(spec("-4 -p tcp", { family: "ipv6" }).skipped).toBe(true);
    expect(spec("-4 -p tcp").skipped).toBeUndefined();
  });
});

describe("diagnostics", () => {
  it("names unknown options, modules and targets on the offending word", () => {
    expect(errorOf("-p tcp --dportx 22")).toEqual({ message: 'unknown option "--dportx"', at: "--dportx" });
    expect(errorOf("--dport 22")).toEqual({ message: "--dport needs -p tcp, udp, udplite, sctp or dccp before it", at: "--dport" });
    expect(errorOf("-m foo")).toEqual({ message: 'unknown match module "foo"', at: "foo" });
    expect(errorOf("-j NOWHERE")).toEqual({ message: 'unknown target or chain "NOWHERE"', at: "NOWHERE" });
    expect(errorOf("-j accept").message).toBe('unknown target or chain "accept" (did you mean ACCEPT?)');
    expect(errorOf("-m state wrong").at).toBe("wrong");
    expect(errorOf("-m tcp --dport 1")).toEqual({ message: "-m tcp needs -p tcp", at: "-m tcp" });
    expect(errorOf("-m conntrack").message).toMatch(/^-m conntrack needs --ctstate or/);
    expect(errorOf("-m comment --comment a --comment b").at).toBe("--comment b");
    expect(errorOf("-m icmp --icmp-type 8", { family: "ipv6" }).message).toBe('match module "icmp" is not available for IPv6 (ip6tables)');
  });
});

describe("port matches", () => {
  it("maps --sport/--dport to intervals, with service names from the shipped table", () => {
    expect(field("-p udp --dport isakmp", "dport").values).toEqual([[500, 500]]);
    expect(field("-p udp -m udp --dport ipsec-nat-t", "dport").values).toEqual([[4500, 4500]]);
    expect(field("-p udp --dport l2tp", "dport").values).toEqual([[1701, 1701]]);
    expect(field("-p tcp --dport pptp", "dport").values).toEqual([[1723, 1723]]);
    expect(field("-p tcp --sport 1024:", "sport").values).toEqual([[1024, 65535]]);
    expect(field("-p tcp --dport :1023", "dport").values).toEqual([[0, 1023]]);
    const text = "-p udp ! --dport 500:4500";
    const m = field(text, "dport");
    expect(m).toMatchObject({ values: [[500, 4500]], negated: true });
    expect(covered(text, m)).toBe("! --dport 500:4500");
    expect(field("-p sctp --dport 80", "dport").values).toEqual([[80, 80]]);
    expect(errorOf("-p tcp --dport 4:3").at).toBe("--dport 4:3");
    expect(errorOf("-p tcp --sport 22 --source-port 23").message).toMatch(/only be given once/);
  });

  it("looks service names up per protocol as iptables does (tcp by name, udp through getaddrinfo)", () => {
    expect(errorOf("-p tcp --dport isakmp").message).toMatch(/invalid port or service "isakmp"/);
    expect(field("-p udp --dport ssh", "dport").values).toEqual([[22, 22]]);
    expect(errorOf("-p tcp -m multiport --dports isakmp,ssh").at).toBe("--dports isakmp,ssh");
    expect(field("-p udp -m multiport --dports isakmp,ipsec-nat-t", "dport").values).toEqual([[500, 500], [4500, 4500]]);
    expect(errorOf("-p tcp --dport HTTP").at).toBe("--dport HTTP");
  });

  it("maps --syn and --tcp-flags to the set of flag bytes", () => {
    const syn = field("-p tcp --syn", "tcpFlags");
    expect(syn.values).toContainEqual([2, 2]);
    expect(syn.values.some(([lo, hi]) => lo <= 0x12 && 0x12 <= hi)).toBe(false);
    expect(field("-p tcp --tcp-flags ALL NONE", "tcpFlags").values).toEqual([[0, 0], [64, 64], [128, 128], [192, 192]]);
    expect(field("-p tcp ! --tcp-flags SYN,ACK SYN", "tcpFlags").negated).toBe(true);
    expect(errorOf("-p tcp --tcp-flags SYN").message).toMatch(/needs two values/);
  });

  it("maps multiport: --dports to one field, --ports to source OR destination", () => {
    expect(field("-p udp -m multiport --dports 500,4500,1701", "dport").values).toEqual([[500, 500], [1701, 1701], [4500, 4500]]);
    const either = only<AnyOfMatch>("-p udp -m multiport ! --ports 500,4500", "anyOf");
    expect(either.negated).toBe(true);
    expect(either.alternatives).toEqual([
      { kind: "field", field: "sport", values: [[500, 500], [4500, 4500]], negated: false },
      { kind: "field", field: "dport", values: [[500, 500], [4500, 4500]], negated: false },
    ]);
    expect(errorOf("-m multiport --dports 1").message).toBe("-m multiport needs -p tcp, udp, udplite, sctp or dccp");
    expect(errorOf("-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16").message).toMatch(/too many ports/);
  });
});

describe("icmp", () => {
  it("knows iptables' aliases", () => {
    expect(field("-p icmp --icmp-type ping", "icmpType").values).toEqual([[2048, 2303]]);
    expect(field("-p icmp --icmp-type pong", "icmpType").values).toEqual([[0, 255]]);
  });

  it("maps types and codes to type*256+code", () => {
    expect(field("-p icmp --icmp-type echo-request", "icmpType").values).toEqual([[2048, 2303]]);
    expect(field("-p icmp -m icmp --icmp-type port-unreachable", "icmpType").values).toEqual([[771, 771]]);
    expect(field("-p icmp --icmp-type 3/1:3", "icmpType").values).toEqual([[769, 771]]);
    expect(field("-p icmp --icmp-type any", "icmpType").values).toEqual([[0, 65535]]);
    expect(field("-p ipv6-icmp --icmpv6-type echo-request", "icmpType", { family: "ipv6" }).values).toEqual([[32768, 33023]]);
    expect(errorOf("-p icmp --icmp-type echo").message).toMatch(/ambiguous ICMP type "echo"/);
  });
});

describe("conntrack", () => {
  it("maps --state and --ctstate to the ctState field", () => {
    expect(field("-m state --state ESTABLISHED,RELATED", "ctState").values).toEqual([[2, 2], [3, 3]]);
    expect(field("-m conntrack ! --ctstate INVALID,UNTRACKED", "ctState")).toMatchObject({ values: [[0, 0], [4, 4]], negated: true });
    expect(only("-m conntrack --ctstate DNAT", "opaque")).toMatchObject({ module: "conntrack", text: "--ctstate DNAT" });
    const both = fields("-m conntrack --ctstate NEW --ctorigdst 192.0.2.1");
    expect(both.map((m) => m.kind)).toEqual(["field", "opaque"]);
  });
});

describe("policy", () => {
  it("maps --dir/--pol/--proto/--mode onto ipsecIn and ipsecOut", () => {
    expect(field("-m policy --dir in --pol ipsec", "ipsecIn").values).toEqual([[1, 6]]);
    expect(field("-m policy --dir in --pol none", "ipsecIn").values).toEqual([[0, 0]]);
    expect(field("-m policy --dir out --pol ipsec --proto esp", "ipsecOut", { chain: "OUTPUT" }).values).toEqual([[1, 2]]);
    expect(field("-m policy --dir in --pol ipsec --proto esp --mode tunnel", "ipsecIn").values).toEqual([[2, 2]]);
    expect(field("-m policy --dir in --pol ipsec ! --proto esp", "ipsecIn").values).toEqual([[3, 6]]);
    expect(field("-m policy --dir in --mode transport", "ipsecIn").values).toEqual([[1, 1], [3, 3], [5, 5]]);
  });

  it("keeps the exact field and adds an opaque match for SA details", () => {
    const matches = fields("-m policy --dir in --pol ipsec --reqid 7 --proto esp");
    expect(matches).toHaveLength(2);
    expect(matches[0]).toMatchObject({ kind: "field", field: "ipsecIn", values: [[1, 2]] });
    expect(matches[1]).toMatchObject({ kind: "opaque", module: "policy", text: "--reqid 7" });
  });

  it("refuses what iptables and the kernel refuse", () => {
    expect(errorOf("-m policy --dir out --pol ipsec", { chain: "INPUT" }).message).toMatch(/--dir out cannot be used in INPUT/);
    expect(errorOf("-m policy --dir in --pol none --strict --proto esp").message).toMatch(/--pol none/);
    expect(errorOf("-m policy --dir in --pol ipsec --proto esp --next --proto ah").message).toBe("-m policy: --next needs --strict");
    expect(errorOf("-m policy --pol ipsec").message).toBe("-m policy needs --dir");
    expect(errorOf("-m policy --dir in --pol ipsec --strict").message).toMatch(/--strict needs/);
    expect(accepted("-m policy -i eth0 --dir in --pol ipsec --proto esp")).toBe(true);
  });
});

describe("other modelled matches", () => {
  it("maps mark, iprange and comment", () => {
    expect(only("-m mark --mark 0x10/0xf0", "mark")).toMatchObject({ value: 0x10, mask: 0xf0, negated: false });
    expect(only("-m mark ! --mark 1", "mark")).toMatchObject({ value: 1, mask: 0xffffffff, negated: true });
    expect(only<AddressMatch>("-m iprange --dst-range 192.0.2.10-192.0.2.20", "address")).toMatchObject({
      direction: "dst",
      values: [[0xc000020an, 0xc0000214n]],
    });
    const commented = spec('-p udp -m comment --comment "IKE from peers" --dport 500');
    expect(commented.comment).toBe("IKE from peers");
    expect(commented.matches.map((m) => m.kind)).toEqual(["field", "field"]);
  });

  it("refuses what the kernel refuses in unmodelled modules", () => {
    expect(errorOf("-m limit --limit 1/hour --limit-burst 120").message).toMatch(/overflows the kernel's credit counter/);
    expect(accepted("-m limit --limit 1/hour --limit-burst 119")).toBe(true);
    expect(errorOf("-m limit --limit 10001/s").message).toMatch(/too fast/);
    expect(errorOf("-m ttl ! --ttl-lt 3").message).toMatch(/cannot be negated/);
    expect(accepted('-m u32 --u32 "6 & 0xFF = 1 && 4 & 0x3FFF = 0"')).toBe(true);
    expect(errorOf("-m u32 --u32 garbage").message).toMatch(/is not a u32 test/);
    expect(errorOf("-m time --datestart 2020-13-01").at).toBe("--datestart 2020-13-01");
  });

  it("keeps unmodelled modules as opaque matches with their text", () => {
    expect(only("-m set --match-set vpn-peers src", "opaque")).toMatchObject({ module: "set", text: "--match-set vpn-peers src" });
    expect(only("-m limit --limit 5/min --limit-burst 10", "opaque")).toMatchObject({ module: "limit", text: "--limit 5/min --limit-burst 10" });
    expect(only<OpaqueMatch>("-m recent --update --seconds 60 --hitcount 4 --name ssh", "opaque").module).toBe("recent");
    expect(only<OpaqueMatch>("-p tcp --tcp-option 2", "opaque").text).toBe("--tcp-option 2");
  });
});

describe("targets", () => {
  it("maps verdicts, RETURN, jumps and gotos", () => {
    expect(spec("-j ACCEPT").target).toMatchObject({ kind: "verdict", verdict: "accept" });
    expect(spec("-j DROP").target).toMatchObject({ kind: "verdict", verdict: "drop" });
    expect(spec("-j REJECT --reject-with icmp-host-prohibited").target).toMatchObject({ kind: "verdict", verdict: "reject" });
    expect(spec("-j RETURN").target.kind).toBe("return");
    expect(spec("-j USER").target).toMatchObject({ kind: "jump", chain: "USER" });
    expect(spec("-g USER").target).toMatchObject({ kind: "goto", chain: "USER" });
    expect(spec("-p tcp").target.kind).toBe("none");
    const text = "-p udp -j REJECT --reject-with icmp-port-unreachable";
    const target = spec(text).target;
    expect(text.slice(target.range!.start, target.range!.end)).toBe("-j REJECT --reject-with icmp-port-unreachable");
  });

  it("refuses REJECT and goto where iptables does", () => {
    expect(errorOf("-j REJECT", { table: "nat", chain: "PREROUTING" }).message).toBe("-j REJECT is only valid in the filter table");
    expect(errorOf("-j REJECT --reject-with tcp-reset").message).toBe("-j REJECT: --reject-with tcp-reset needs -p tcp");
    expect(errorOf("-g ACCEPT").message).toBe('-g needs a user-defined chain; "ACCEPT" is not one');
    expect(errorOf("-j INPUT", { chains: ["INPUT", "USER"] })).toEqual({
      message: "cannot jump to the built-in chain INPUT; only user-defined chains can be jumped to",
      at: "INPUT",
    });
    expect(errorOf("-j ACCEPT -j DROP").message).toBe("multiple -j flags not allowed");
  });

  it("maps NAT targets with their address and port ranges", () => {
    const nat = { table: "nat" as const, chain: "PREROUTING" };
    expect(spec("-p udp -j DNAT --to-destination 192.0.2.10-192.0.2.12:500", nat).target).toMatchObject({
      kind: "dnat",
      toAddresses: [0xc000020an, 0xc000020cn],
      toPorts: [500, 500],
    });
    expect(spec("-j SNAT --to-source 203.0.113.1", { table: "nat", chain: "POSTROUTING" }).target).toMatchObject({
      kind: "snat",
      toAddresses: [0xcb007101n, 0xcb007101n],
    });
    expect(spec("-j MASQUERADE", { table: "nat", chain: "POSTROUTING" }).target).toEqual(expect.objectContaining({ kind: "masquerade" }));
    expect(spec("-p tcp -j REDIRECT --to-ports 8080-8081", nat).target).toMatchObject({ kind: "redirect", toPorts: [8080, 8081] });
    expect(errorOf("-j DNAT --to-destination 192.0.2.1", { table: "filter", chain: "INPUT" }).message).toBe("-j DNAT is only valid in the nat table");
    expect(errorOf("-j DNAT --to-destination 192.0.2.1", { table: "nat", chain: "POSTROUTING" }).message).toMatch(/cannot be used in POSTROUTING/);
    expect(errorOf("-j DNAT --to-destination 192.0.2.1:80", nat).message).toMatch(/a port needs -p tcp/);
    expect(accepted("-j DNAT --to-destination 192.0.2.1", { table: "nat", chain: "USER" })).toBe(true);
    expect(spec("-j NETMAP --to 198.51.100.0/24", nat).target).toMatchObject({ kind: "netmap", toAddresses: [0xc6336400n, 0xc63364ffn] });
    expect(spec("-p tcp -j REDIRECT", nat).target).toEqual(expect.objectContaining({ kind: "redirect" }));
    expect(spec("-p tcp -j DNAT --to-destination [2001:db8::1]:8080", { ...nat, family: "ipv6" }).target).toMatchObject({
      kind: "dnat",
      toAddresses: [0x20010db8000000000000000000000001n, 0x20010db8000000000000000000000001n],
      toPorts: [8080, 8080],
    });
    expect(errorOf("-p tcp -j DNAT --to-destination 192.0.2.1:1025-65536", nat).at).toBe("--to-destination 192.0.2.1:1025-65536");
  });

  it("maps MARK operations to clear mask and xor value", () => {
    expect(spec("-j MARK --set-xmark 0x1/0xff").target).toMatchObject({ kind: "mark", clearMask: 0xff, xorValue: 1 });
    expect(spec("-j MARK --set-mark 0x4000").target).toMatchObject({ kind: "mark", clearMask: 0xffffffff, xorValue: 0x4000 });
    expect(spec("-j MARK --or-mark 0x4").target).toMatchObject({ kind: "mark", clearMask: 4, xorValue: 4 });
    expect(spec("-j MARK --and-mark 0xff").target).toMatchObject({ kind: "mark", clearMask: 0xffffff00, xorValue: 0 });
    expect(spec("-j MARK --xor-mark 0x8").target).toMatchObject({ kind: "mark", clearMask: 0, xorValue: 8 });
    expect(errorOf("-j MARK").message).toMatch(/^-j MARK needs --set-xmark or/);
  });

  it("keeps non-terminal and unknown-verdict targets with their options", () => {
    expect(spec('-j LOG --log-prefix "IKE: "').target).toMatchObject({ kind: "continue", name: "LOG", options: '--log-prefix "IKE: "' });
    const mangle = { table: "mangle" as const, chain: "FORWARD" };
    expect(spec("-p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu", mangle).target).toMatchObject({ kind: "continue", name: "TCPMSS" });
    expect(errorOf("-p tcp -j TCPMSS --set-mss 1400", mangle).message).toMatch(/needs a SYN match/);
    expect(spec("-j NFQUEUE --queue-num 3").target).toMatchObject({ kind: "opaque", name: "NFQUEUE", options: "--queue-num 3" });
    expect(spec("-j CT --notrack", { table: "raw", chain: "PREROUTING" }).target).toMatchObject({ kind: "continue", name: "CT" });
  });
});
