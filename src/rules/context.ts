// What a check sees: the parsed model of one file, what the host is (roles), the engine, and a way to report findings.

import type { Analysis, Decider, PacketQuery } from "../engine/api.js";
import type { Chain, FirewallModel, Rule, Ruleset } from "../model/firewall.js";
import type { SourceRange } from "../model/source.js";

/** The roles a check can rely on; each finding lists the ones it used, in words. */
export type RoleKey = "ipsecEndpoint" | "l2tpEndpoint" | "gateway" | "behindNat" | "externalInterfaces";

/** Where a role value came from: a command-line option, a config file, or inference from the input. */
export type RoleSource = "option" | "config" | "inferred" | "default";

export interface RoleFact<T> {
  readonly value: T;
  readonly source: RoleSource;
  /** Why, in words, with line numbers: `a rule accepts udp/1701 (line 12)`. */
  readonly reasons: readonly string[];
}

/** What the host is. Inferred from the model by src/audit/roles.ts, overridable by options and config files. */
export interface Roles {
  readonly ipsecEndpoint: RoleFact<boolean>;
  readonly l2tpEndpoint: RoleFact<boolean>;
  readonly gateway: RoleFact<boolean>;
  readonly behindNat: RoleFact<boolean>;
  /** Interface names; empty means "every interface but loopback" (nothing better was known). */
  readonly externalInterfaces: RoleFact<readonly string[]>;
  /** The families whose own rules show VPN intent (rulesets of other families are checked only when roles are forced). */
  readonly vpnFamilies: ReadonlySet<string>;
}

/** A place a finding can point at. A rule or a chain also gives the finding its fingerprint anchor. */
export interface Subject {
  readonly rule?: Rule;
  /** The chain of `rule`, or the chain whose policy / default-action is meant. */
  readonly chain?: Chain;
  /** An explicit range; wins over the rule's or chain's own. */
  readonly range?: SourceRange;
}

export interface RelatedReport extends Subject {
  readonly message: string;
}

export interface FixReport {
  readonly description: string;
  readonly text: string;
  readonly insertBefore?: SourceRange;
  readonly replace?: SourceRange;
}

export interface Report<MessageId extends string> extends Subject {
  readonly messageId: MessageId;
  readonly data?: Readonly<Record<string, string | number>>;
  readonly related?: readonly RelatedReport[];
  readonly fix?: FixReport;
  /** The roles the finding relied on; their reasons become `Finding.facts`. */
  readonly facts?: readonly RoleKey[];
}

export interface RuleContext<MessageId extends string> {
  readonly model: FirewallModel;
  readonly roles: Roles;
  /** The engine, memoised per file: checks asking the same question share one walk. */
  analyze(ruleset: Ruleset, query: PacketQuery): Analysis;
  report(report: Report<MessageId>): void;
}

/** The subject a decider points at: the deciding rule, or the chain whose policy decided. */
export function deciderSubject(decider: Decider): Subject {
  return decider.kind === "rule" ? { rule: decider.rule, chain: decider.chain } : { chain: decider.chain };
}
