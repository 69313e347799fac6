// Shared by VPN012 and VPN015: the forward path of remote-access VPN clients (PPP sessions of L2TP, IPsec-decapsulated).

import type { Analysis, PacketQuery } from "../../engine/api.js";
import type { Ruleset } from "../../model/firewall.js";
import type { RuleContext } from "../context.js";
import { PROTO_TCP } from "./traffic.js";

export interface ClientPath {
  /** `L2TP clients (ppp+)`, for messages. */
  readonly label: string;
  /** The interface pattern to put in a fix (`ppp+`), if clients have one. */
  readonly interfacePattern?: string;
  readonly query: PacketQuery;
}

/**
 * How this host's VPN clients enter the forward path, if it serves any. The question is one typical connection (a
 * new HTTPS connection through the server) rather than every packet: "all packets from ppp+" would make the engine
 * split the set at every DNAT and port rule of a large ruleset, for no better answer.
 */
export function clientPaths(context: RuleContext<string>): ClientPath[] {
  const extra = { proto: PROTO_TCP, dport: 443 };
  const { model, roles } = context;
  const paths: ClientPath[] = [];
  if (roles.l2tpEndpoint.value) {
    const pattern = model.format === "vyatta" ? "l2tp+" : "ppp+";
    paths.push({ label: `L2TP clients (${pattern})`, interfacePattern: pattern, query: { hook: "forward", in: `${pattern.slice(0, -1)}0`, state: "new", ...extra } });
  } else if (model.host.ipsec?.hasRemoteAccess) {
    paths.push({ label: "IPsec remote-access clients", query: { hook: "forward", ipsec: true, state: "new", ...extra } });
  }
  return paths;
}

export function analyzeClients(context: RuleContext<string>, ruleset: Ruleset, path: ClientPath): Analysis {
  return context.analyze(ruleset, path.query);
}
