// The CST types in src/formats/iptables/cst-*.d.ts are generated from the grammars by Chevrotain's generateCstDts:
// this test fails when a grammar changed and they were not regenerated (VPNLINT_WRITE_CST=1 rewrites them).

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateCstDts } from "../../../src/formats/chevrotain.js";
import { restoreParser, shellParser } from "../../../src/formats/iptables/parser.js";
import { repoRoot } from "../../helpers/environment.js";

const HEADER = "// Generated from parser.ts by Chevrotain's generateCstDts (test/formats/iptables/cst.test.ts); do not edit.\n";

const generated: [file: string, text: string][] = [
  ["cst-restore.d.ts", generateCstDts(restoreParser.getGAstProductions(), { visitorInterfaceName: "RestoreCstVisitor" })],
  ["cst-shell.d.ts", generateCstDts(shellParser().getGAstProductions(), { visitorInterfaceName: "ShellCstVisitor" })],
];

describe("generated CST types", () => {
  for (const [file, text] of generated) {
    it(`${file} matches the grammar`, () => {
      const path = join(repoRoot, "src/formats/iptables", file);
      if (process.env.VPNLINT_WRITE_CST === "1") writeFileSync(path, HEADER + text);
      expect(readFileSync(path, "utf8")).toBe(HEADER + text);
    });
  }
});
