// Placeholder until the engine lands: every question is answered "maybe", decided by nothing.

import type { Ruleset } from "../model/firewall.js";
import type { Analysis, PacketQuery } from "./api.js";

export type * from "./api.js";

/** Which packets of `query` the ruleset accepts, drops or rejects, with the deciding rules and paths. */
export function analyze(_ruleset: Ruleset, _query: PacketQuery): Analysis {
  return { verdict: "maybe", parts: [] };
}
