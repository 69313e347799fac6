// Name tables shipped with vpnlint (never read from the host): services, IP protocols, ICMP and ICMPv6 types.

/** Protocol bits of a service entry: which `-p` may use the name (getservbyname is per protocol). */
export const SERVICE_TCP = 1;
export const SERVICE_UDP = 2;
export const SERVICE_SCTP = 4;
export const SERVICE_DCCP = 8;
export const SERVICE_ANY = 15;

/**
 * Service names and aliases of netbase 6.4's /etc/services, with port and protocol bits, plus pptp (1723/tcp), which
 * older netbase lists. iptables resolves a name for the rule's protocol only: `-p tcp --dport isakmp` is refused.
 */
const SERVICE_LIST: readonly (readonly [name: string, port: number, protocols: number])[] = [
  ["tcpmux", 1, 1], ["echo", 7, 3], ["discard", 9, 3], ["sink", 9, 3], ["null", 9, 3], ["systat", 11, 1],
  ["users", 11, 1], ["daytime", 13, 3], ["netstat", 15, 1], ["qotd", 17, 1], ["quote", 17, 1], ["chargen", 19, 3],
  ["ttytst", 19, 3], ["source", 19, 3], ["ftp-data", 20, 1], ["ftp", 21, 1], ["fsp", 21, 2], ["fspd", 21, 2],
  ["ssh", 22, 1], ["telnet", 23, 1], ["smtp", 25, 1], ["mail", 25, 1], ["time", 37, 3], ["timserver", 37, 3],
  ["whois", 43, 1], ["nicname", 43, 1], ["tacacs", 49, 3], ["domain", 53, 3], ["bootps", 67, 2], ["bootpc", 68, 2],
  ["tftp", 69, 2], ["gopher", 70, 1], ["finger", 79, 1], ["http", 80, 1], ["www", 80, 1], ["kerberos", 88, 3],
  ["kerberos5", 88, 3], ["krb5", 88, 3], ["kerberos-sec", 88, 3], ["iso-tsap", 102, 1], ["tsap", 102, 1],
  ["acr-nema", 104, 1], ["dicom", 104, 1], ["pop3", 110, 1], ["pop-3", 110, 1], ["sunrpc", 111, 3],
  ["portmapper", 111, 3], ["auth", 113, 1], ["authentication", 113, 1], ["tap", 113, 1], ["ident", 113, 1],
  ["nntp", 119, 1], ["readnews", 119, 1], ["untp", 119, 1], ["ntp", 123, 2], ["epmap", 135, 1], ["loc-srv", 135, 1],
  ["netbios-ns", 137, 2], ["netbios-dgm", 138, 2], ["netbios-ssn", 139, 1], ["imap2", 143, 1], ["imap", 143, 1],
  ["snmp", 161, 3], ["snmp-trap", 162, 3], ["snmptrap", 162, 3], ["cmip-man", 163, 3], ["cmip-agent", 164, 3],
  ["mailq", 174, 1], ["xdmcp", 177, 2], ["bgp", 179, 1], ["smux", 199, 1], ["qmtp", 209, 1], ["z3950", 210, 1],
  ["wais", 210, 1], ["ipx", 213, 2], ["ptp-event", 319, 2], ["ptp-general", 320, 2], ["pawserv", 345, 1],
  ["zserv", 346, 1], ["rpc2portmap", 369, 3], ["codaauth2", 370, 3], ["clearcase", 371, 2], ["Clearcase", 371, 2],
  ["ldap", 389, 3], ["svrloc", 427, 3], ["https", 443, 3], ["snpp", 444, 1], ["microsoft-ds", 445, 1],
  ["kpasswd", 464, 3], ["submissions", 465, 1], ["ssmtp", 465, 1], ["smtps", 465, 1], ["urd", 465, 1],
  ["saft", 487, 1], ["isakmp", 500, 2], ["rtsp", 554, 3], ["nqs", 607, 1], ["asf-rmcp", 623, 2], ["qmqp", 628, 1],
  ["ipp", 631, 1], ["ldp", 646, 3], ["exec", 512, 1], ["biff", 512, 2], ["comsat", 512, 2], ["login", 513, 1],
  ["who", 513, 2], ["whod", 513, 2], ["shell", 514, 1], ["cmd", 514, 1], ["syslog", 514, 3], ["printer", 515, 1],
  ["spooler", 515, 1], ["talk", 517, 2], ["ntalk", 518, 2], ["route", 520, 2], ["router", 520, 2],
  ["routed", 520, 2], ["gdomap", 538, 3], ["uucp", 540, 1], ["uucpd", 540, 1], ["klogin", 543, 1],
  ["kshell", 544, 1], ["krcmd", 544, 1], ["dhcpv6-client", 546, 2], ["dhcpv6-server", 547, 2],
  ["afpovertcp", 548, 1], ["nntps", 563, 1], ["snntp", 563, 1], ["submission", 587, 1], ["ldaps", 636, 3],
  ["tinc", 655, 3], ["silc", 706, 1], ["kerberos-adm", 749, 1], ["domain-s", 853, 3], ["rsync", 873, 1],
  ["ftps-data", 989, 1], ["ftps", 990, 1], ["telnets", 992, 1], ["imaps", 993, 1], ["pop3s", 995, 1],
  ["socks", 1080, 1], ["proofd", 1093, 1], ["rootd", 1094, 1], ["openvpn", 1194, 3], ["rmiregistry", 1099, 1],
  ["lotusnote", 1352, 1], ["lotusnotes", 1352, 1], ["ms-sql-s", 1433, 1], ["ms-sql-m", 1434, 2],
  ["ingreslock", 1524, 1], ["datametrics", 1645, 3], ["old-radius", 1645, 3], ["sa-msg-port", 1646, 3],
  ["old-radacct", 1646, 3], ["kermit", 1649, 1], ["groupwise", 1677, 1], ["l2f", 1701, 2], ["l2tp", 1701, 2],
  ["radius", 1812, 3], ["radius-acct", 1813, 3], ["radacct", 1813, 3], ["cisco-sccp", 2000, 1], ["nfs", 2049, 3],
  ["gnunet", 2086, 3], ["rtcm-sc104", 2101, 3], ["gsigatekeeper", 2119, 1], ["gris", 2135, 1],
  ["cvspserver", 2401, 1], ["venus", 2430, 3], ["venus-se", 2431, 3], ["codasrv", 2432, 3], ["codasrv-se", 2433, 3],
  ["mon", 2583, 3], ["dict", 2628, 1], ["f5-globalsite", 2792, 1], ["gsiftp", 2811, 1], ["gpsd", 2947, 1],
  ["gds-db", 3050, 1], ["gds_db", 3050, 1], ["icpv2", 3130, 2], ["icp", 3130, 2], ["isns", 3205, 3],
  ["iscsi-target", 3260, 1], ["mysql", 3306, 1], ["ms-wbt-server", 3389, 1], ["nut", 3493, 3], ["distcc", 3632, 1],
  ["daap", 3689, 1], ["svn", 3690, 1], ["subversion", 3690, 1], ["suucp", 4031, 1], ["sysrqd", 4094, 1],
  ["sieve", 4190, 1], ["epmd", 4369, 1], ["remctl", 4373, 1], ["f5-iquery", 4353, 1], ["ntske", 4460, 1],
  ["ipsec-nat-t", 4500, 2], ["iax", 4569, 2], ["mtn", 4691, 1], ["radmin-port", 4899, 1], ["sip", 5060, 3],
  ["sip-tls", 5061, 3], ["xmpp-client", 5222, 1], ["jabber-client", 5222, 1], ["xmpp-server", 5269, 1],
  ["jabber-server", 5269, 1], ["cfengine", 5308, 1], ["mdns", 5353, 2], ["postgresql", 5432, 1],
  ["postgres", 5432, 1], ["freeciv", 5556, 1], ["rptp", 5556, 1], ["amqps", 5671, 1], ["amqp", 5672, 5],
  ["x11", 6000, 1], ["x11-0", 6000, 1], ["x11-1", 6001, 1], ["x11-2", 6002, 1], ["x11-3", 6003, 1],
  ["x11-4", 6004, 1], ["x11-5", 6005, 1], ["x11-6", 6006, 1], ["x11-7", 6007, 1], ["gnutella-svc", 6346, 3],
  ["gnutella-rtr", 6347, 3], ["redis", 6379, 1], ["sge-qmaster", 6444, 1], ["sge_qmaster", 6444, 1],
  ["sge-execd", 6445, 1], ["sge_execd", 6445, 1], ["mysql-proxy", 6446, 1], ["babel", 6696, 2], ["ircs-u", 6697, 1],
  ["bbs", 7000, 1], ["afs3-fileserver", 7000, 2], ["afs3-callback", 7001, 2], ["afs3-prserver", 7002, 2],
  ["afs3-vlserver", 7003, 2], ["afs3-kaserver", 7004, 2], ["afs3-volser", 7005, 2], ["afs3-bos", 7007, 2],
  ["afs3-update", 7008, 2], ["afs3-rmtsys", 7009, 2], ["font-service", 7100, 1], ["xfs", 7100, 1],
  ["http-alt", 8080, 1], ["webcache", 8080, 1], ["puppet", 8140, 1], ["bacula-dir", 9101, 1], ["bacula-fd", 9102, 1],
  ["bacula-sd", 9103, 1], ["xmms2", 9667, 1], ["nbd", 10809, 1], ["zabbix-agent", 10050, 1],
  ["zabbix-trapper", 10051, 1], ["amanda", 10080, 1], ["hkp", 11371, 1], ["db-lsp", 17500, 1], ["dcap", 22125, 1],
  ["gsidcap", 22128, 1], ["wnn6", 22273, 1], ["kerberos4", 750, 3], ["kerberos-iv", 750, 3], ["kdc", 750, 3],
  ["kerberos-master", 751, 3], ["kerberos_master", 751, 2], ["passwd-server", 752, 2], ["passwd_server", 752, 2],
  ["krb-prop", 754, 1], ["krb_prop", 754, 1], ["krb5_prop", 754, 1], ["hprop", 754, 1], ["zephyr-srv", 2102, 2],
  ["zephyr-clt", 2103, 2], ["zephyr-hm", 2104, 2], ["iprop", 2121, 1], ["supfilesrv", 871, 1],
  ["supfiledbg", 1127, 1], ["poppassd", 106, 1], ["moira-db", 775, 1], ["moira_db", 775, 1],
  ["moira-update", 777, 1], ["moira_update", 777, 1], ["moira-ureg", 779, 2], ["moira_ureg", 779, 2],
  ["spamd", 783, 1], ["skkserv", 1178, 1], ["predict", 1210, 2], ["rmtcfg", 1236, 1], ["xtel", 1313, 1],
  ["xtelw", 1314, 1], ["zebrasrv", 2600, 1], ["zebra", 2601, 1], ["ripd", 2602, 1], ["ripngd", 2603, 1],
  ["ospfd", 2604, 1], ["bgpd", 2605, 1], ["ospf6d", 2606, 1], ["ospfapi", 2607, 1], ["isisd", 2608, 1],
  ["fax", 4557, 1], ["hylafax", 4559, 1], ["munin", 4949, 1], ["lrrd", 4949, 1], ["rplay", 5555, 2],
  ["nrpe", 5666, 1], ["nsca", 5667, 1], ["canna", 5680, 1], ["syslog-tls", 6514, 1], ["sane-port", 6566, 1],
  ["sane", 6566, 1], ["saned", 6566, 1], ["ircd", 6667, 1], ["zope-ftp", 8021, 1], ["tproxy", 8081, 1],
  ["omniorb", 8088, 1], ["clc-build-daemon", 8990, 1], ["xinetd", 9098, 1], ["git", 9418, 1], ["zope", 9673, 1],
  ["webmin", 10000, 1], ["kamanda", 10081, 1], ["amandaidx", 10082, 1], ["amidxtape", 10083, 1],
  ["sgi-cmsd", 17001, 2], ["sgi-crsd", 17002, 2], ["sgi-gcd", 17003, 2], ["sgi-cad", 17004, 1], ["binkp", 24554, 1],
  ["asp", 27374, 3], ["csync2", 30865, 1], ["dircproxy", 57000, 1], ["tfido", 60177, 1], ["fido", 60179, 1],
  ["pptp", 1723, 1],
];

export const SERVICES: ReadonlyMap<string, readonly [port: number, protocols: number]> = new Map(
  SERVICE_LIST.map(([name, port, protocols]) => [name, [port, protocols] as const]),
);

/** The service protocol bit of an IP protocol number (0 when getservbyname knows no names for it). */
export function serviceProtocol(proto: number): number {
  switch (proto) {
    case 6:
      return SERVICE_TCP;
    case 17:
      return SERVICE_UDP;
    case 132:
      return SERVICE_SCTP;
    case 33:
      return SERVICE_DCCP;
    default:
      return 0;
  }
}

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
  icmp("any", 0xff, 0, 0xff), icmp("echo-reply", 0), icmp("pong", 0), icmp("destination-unreachable", 3),
  code("network-unreachable", 3, 0), code("host-unreachable", 3, 1), code("protocol-unreachable", 3, 2),
  code("port-unreachable", 3, 3), code("fragmentation-needed", 3, 4), code("source-route-failed", 3, 5),
  code("network-unknown", 3, 6), code("host-unknown", 3, 7), code("network-prohibited", 3, 9),
  code("host-prohibited", 3, 10), code("TOS-network-unreachable", 3, 11), code("TOS-host-unreachable", 3, 12),
  code("communication-prohibited", 3, 13), code("host-precedence-violation", 3, 14),
  code("precedence-cutoff", 3, 15), icmp("source-quench", 4), icmp("redirect", 5),
  code("network-redirect", 5, 0), code("host-redirect", 5, 1), code("TOS-network-redirect", 5, 2),
  code("TOS-host-redirect", 5, 3), icmp("echo-request", 8), icmp("ping", 8), icmp("router-advertisement", 9),
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
