// Which generation of the Vyatta family a config is, from its version footer and its syntax, and what mixes of
// generations it contains (reported: the router of one generation refuses the other's syntax).
//
// Facts (vyos/vyos-1x migration scripts firewall/*, ipsec/*, l2tp/*; SOURCES.md):
// - classic Vyatta 6.x, EdgeOS, VyOS 1.1-1.3 and early 1.4 rolling (firewall@5..7): `firewall name|ipv6-name X`,
//   attached by `interfaces ... firewall in|out|local`, `zone-policy`, `firewall state-policy`, `vpn ipsec ipsec-interfaces`.
// - VyOS 1.4 rolling 2022-2023 (firewall@8..9): `firewall interface eth0 in|out|local name X`.
// - VyOS 1.4 and later (firewall@10+): `firewall ipv4|ipv6 name X`, base chains `firewall ipv4 input|forward|output
//   filter`, `firewall zone`, `firewall global-options`, `vpn ipsec interface X`; VyOS 1.5 replaced
//   `ipsec match-ipsec|match-none` by `match-ipsec-in|-out`, `match-none-in|-out`.
// - Vyatta NOS 5600 / DANOS: `security firewall name X`, `security zone-policy`, `resources group`, `interfaces dataplane`
//   (danos/vplane-config-npf yang); its `service nat destination|source` is shared with classic Vyatta 6.3-6.6.

import type { Diagnostic } from "../../model/firewall.js";
import type { SourceRange } from "../../model/source.js";
import { childrenOf, lineOf, nodeAt, type ConfigNode, type ConfigTree } from "./config-tree.js";

export type FirewallSyntax = "classic" | "interface" | "modern" | "nos";

export interface Generation {
  /**
   * For HostFacts.generation and messages: `edgeos-1.9`, `vyos-1.1` .. `vyos-1.5` (from the footer), `vyos-1.4-early`
   * (1.4 rolling before the firewall rewrite), `vyos-1.4+` (1.4 syntax, exact release unknown), `vyatta-nos`,
   * `edgeos`, `vyatta-classic` (classic syntax, release unknown).
   */
  readonly label: string;
  readonly syntax: FirewallSyntax;
  /** VyOS 1.5 rule syntax (`match-ipsec-in`). */
  readonly ipsecDirectional: boolean;
  readonly edgeos: boolean;
}

interface Marker {
  readonly text: string;
  readonly range: SourceRange;
  /** What replaced it, for the message. */
  readonly hint?: string;
}

interface Footer {
  readonly label: string;
  readonly firewallVersion: number | undefined;
  readonly edgeos: boolean;
}

function parseFooter(comments: readonly string[]): Footer | undefined {
  const text = comments.join("\n");
  const versions = /(?:vyatta|vyos)-config-version:\s*"([^"]*)"/.exec(text)?.[1];
  const release = /Release version:\s*([^\s*]+(?:\s+[\d.]+)?)/.exec(text)?.[1];
  if (versions === undefined && release === undefined) return undefined;
  const firewall = versions ? /(?:^|:)firewall@(\d+)/.exec(versions)?.[1] : undefined;
  const edgeos = (versions?.includes("ubnt-") ?? false) || /^v\d/.test(release ?? "");
  let label = "vyatta-classic";
  if (release) {
    const vyos = /(?:VyOS\s+)?(\d+)\.(\d+)/.exec(release);
    if (edgeos) label = vyos ? `edgeos-${vyos[1]}.${vyos[2]}` : "edgeos";
    else if (/^VC/.test(release)) label = "vyatta-classic";
    else if (/^20\d\d\./.test(release)) label = "vyos-1.5";
    // 1.4 rolling releases before the firewall rewrite (firewall@10) still have the 1.3 syntax: "early".
    else if (vyos) label = `vyos-${vyos[1]}.${vyos[2]}${release.includes("rolling") && vyos[2] === "4" && (firewall === undefined || Number(firewall) < 10) ? "-early" : ""}`;
  } else if (edgeos) label = "edgeos";
  return { label, firewallVersion: firewall === undefined ? undefined : Number(firewall), edgeos };
}

function marker(node: ConfigNode, text: string, hint?: string): Marker {
  return hint === undefined ? { text, range: node.range } : { text, range: node.range, hint };
}

/** Every interface node in file order, with sub-interfaces (`vif`, `vif-s`/`vif-c`, `pppoe`) after their parent. */
export function interfaceNodes(root: ConfigNode): { path: string[]; node: ConfigNode }[] {
  const out: { path: string[]; node: ConfigNode }[] = [];
  const stack: { node: ConfigNode; path: string[] }[] = [];
  for (const type of childrenOf(nodeAt(root, "interfaces"))) for (const name of childrenOf(type)) stack.push({ node: name, path: [type.name, name.name] });
  stack.reverse();
  while (stack.length > 0) {
    const entry = stack.pop()!;
    out.push(entry);
    if (entry.path.length >= 8) continue;
    const subs: { node: ConfigNode; path: string[] }[] = [];
    for (const sub of ["vif", "vif-s", "vif-c", "pppoe"]) for (const unit of childrenOf(nodeAt(entry.node, sub))) subs.push({ node: unit, path: [...entry.path, sub, unit.name] });
    stack.push(...subs.reverse());
  }
  return out;
}

/** Where interface firewalls hang: `interfaces <type> <name> [vif N] [vif-s N [vif-c N]] [pppoe N] firewall`. */
export function interfaceFirewallNodes(root: ConfigNode): { path: string[]; firewall: ConfigNode }[] {
  const out: { path: string[]; firewall: ConfigNode }[] = [];
  for (const { path, node } of interfaceNodes(root)) {
    const firewall = nodeAt(node, "firewall");
    if (firewall) out.push({ path, firewall });
  }
  return out;
}

/** Every `ipsec` match node of every rule under `root` (bounded by the tree, iterative). */
function ipsecMatchNodes(firewall: ConfigNode | undefined): ConfigNode[] {
  const found: ConfigNode[] = [];
  const stack: { node: ConfigNode; depth: number }[] = firewall ? [{ node: firewall, depth: 0 }] : [];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    for (const c of childrenOf(node)) {
      if (c.name === "ipsec" && depth >= 2) found.push(...childrenOf(c));
      else if (depth < 7) stack.push({ node: c, depth: depth + 1 });
    }
  }
  return found;
}

export function detectGeneration(tree: ConfigTree, root: ConfigNode, diagnostics: Diagnostic[]): Generation {
  const footer = parseFooter(tree.comments);
  const firewall = nodeAt(root, "firewall");
  const classic: Marker[] = [];
  for (const set of childrenOf(nodeAt(firewall, "name"))) classic.push(marker(set, `firewall name ${set.name}`, `now "firewall ipv4 name ${set.name}", reached by a jump rule in "firewall ipv4 input|forward filter"`));
  for (const set of childrenOf(nodeAt(firewall, "ipv6-name"))) classic.push(marker(set, `firewall ipv6-name ${set.name}`, `now "firewall ipv6 name ${set.name}"`));
  const statePolicy = nodeAt(firewall, "state-policy");
  if (statePolicy) classic.push(marker(statePolicy, "firewall state-policy", `now "firewall global-options state-policy"`));
  const zonePolicy = nodeAt(root, "zone-policy");
  if (zonePolicy) classic.push(marker(zonePolicy, "zone-policy", `now "firewall zone"`));
  for (const { path, firewall: fw } of interfaceFirewallNodes(root)) {
    if (["in", "out", "local"].some((d) => fw.children?.has(d)) && path[0] !== "dataplane" && !nodeAt(root, "security")) {
      classic.push(marker(fw, `interfaces ${path.join(" ")} firewall`, `now a jump rule with "inbound-interface name ${path[1]}" in "firewall ipv4 input|forward filter"`));
    }
  }
  const ipsecInterfaces = nodeAt(root, "vpn", "ipsec", "ipsec-interfaces");
  if (ipsecInterfaces) classic.push(marker(ipsecInterfaces, "vpn ipsec ipsec-interfaces", `now "vpn ipsec interface"`));

  const modern: Marker[] = [];
  for (const key of ["ipv4", "ipv6", "zone", "global-options", "flowtable"]) {
    const node = nodeAt(firewall, key);
    if (node) modern.push(marker(node, `firewall ${key}`));
  }
  const ipsecInterface = nodeAt(root, "vpn", "ipsec", "interface");
  if (ipsecInterface) modern.push(marker(ipsecInterface, "vpn ipsec interface"));
  const defaultPool = nodeAt(root, "vpn", "l2tp", "remote-access", "default-pool");
  if (defaultPool) modern.push(marker(defaultPool, "vpn l2tp remote-access default-pool"));
  for (const kind of ["destination", "source"]) {
    for (const rule of childrenOf(nodeAt(root, "nat", kind, "rule"))) {
      for (const key of ["inbound-interface", "outbound-interface"]) {
        const named = childrenOf(nodeAt(rule, key)).find((c) => c.name === "name" || c.name === "group");
        if (named) modern.push(marker(named, `nat ${kind} rule ${rule.name} ${key} ${named.name}`));
      }
    }
  }
  const early = nodeAt(firewall, "interface");

  // `service nat destination|source` is no evidence: classic Vyatta 6.3-6.6 has it too.
  const nos = ["security", "resources"].some((k) => root.children?.has(k)) || nodeAt(root, "interfaces", "dataplane") !== undefined;
  const edgeos = (footer?.edgeos ?? false) || ["port-forward"].some((k) => root.children?.has(k)) || nodeAt(root, "service", "nat", "rule") !== undefined || nodeAt(root, "service", "gui") !== undefined || nodeAt(root, "service", "ubnt-discover") !== undefined || nodeAt(root, "system", "offload") !== undefined;

  const ipsecMatches = ipsecMatchNodes(firewall);
  const directional = ipsecMatches.filter((n) => /^match-(ipsec|none)-(in|out)$/.test(n.name));
  const undirected = ipsecMatches.filter((n) => n.name === "match-ipsec" || n.name === "match-none");

  const footerModern = footer?.firewallVersion !== undefined && footer.firewallVersion >= 10;
  const footerEarly = footer?.firewallVersion === 8 || footer?.firewallVersion === 9;
  let syntax: FirewallSyntax;
  if (nos) syntax = "nos";
  else if (modern.length > 0 || footerModern || directional.length > 0) syntax = "modern";
  else if (early || footerEarly) syntax = "interface";
  else syntax = "classic";

  const label =
    footer?.label ??
    (nos ? "vyatta-nos" : edgeos ? "edgeos" : directional.length > 0 ? "vyos-1.5" : syntax === "modern" ? "vyos-1.4+" : syntax === "interface" ? "vyos-1.4-early" : "vyatta-classic");
  const ipsecDirectional = label === "vyos-1.5" || (directional.length > 0 && !footer);

  const at = (range: SourceRange): number => lineOf(tree.source, range.start);
  if (syntax === "modern") {
    const evidence = modern[0] ?? (directional[0] ? marker(directional[0], `ipsec ${directional[0].name}`) : undefined);
    const why = evidence ? `"${evidence.text}" at line ${at(evidence.range)}` : `the version footer says ${label}`;
    for (const m of classic) {
      diagnostics.push({ message: `"${m.text}" is VyOS 1.3 syntax, but this configuration is VyOS 1.4 or later (${why}); the router refuses it: ${m.hint}`, range: m.range });
    }
  } else if (footer && !nos) {
    for (const m of modern) diagnostics.push({ message: `"${m.text}" is VyOS 1.4+ syntax, but the version footer says ${label}; the router refuses it`, range: m.range });
  }
  if (ipsecDirectional) {
    for (const n of undirected) diagnostics.push({ message: `"ipsec ${n.name}" is VyOS 1.4 syntax; VyOS 1.5 needs "${n.name}-in" (or "-out")`, range: n.range });
  } else if (syntax !== "modern" || footer) {
    for (const n of directional) diagnostics.push({ message: `"ipsec ${n.name}" is VyOS 1.5 syntax; ${label} knows only "${n.name.replace(/-(in|out)$/, "")}"`, range: n.range });
  }
  if (nos && firewall) diagnostics.push({ message: `"firewall" is not Vyatta NOS syntax: rule-sets live under "security firewall"`, range: firewall.range });
  return { label, syntax, ipsecDirectional, edgeos };
}
