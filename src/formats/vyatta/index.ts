// The Vyatta-family input format (Vyatta, VyOS 1.1-1.5, EdgeOS, Vyatta NOS): config.boot and `set` commands.

import { emptyHostFacts, type FirewallModel } from "../../model/firewall.js";
import type { SourceFile } from "../../model/source.js";
import type { InputFormat } from "../types.js";
import { buildTree, type ConfigForm } from "./config-tree.js";
import { treeToModel } from "./to-model.js";

const TOP = "(?:firewall|interfaces|system|service|vpn|nat|nat66|protocols|policy|security|resources|zone-policy|high-availability|load-balance|port-forward|container|pki|qos|traffic-policy|traffic-control|vrf)";
const COMMAND = new RegExp(`^\\s*(?:[^\\s@]+@\\S+[#$>]\\s*)?(?:set|delete|edit)\\s+['"]?${TOP}['"]?(?:\\s|$)`);
const CURLY_TOP = new RegExp(`^${TOP}\\s*\\{\\s*$`);
const FOOTER = /(?:vyatta|vyos)-config-version:/;
/** Enough of a file to recognise it; detection must stay cheap on a 12 MB iptables dump. */
const SAMPLE = 65536;

function sampleLines(text: string): string[] {
  return text.slice(0, SAMPLE).split(/\r\n|\r|\n/);
}

/** `set` commands when most command-like lines are Vyatta commands; config.boot otherwise. */
export function detectForm(text: string): ConfigForm {
  let commands = 0;
  let braces = 0;
  for (const line of sampleLines(text)) {
    if (COMMAND.test(line)) commands++;
    else if (/[{}]\s*$/.test(line)) braces++;
  }
  return commands > braces ? "commands" : "curly";
}

function detect(text: string): number {
  if (FOOTER.test(text.slice(-4096)) || FOOTER.test(text.slice(0, SAMPLE))) return 1;
  let commands = 0;
  let curlyTop = 0;
  let blocks = 0;
  let other = 0;
  for (const raw of sampleLines(text)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("/*") || line.startsWith("//")) continue;
    if (COMMAND.test(line)) commands++;
    else if (CURLY_TOP.test(line)) curlyTop++;
    else if (/^[\w.:/-]+(?:\s+\S+)?\s*\{$/.test(line) || line === "}") blocks++;
    // iptables lines weigh heavily against; relative `set rule ...` lines of an edit transcript weigh nothing.
    else if (/^(?:-[AIPNDX]\s|\*[a-z]+$|:[A-Z]|iptables|ip6tables|COMMIT$)/.test(line)) other += 4;
    else if (!/^(?:set|edit|exit|up|top)\b/.test(line)) other += 0.25;
  }
  const total = commands + curlyTop + blocks + other;
  if (total === 0) return 0;
  if (commands > 0) return Math.min(0.95, 0.5 + (0.45 * commands) / total);
  if (curlyTop > 0) return Math.min(0.95, 0.6 + (0.35 * (curlyTop + blocks)) / total);
  return blocks >= 3 && blocks / total > 0.5 ? 0.4 : 0;
}

function parse(source: SourceFile): FirewallModel {
  try {
    return treeToModel(buildTree(source, detectForm(source.text)));
  } catch (error) {
    // A bug of ours must not become a crash: report it on the first line like any unreadable input.
    const message = `the Vyatta reader failed on this file (${error instanceof Error ? error.message : String(error)}); please report it`;
    return { source, format: "vyatta", rulesets: [], host: emptyHostFacts(), diagnostics: [{ message, range: { source, start: 0, end: 0 } }] };
  }
}

export const vyattaFormat: InputFormat = { id: "vyatta", detect, parse };
