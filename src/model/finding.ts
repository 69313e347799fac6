// What checks produce and formatters print: findings with resolved positions, and the rule metadata behind them.

import type { ResolvedLocation } from "./source.js";

export type Severity = "error" | "warning" | "note";

/** Metadata of one check. IDs are fixed forever: users put them in suppressions. */
export interface RuleMeta {
  /** `VPN004` */
  readonly id: string;
  /** `l2tp-without-ipsec` (kebab-case; SARIF gets it in PascalCase). */
  readonly name: string;
  readonly severity: Severity;
  /** One line: what is wrong. */
  readonly description: string;
  /** A paragraph: why it matters. */
  readonly rationale: string;
  /** SARIF `properties.security-severity` (0.0-10.0; GitHub maps >= 7 to high). */
  readonly securitySeverity: number;
  /** SARIF precision: how sure a finding of this rule is. */
  readonly precision: "very-high" | "high" | "medium" | "low";
  readonly tags: readonly string[];
}

export interface RelatedLocation {
  readonly location: ResolvedLocation;
  readonly message: string;
}

/** A suggested change in the input's own syntax: iptables lines or `set` commands. */
export interface Fix {
  readonly description: string;
  /** The text to add or the replacement, e.g. `-A INPUT -i eth0 -p udp --dport 500 -j ACCEPT`. */
  readonly text: string;
  /** Where it goes: insert before `insertBefore` (or replace `replace`); absent means "append at a place the description names". */
  readonly insertBefore?: ResolvedLocation;
  readonly replace?: ResolvedLocation;
}

export interface Suppression {
  /** `inSource` for `# vpnlint disable...` comments, `external` for config-file disables. */
  readonly kind: "inSource" | "external";
  readonly justification?: string;
  readonly location?: ResolvedLocation;
}

export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly message: string;
  readonly location: ResolvedLocation;
  /** The rule, policy or default-action that decides, and other places worth looking at. */
  readonly related: readonly RelatedLocation[];
  readonly fix?: Fix;
  /** Role facts the finding relied on, in words: `L2TP endpoint: a rule accepts udp/1701 (line 12)`. */
  readonly facts: readonly string[];
  /** For stable fingerprints: the table, chain and normalized rule text the finding is about. */
  readonly anchor: { readonly table?: string; readonly chain?: string; readonly ruleText?: string };
  /** Present when a suppression covers the finding; suppressed findings are reported but do not fail the run. */
  readonly suppression?: Suppression;
}
