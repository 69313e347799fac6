// The iptables rule-spec parser: everything after `-A CHAIN`, read and checked as iptables 1.8.9 (legacy) does.

export { parseRuleSpec } from "./rule-parser.js";
