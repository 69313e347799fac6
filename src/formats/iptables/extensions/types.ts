// The contract between the iptables document parser (lines, tables, chains, commands) and the rule-spec parser
// (the options after `-A CHAIN`: generic options, `-m` match modules, `-j` targets, as iptables' getopt reads them).

import type { Diagnostic, Family, Match, TableName, Target } from "../../../model/firewall.js";
import type { SourceFile } from "../../../model/source.js";

/** One shell-style word of a rule, after iptables' own tokenizing: quotes removed, escapes resolved. */
export interface Word {
  /** The value as iptables sees it (`"foo bar"` -> `foo bar`). */
  readonly text: string;
  /** Offsets of the word as written (including its quotes) in the source file. */
  readonly start: number;
  readonly end: number;
  readonly quoted: boolean;
}

export interface RuleSpecContext {
  readonly source: SourceFile;
  readonly family: Family;
  readonly table: TableName;
  /** The chain the rule is added to (`-A INPUT` -> `INPUT`); some options are only valid in some chains. */
  readonly chain: string;
  /** True when `name` is a chain that exists in `table` at this point of the file (for `-j NAME` / `-g NAME`). */
  isChain(name: string): boolean;
}

export interface RuleSpec {
  readonly matches: Match[];
  readonly target: Target;
  /** `-m comment --comment` text, if any. */
  readonly comment?: string;
  /** Every way the words are not a rule iptables would load; positioned on the offending word. */
  readonly errors: Diagnostic[];
  /**
   * True when iptables-restore ignores the rule because it is marked for the other family (`-6` in an IPv4 file,
   * `-4` in an IPv6 one): it must not be added to the chain.
   */
  readonly skipped?: boolean;
}
