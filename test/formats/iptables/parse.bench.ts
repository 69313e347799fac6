// Parse time of the iptables front end on the reference workload (../shared/bench/kube-dump.py: 109k lines, 12.5 MB)
// and on a tenth of it, to see the scaling. Run by hand: `npx vitest bench test/formats/iptables/parse.bench.ts`.

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { bench, describe } from "vitest";
import { iptablesFormat } from "../../../src/formats/iptables/index.js";
import { SourceFile } from "../../../src/model/source.js";
import { repoRoot } from "../../helpers/environment.js";

function dump(chains: number): string {
  const path = join(tmpdir(), `vpnlint-kube-${chains}.rules`);
  if (!existsSync(path)) execFileSync("python3", [resolve(repoRoot, "../shared/bench/kube-dump.py"), path, String(chains)], { timeout: 60_000 });
  return readFileSync(path, "utf8");
}

describe("iptables-save dump", () => {
  const small = dump(640);
  const large = dump(6400);
  bench("10k rules", () => {
    iptablesFormat.parse(new SourceFile("kube-10k.rules", small));
  }, { iterations: 10, warmupIterations: 1 });
  bench("100k rules", () => {
    iptablesFormat.parse(new SourceFile("kube-100k.rules", large));
  }, { iterations: 5, warmupIterations: 1 });
});
