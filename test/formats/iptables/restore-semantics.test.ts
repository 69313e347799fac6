// Restore command semantics against the real iptables-legacy-restore: seeded random documents of -N -A -I -D -R -E
// -X -F -Z -P commands. vpnlint must report a diagnostic exactly when the real restore refuses the document, and when
// it loads, vpnlint's reprint must load to the same iptables-save output.

import { spawnSync } from "node:child_process";
import { expect, it } from "vitest";
import { iptablesFormat } from "../../../src/formats/iptables/index.js";
import { printIptablesSave } from "../../../src/formats/iptables/print.js";
import { SourceFile } from "../../../src/model/source.js";
import { describeWith, kernel } from "../../helpers/environment.js";
import { mulberry32 } from "../../helpers/random.js";

const DOCUMENTS = 120;
const USER_CHAINS = ["A", "B", "C"];
const BUILTINS = ["INPUT", "FORWARD", "OUTPUT"];
const SPECS = ["-j ACCEPT", "-p tcp --dport 22 -j DROP", "-p udp -m udp --dport 500 -j ACCEPT", "-s 192.0.2.1/32 -j RETURN", "-j A", "-g B", "-i eth0 -j C"];


function document(seed: number): string {
  const next = mulberry32(seed);
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const chain = (): string => (next() < 0.5 ? pick(BUILTINS) : pick(USER_CHAINS));
  const position = (): number => 1 + Math.floor(next() * 3);
  const lines = ["*filter"];
  for (const name of USER_CHAINS) if (next() < 0.9) lines.push(`:${name} - [0:0]`);
  const count = 3 + Math.floor(next() * 8);
  for (let i = 0; i < count; i++) {
    const r = next();
    if (r < 0.45) lines.push(`-A ${chain()} ${pick(SPECS)}`);
    else if (r < 0.57) lines.push(`-I ${chain()}${next() < 0.5 ? " 1" : ""} ${pick(SPECS)}`);
    else if (r < 0.65) lines.push(`-D ${chain()} ${next() < 0.5 ? position() : pick(SPECS)}`);
    else if (r < 0.7) lines.push(`-R ${chain()} ${position()} ${pick(SPECS)}`);
    else if (r < 0.76) lines.push(`-N ${pick(["B", "C", "D"])}`);
    else if (r < 0.8) lines.push(`-E ${pick(USER_CHAINS)} ${pick(["A", "B", "C", "D"])}`);
    else if (r < 0.85) lines.push(next() < 0.8 ? `-X ${pick(USER_CHAINS)}` : "-X");
    else if (r < 0.9) lines.push(next() < 0.7 ? `-F ${chain()}` : "-F");
    else if (r < 0.94) lines.push(`-Z ${chain()}`);
    else lines.push(`-P ${chain()} ${pick(["ACCEPT", "DROP"])}`);
  }
  lines.push("COMMIT", "");
  return lines.join("\n");
}

function realLoad(text: string): { ok: boolean; save: string } {
  const result = spawnSync("unshare", ["-n", "sh", "-c", "iptables-legacy-restore && iptables-legacy-save"], { input: text, encoding: "utf8", timeout: 15_000 });
  if (result.error) throw result.error;
  return { ok: result.status === 0, save: result.stdout.split("\n").filter((l) => !l.startsWith("#")).join("\n") };
}

describeWith(kernel, "restore command semantics against iptables-legacy-restore", () => {
  it(`agrees on ${DOCUMENTS} random documents`, () => {
    const disagreements: string[] = [];
    for (let seed = 1; seed <= DOCUMENTS; seed++) {
      const text = document(seed);
      const model = iptablesFormat.parse(new SourceFile(`seed-${seed}.rules`, text));
      const real = realLoad(text);
      const clean = model.diagnostics.length === 0;
      if (real.ok !== clean) {
        disagreements.push(`seed ${seed}: iptables ${real.ok ? "loads" : "refuses"} it, vpnlint says ${model.diagnostics.map((d) => d.message).join("; ") || "nothing"}\n${text}`);
        continue;
      }
      if (!real.ok) continue;
      const reprint = realLoad(printIptablesSave(model.rulesets[0]!));
      if (reprint.save !== real.save) disagreements.push(`seed ${seed}: reprint differs\n${text}\n--- real\n${real.save}\n--- reprint\n${reprint.save}`);
    }
    expect(disagreements).toEqual([]);
  });
});
