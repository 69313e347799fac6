// The iptables corpus files and what the real iptables-legacy-restore 1.8.9 does with each (see
// ../shared/corpus/iptables/SOURCES.md and upstream-dumps/heredoc/INDEX.tsv); shared by the corpus and round-trip tests.

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { corpusRoot } from "../../helpers/environment.js";

export const DUMPS = "iptables/upstream-dumps/dumps";
export const HEREDOC = "iptables/upstream-dumps/heredoc";
export const REALWORLD = "iptables/realworld";

/** Files the real iptables refuses on their own, and why. */
const REFUSED: Readonly<Record<string, string>> = {
  "firewalld-restore__0001-firewalld_0.heredoc2.txt": "state-dependent: loads after heredoc1 (see the sequence test)",
  "firewalld-restore__0001-firewalld_0.heredoc4.txt": "state-dependent: loads after heredoc3 (see the sequence test)",
  "ipt-restore__0003-restore-ordering_0.heredoc2.txt": "state-dependent: loads after heredoc1 with --noflush",
  "ipt-restore__0003-restore-ordering_0.heredoc4.txt": "state-dependent: loads after heredoc3 with --noflush",
  "ipt-restore__0003-restore-ordering_0.heredoc6.txt": "state-dependent: loads after heredoc5 with --noflush",
  "ipt-restore__0014-verbose-restore_0.dump2.txt": "state-dependent: flushes and deletes chains dump1 created",
  "ipt-restore__0009-table-name-comment_0.heredoc1.txt": "deliberately invalid: -t inside a restore line",
  "Parser_Test__iptables-save": 'deliberately invalid: unknown option "--something-else"',
  "tests__ha__both-active__moon__iptables.rules": "PH_IP_* placeholders instead of addresses, and CLUSTERIP",
  "tests__ikev2-stroke__ip-two-pools-db__moon__iptables.rules": "PH_IP_* placeholders instead of addresses",
  "tests__ikev2__mobike-nat-mappings__alice__iptables.rules": "PH_IP_* placeholders instead of addresses",
  "before.rules": "jumps to ufw chains that ufw's other files create",
  "after.rules": "jumps to ufw chains that ufw's other files create",
  "before6.rules": "jumps to ufw chains that ufw's other files create",
};

/** Here-documents that upstream loads one after the other, with the flags upstream uses (INDEX.tsv). */
export const SEQUENCES: readonly (readonly [file: string, flags: string])[][] = [
  [
    ["firewalld-restore__0001-firewalld_0.heredoc1.txt", "-w -n"],
    ["firewalld-restore__0001-firewalld_0.heredoc2.txt", "-w -n"],
    ["firewalld-restore__0001-firewalld_0.heredoc3.txt", "-w -n"],
    ["firewalld-restore__0001-firewalld_0.heredoc4.txt", "-w -n"],
  ],
  [
    ["ipt-restore__0003-restore-ordering_0.heredoc1.txt", ""],
    ["ipt-restore__0003-restore-ordering_0.heredoc2.txt", "--noflush"],
  ],
  [
    ["ipt-restore__0003-restore-ordering_0.heredoc3.txt", ""],
    ["ipt-restore__0003-restore-ordering_0.heredoc4.txt", "--noflush"],
  ],
  [
    ["ipt-restore__0003-restore-ordering_0.heredoc5.txt", ""],
    ["ipt-restore__0003-restore-ordering_0.heredoc6.txt", "--noflush"],
  ],
  [
    ["ipt-restore__0014-verbose-restore_0.dump1.txt", ""],
    ["ipt-restore__0014-verbose-restore_0.dump2.txt", "-v --noflush"],
  ],
];

export interface CorpusFile {
  readonly name: string;
  readonly path: string;
}

/** Every iptables document of the corpus (dumps, here-documents, real-world files). */
export function corpusFiles(): CorpusFile[] {
  const files: CorpusFile[] = [];
  for (const dir of [DUMPS, HEREDOC]) {
    for (const name of readdirSync(join(corpusRoot, dir)).sort()) {
      if (name.endsWith(".tsv")) continue;
      files.push({ name, path: join(corpusRoot, dir, name) });
    }
  }
  for (const group of readdirSync(join(corpusRoot, REALWORLD)).sort()) {
    for (const name of readdirSync(join(corpusRoot, REALWORLD, group)).sort()) files.push({ name, path: join(corpusRoot, REALWORLD, group, name) });
  }
  return files;
}

export function isRefused(name: string): boolean {
  return name in REFUSED;
}
