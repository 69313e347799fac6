// Placeholder CLI until the yargs front lands: `vpnlint audit FILE...` prints findings as text.

import { readFileSync } from "node:fs";
import { auditSource } from "../audit/index.js";
import { SourceFile } from "../model/source.js";

const [command, ...paths] = process.argv.slice(2);
if (command !== "audit" || paths.length === 0) {
  process.stderr.write("usage: vpnlint audit FILE...\n");
  process.exit(2);
}
let findings = 0;
for (const path of paths) {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    process.stderr.write(`vpnlint: ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? "error"})\n`);
    process.exit(2);
  }
  for (const finding of auditSource(new SourceFile(path, text)).findings) {
    findings++;
    const at = finding.location;
    process.stdout.write(`${at.file}:${at.startLine}:${at.startColumn} ${finding.severity} ${finding.message} [${finding.ruleId}]\n`);
  }
}
process.exit(findings > 0 ? 1 : 0);
