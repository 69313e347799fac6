// Name tables shipped with vpnlint (never read from the host): services, IP protocols, ICMP and ICMPv6 types.

/** Service names as /etc/services (netbase) spells them, with their port; iptables resolves them for -p tcp/udp/... */
export const SERVICES: ReadonlyMap<string, number> = new Map([
  ["tcpmux", 1], ["echo", 7], ["discard", 9], ["systat", 11], ["daytime", 13], ["netstat", 15], ["qotd", 17],
  ["chargen", 19], ["ftp-data", 20], ["ftp", 21], ["ssh", 22], ["telnet", 23], ["smtp", 25], ["time", 37],
  ["whois", 43], ["tacacs", 49], ["domain", 53], ["gopher", 70], ["finger", 79], ["http", 80], ["www", 80],
  ["kerberos", 88], ["iso-tsap", 102], ["acr-nema", 104], ["pop3", 110], ["sunrpc", 111], ["auth", 113],
  ["nntp", 119], ["ntp", 123], ["epmap", 135], ["netbios-ns", 137], ["netbios-dgm", 138], ["netbios-ssn", 139],
  ["imap2", 143], ["imap", 143], ["snmp", 161], ["snmp-trap", 162], ["cmip-man", 163], ["cmip-agent", 164],
  ["mailq", 174], ["xdmcp", 177], ["bgp", 179], ["smux", 199], ["qmtp", 209], ["z3950", 210], ["ipx", 213],
  ["ptp-event", 319], ["ptp-general", 320], ["pawserv", 345], ["zserv", 346], ["rpc2portmap", 369],
  ["codaauth2", 370], ["clearcase", 371], ["ldap", 389], ["svrloc", 427], ["https", 443], ["snpp", 444],
  ["microsoft-ds", 445], ["kpasswd", 464], ["submissions", 465], ["saft", 487], ["isakmp", 500], ["rtsp", 554],
  ["nqs", 607], ["asf-rmcp", 623], ["qmqp", 628], ["ipp", 631], ["ldp", 646], ["exec", 512], ["biff", 512],
  ["login", 513], ["who", 513], ["shell", 514], ["syslog", 514], ["printer", 515], ["talk", 517], ["ntalk", 518],
  ["route", 520], ["gdomap", 538], ["uucp", 540], ["klogin", 543], ["kshell", 544], ["dhcpv6-client", 546],
  ["dhcpv6-server", 547], ["afpovertcp", 548], ["nntps", 563], ["submission", 587], ["ldaps", 636],
  ["tinc", 655], ["silc", 706], ["kerberos-adm", 749], ["domain-s", 853], ["rsync", 873], ["ftps-data", 989],
  ["ftps", 990], ["telnets", 992], ["imaps", 993], ["pop3s", 995], ["socks", 1080], ["proofd", 1093],
  ["rootd", 1094], ["openvpn", 1194], ["rmiregistry", 1099], ["lotusnote", 1352], ["ms-sql-s", 1433],
  ["ms-sql-m", 1434], ["ingreslock", 1524], ["datametrics", 1645], ["sa-msg-port", 1646], ["kermit", 1649],
  ["groupwise", 1677], ["l2f", 1701], ["l2tp", 1701], ["radius", 1812], ["radius-acct", 1813], ["pptp", 1723],
  ["cisco-sccp", 2000], ["nfs", 2049], ["gnunet", 2086], ["rtcm-sc104", 2101], ["gsigatekeeper", 2119],
  ["gris", 2135], ["cvspserver", 2401], ["venus", 2430], ["venus-se", 2431], ["codasrv", 2432],
  ["codasrv-se", 2433], ["mon", 2583], ["dict", 2628], ["f5-globalsite", 2792], ["gsiftp", 2811],
  ["gpsd", 2947], ["gds-db", 3050], ["icpv2", 3130], ["isns", 3205], ["iscsi-target", 3260], ["mysql", 3306],
  ["ms-wbt-server", 3389], ["nut", 3493], ["distcc", 3632], ["daap", 3689], ["svn", 3690], ["suucp", 4031],
  ["sysrqd", 4094], ["sieve", 4190], ["epmd", 4369], ["remctl", 4373], ["f5-iquery", 4353],
  ["ipsec-nat-t", 4500], ["iax", 4569], ["mtn", 4691], ["radmin-port", 4899], ["sip", 5060], ["sip-tls", 5061],
  ["xmpp-client", 5222], ["xmpp-server", 5269], ["cfengine", 5308], ["mdns", 5353], ["postgresql", 5432],
  ["freeciv", 5556], ["amqps", 5671], ["amqp", 5672], ["ggz", 5688], ["x11", 6000], ["x11-1", 6001],
  ["x11-2", 6002], ["x11-3", 6003], ["x11-4", 6004], ["x11-5", 6005], ["x11-6", 6006], ["x11-7", 6007],
  ["gnutella-svc", 6346], ["gnutella-rtr", 6347], ["redis", 6379], ["sge-qmaster", 6444], ["sge-execd", 6445],
  ["mysql-proxy", 6446], ["babel", 6696], ["ircs-u", 6697], ["bbs", 7000], ["afs3-fileserver", 7000],
  ["afs3-callback", 7001], ["afs3-prserver", 7002], ["afs3-vlserver", 7003], ["afs3-kaserver", 7004],
  ["afs3-volser", 7005], ["afs3-bos", 7007], ["afs3-update", 7008], ["afs3-rmtsys", 7009], ["font-service", 7100],
  ["http-alt", 8080], ["puppet", 8140], ["bacula-dir", 9101], ["bacula-fd", 9102], ["bacula-sd", 9103],
  ["xmms2", 9667], ["nbd", 10809], ["zabbix-agent", 10050], ["zabbix-trapper", 10051], ["amanda", 10080],
  ["dicom", 11112], ["hkp", 11371], ["db-lsp", 17500], ["dcap", 22125], ["gsidcap", 22128], ["wnn6", 22273],
]);

/** IP protocol names (/etc/protocols of netbase plus iptables' own aliases), lower case. */
export const PROTOCOLS: ReadonlyMap<string, number> = new Map([
  ["ip", 0], ["all", 0], ["hopopt", 0], ["icmp", 1], ["igmp", 2], ["ggp", 3], ["ipencap", 4], ["st", 5],
  ["tcp", 6], ["egp", 8], ["igp", 9], ["pup", 12], ["udp", 17], ["hmp", 20], ["xns-idp", 22], ["rdp", 27],
  ["iso-tp4", 29], ["dccp", 33], ["xtp", 36], ["ddp", 37], ["idpr-cmtp", 38], ["ipv6", 41], ["ipv6-route", 43],
  ["ipv6-frag", 44], ["idrp", 45], ["rsvp", 46], ["gre", 47], ["esp", 50], ["ah", 51], ["skip", 57],
  ["ipv6-icmp", 58], ["icmpv6", 58], ["ipv6-nonxt", 59], ["ipv6-opts", 60], ["rspf", 73], ["vmtp", 81],
  ["eigrp", 88], ["ospf", 89], ["ax.25", 93], ["ipip", 94], ["etherip", 97], ["encap", 98], ["pim", 103],
  ["ipcomp", 108], ["vrrp", 112], ["l2tp", 115], ["isis", 124], ["sctp", 132], ["fc", 133],
  ["mobility-header", 135], ["mh", 135], ["udplite", 136], ["mpls-in-ip", 137], ["manet", 138], ["hip", 139],
  ["shim6", 140], ["wesp", 141], ["rohc", 142], ["ethernet", 143],
]);

/** The canonical name of a protocol number, for the implicit match `-p 6` loads (`tcp`). */
export const PROTOCOL_MATCH_NAMES: ReadonlyMap<number, string> = new Map([
  [6, "tcp"], [17, "udp"], [136, "udplite"], [1, "icmp"], [58, "icmp6"], [132, "sctp"], [33, "dccp"],
  [50, "esp"], [51, "ah"], [108, "ipcomp"], [135, "mh"],
]);

/** Protocols whose packets carry ports (iptables: tcp, udp, udplite, sctp, dccp). */
export const PORT_PROTOCOLS: readonly number[] = [6, 17, 136, 132, 33];

/** An ICMP type name: type, and the code range it covers. */
export interface IcmpName {
  readonly name: string;
  readonly type: number;
  readonly codeMin: number;
  readonly codeMax: number;
}

function icmp(name: string, type: number, codeMin = 0, codeMax = 0xff): IcmpName {
  return { name, type, codeMin, codeMax };
}

function code(name: string, type: number, value: number): IcmpName {
  return { name, type, codeMin: value, codeMax: value };
}

/** iptables' ICMP names (`iptables -p icmp -h`), in its order: prefixes resolve to the first unambiguous entry. */
export const ICMP_TYPES: readonly IcmpName[] = [
  icmp("any", 0xff, 0, 0xff), icmp("echo-reply", 0), icmp("destination-unreachable", 3),
  code("network-unreachable", 3, 0), code("host-unreachable", 3, 1), code("protocol-unreachable", 3, 2),
  code("port-unreachable", 3, 3), code("fragmentation-needed", 3, 4), code("source-route-failed", 3, 5),
  code("network-unknown", 3, 6), code("host-unknown", 3, 7), code("network-prohibited", 3, 9),
  code("host-prohibited", 3, 10), code("TOS-network-unreachable", 3, 11), code("TOS-host-unreachable", 3, 12),
  code("communication-prohibited", 3, 13), code("host-precedence-violation", 3, 14),
  code("precedence-cutoff", 3, 15), icmp("source-quench", 4), icmp("redirect", 5),
  code("network-redirect", 5, 0), code("host-redirect", 5, 1), code("TOS-network-redirect", 5, 2),
  code("TOS-host-redirect", 5, 3), icmp("echo-request", 8), icmp("router-advertisement", 9),
  icmp("router-solicitation", 10), icmp("time-exceeded", 11), code("ttl-zero-during-transit", 11, 0),
  code("ttl-zero-during-reassembly", 11, 1), icmp("parameter-problem", 12), code("ip-header-bad", 12, 0),
  code("required-option-missing", 12, 1), icmp("timestamp-request", 13), icmp("timestamp-reply", 14),
  icmp("address-mask-request", 17), icmp("address-mask-reply", 18),
];

/** ip6tables' ICMPv6 names. */
export const ICMP6_TYPES: readonly IcmpName[] = [
  icmp("destination-unreachable", 1), code("no-route", 1, 0), code("communication-prohibited", 1, 1),
  code("beyond-scope", 1, 2), code("address-unreachable", 1, 3), code("port-unreachable", 1, 4),
  code("failed-policy", 1, 5), code("reject-route", 1, 6), icmp("packet-too-big", 2), icmp("time-exceeded", 3),
  code("ttl-zero-during-transit", 3, 0), code("ttl-zero-during-reassembly", 3, 1), icmp("parameter-problem", 4),
  code("bad-header", 4, 0), code("unknown-header-type", 4, 1), code("unknown-option", 4, 2),
  icmp("echo-request", 128), icmp("echo-reply", 129), icmp("mld-listener-query", 130),
  icmp("mld-listener-report", 131), icmp("mld-listener-done", 132), icmp("router-solicitation", 133),
  icmp("router-advertisement", 134), icmp("neighbour-solicitation", 135), icmp("neighbor-solicitation", 135),
  icmp("neighbour-advertisement", 136), icmp("neighbor-advertisement", 136), icmp("redirect", 137),
];
