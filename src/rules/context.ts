// What a check sees: the parsed model of one file, and a way to report findings on model nodes.

import type { FirewallModel } from "../model/firewall.js";
import type { SourceRange } from "../model/source.js";

export interface Report<MessageId extends string> {
  readonly messageId: MessageId;
  readonly data?: Readonly<Record<string, string | number>>;
  /** The node the finding is about; one place turns it into file/line/column. */
  readonly range: SourceRange;
}

export interface RuleContext<MessageId extends string> {
  readonly model: FirewallModel;
  report(report: Report<MessageId>): void;
}
