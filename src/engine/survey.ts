// Facts about a whole ruleset from one pass over its rules: the interface names (the atoms of its packet space), the
// jump graph, and the rules a caller picks (the checks pick those naming VPN traffic). A 100k-rule dump is read once.

import type { Chain, DeferredRules, Match, NamedValues, Rule, Ruleset, TableName, Target } from "../model/firewall.js";

export interface RulesetSurvey {
  /** Exact interface names and `+` prefixes (without the `+`) of every rule, disabled ones included. */
  readonly interfaceNames: ReadonlySet<string>;
  readonly interfacePrefixes: ReadonlySet<string>;
  /**
   * The chains each chain jumps or goes to (existing chains of the same table), loaded rules only, in rule order and
   * possibly more than once; callers appear in ruleset order.
   */
  readonly callees: ReadonlyMap<Chain, readonly Chain[]>;
  /** The loaded rules the picker chose, in ruleset order. */
  readonly picked: readonly PickedRule[];
}

/**
 * A rule the picker chose, with its chain, table and the picker's marks. A rule of a chain not built yet is built
 * when `rule` is first read: most picks of a big dump (kube-proxy's thousands of DNAT rules) are passed over on their
 * table, target kind and interfaces alone.
 */
export interface PickedRule {
  readonly rule: Rule;
  readonly chain: Chain;
  readonly table: TableName;
  readonly marks: number;
  readonly targetKind: Target["kind"];
  /** True when the rule is known, without a look at it, to have no interface match (`-i`, `-o`); false: look. */
  readonly knownNoInterfaces: boolean;
}

class BuiltPick implements PickedRule {
  constructor(
    readonly rule: Rule,
    readonly chain: Chain,
    readonly table: TableName,
    readonly marks: number,
  ) {}

  get targetKind(): Target["kind"] {
    return this.rule.target.kind;
  }

  get knownNoInterfaces(): boolean {
    return !this.rule.matches.some((match) => match.kind === "interface");
  }
}

class DeferredPick implements PickedRule {
  constructor(
    private readonly deferred: DeferredRules,
    private readonly index: number,
    readonly chain: Chain,
    readonly table: TableName,
    readonly marks: number,
  ) {}

  get rule(): Rule {
    return this.deferred.rule(this.index);
  }

  get targetKind(): Target["kind"] {
    return this.deferred.target(this.index).kind;
  }

  get knownNoInterfaces(): boolean {
    // The chain's rows name no interface at all (the usual case in a dump's generated chains).
    return this.deferred.interfaceNames.length === 0;
  }
}

/**
 * Chooses rules during a survey by marks (bits; 0: nothing to mark): a rule is picked when `target` or `match` marks
 * it, and keeps all its marks. `match` is asked about each field and any-of match (the ones naming values), in the
 * loop that reads the matches for interface names; it may be given a match without a range. The same picker (by
 * identity) gets the same, remembered survey.
 */
export interface RulePicker {
  /** Marks by the rule's target kind, and whether the front end made the rule up (Vyatta attachments). */
  target(kind: Target["kind"], synthesized: boolean): number;
  match(match: Match): number;
  /** A promise: `match` gives 0 to a protocol or port match naming none of these values (so need not be asked). */
  readonly named?: NamedValues;
}

const surveys = new WeakMap<Ruleset, { readonly picker: RulePicker | undefined; readonly survey: RulesetSurvey }>();

/**
 * The survey of a ruleset, remembered per ruleset. Without a picker any remembered survey serves; with one, the
 * remembered survey serves when it was made with the same picker, else the ruleset is surveyed again with it.
 */
export function surveyRuleset(ruleset: Ruleset, picker?: RulePicker): RulesetSurvey {
  const known = surveys.get(ruleset);
  if (known && (picker === undefined || known.picker === picker)) return known.survey;
  const survey = surveyOnce(ruleset, picker);
  surveys.set(ruleset, { picker, survey });
  return survey;
}

function surveyOnce(ruleset: Ruleset, picker: RulePicker | undefined): RulesetSurvey {
  const interfaceNames = new Set<string>();
  const interfacePrefixes = new Set<string>();
  const calleesOf = new Map<Chain, Chain[]>();
  const picked: PickedRule[] = [];
  const alternatives: Match[] = [];
  const noteInterface = (name: string) => {
    if (name.endsWith("+")) interfacePrefixes.add(name.slice(0, -1));
    else interfaceNames.add(name);
  };
  /** Lists `callee` (when the chain exists) among `chain`'s callees; returns the list, made on the first. */
  const addCallee = (chain: Chain, list: Chain[] | undefined, callee: Chain | undefined): Chain[] | undefined => {
    if (callee === undefined) return list;
    if (list === undefined) calleesOf.set(chain, (list = []));
    list.push(callee);
    return list;
  };
  const askField = picker === undefined ? undefined : (match: Match): number => picker.match(match);
  const askTarget = picker === undefined ? undefined : (kind: Target["kind"]): number => picker.target(kind, false);
  for (const table of ruleset.tables.values()) {
    const chains = table.chains;
    for (const chain of chains.values()) {
      const deferred = chain.deferred;
      if (deferred !== undefined && !deferred.built) {
        // The same facts from the rows' summaries; a picked rule is built alone.
        for (const name of deferred.interfaceNames) noteInterface(name);
        let callees: Chain[] | undefined;
        for (const name of deferred.callees) callees = addCallee(chain, callees, chains.get(name));
        if (picker === undefined) continue;
        const picks = deferred.picks(askField!, askTarget!, picker.named);
        for (let p = 0; p < picks.length; p += 2) picked.push(new DeferredPick(deferred, picks[p]!, chain, table.name, picks[p + 1]!));
        continue;
      }
      const rules = chain.rules;
      let callees: Chain[] | undefined;
      let lastName: string | undefined;
      for (let i = 0; i < rules.length; i++) {
        const rule = rules[i]!;
        const matches = rule.matches;
        let marks = 0;
        for (let m = 0; m < matches.length; m++) {
          const match = matches[m]!;
          const kind = match.kind;
          if (kind === "interface") noteInterface(match.name);
          else if (kind === "field" || kind === "anyOf") {
            if (kind === "anyOf") alternatives.push(match);
            if (picker !== undefined) marks |= picker.match(match);
          }
        }
        if (rule.disabled) continue;
        const target = rule.target;
        // A jump to the chain the previous jump named is not looked up or listed again (kube-proxy's runs of
        // endpoint choices): the list is read as a set.
        if ((target.kind === "jump" || target.kind === "goto") && target.chain !== lastName) {
          lastName = target.chain;
          callees = addCallee(chain, callees, chains.get(target.chain));
        }
        if (picker !== undefined) marks |= picker.target(target.kind, rule.synthesized === true);
        if (marks !== 0) picked.push(new BuiltPick(rule, chain, table.name, marks));
      }
    }
  }
  // Any-of matches are rare: their alternatives are taken apart afterwards, without recursion.
  while (alternatives.length > 0) {
    const match = alternatives.pop()!;
    if (match.kind === "interface") noteInterface(match.name);
    else if (match.kind === "anyOf") for (const alternative of match.alternatives) alternatives.push(alternative);
  }
  return { interfaceNames, interfacePrefixes, callees: calleesOf, picked };
}
