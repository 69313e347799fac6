// The common `vpnlint audit ...` command lines, parsed without loading yargs (about 90 ms of CPU at start-up, which a
// pre-commit hook pays on every commit). Anything unusual (help, mistakes, rare spellings) returns undefined and goes
// through yargs, which also produces the error messages; a test checks both parsers agree on what this one accepts.

import { AUDIT_FLAGS, auditArgsFrom, type AuditArgs, type FlagSpec } from "./commands/audit-options.js";

const byName = new Map<string, FlagSpec>(AUDIT_FLAGS.map((flag) => [flag.name, flag]));
const byAlias = new Map<string, FlagSpec>(AUDIT_FLAGS.filter((flag) => flag.alias).map((flag) => [flag.alias!, flag]));

export function parseAuditFast(args: readonly string[]): AuditArgs | undefined {
  if (args[0] !== "audit") return undefined;
  const values: Record<string, unknown> = {};
  const paths: string[] = [];
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "-" || !arg.startsWith("-")) {
      paths.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const equals = arg.indexOf("=");
      name = equals < 0 ? arg.slice(2) : arg.slice(2, equals);
      inline = equals < 0 ? undefined : arg.slice(equals + 1);
    } else if (arg.length === 2) {
      name = arg.slice(1);
    } else {
      return undefined;
    }
    let flag = arg.startsWith("--") ? byName.get(name) : byAlias.get(name);
    let negated = false;
    if (!flag && arg.startsWith("--no-")) {
      flag = byName.get(name.slice(3));
      negated = true;
      if (!flag?.negatable || inline !== undefined) return undefined;
    }
    if (!flag || (flag.key in values && !flag.repeatable)) return undefined;
    if (negated || flag.kind === "boolean") {
      if (inline !== undefined) return undefined;
      values[flag.key] = !negated;
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined || value === "" || (value.startsWith("-") && value !== "-")) return undefined;
    if (flag.choices && !flag.choices.includes(value)) return undefined;
    values[flag.key] = flag.repeatable ? [...((values[flag.key] as string[] | undefined) ?? []), value] : value;
  }
  return auditArgsFrom({ ...values, paths });
}
