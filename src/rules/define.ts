// defineRule: one check = metadata + messages + a check function that sees only the model, the roles and the engine.

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

/** The rule's documentation page, relative to the package root (formatters turn it into a URL). */
export function docsPath(id: string): string {
  return `docs/rules/${id.toUpperCase()}.md`;
}
