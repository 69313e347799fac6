// defineRule: one check = metadata + messages + a check function that sees only the model and the engine.

import type { RuleMeta } from "../model/finding.js";
import type { RuleContext } from "./context.js";

export interface RuleDefinition<MessageId extends string = string> extends RuleMeta {
  /** Message templates with `{{placeholders}}`; a typo in a message id is a compile error in `check`. */
  readonly messages: Readonly<Record<MessageId, string>>;
  check(context: RuleContext<MessageId>): void;
}

export function defineRule<MessageId extends string>(rule: RuleDefinition<MessageId>): RuleDefinition<MessageId> {
  return rule;
}
