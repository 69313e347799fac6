// `npm run build`, first step: compiles the line checker (assembly/common-lines.ts, AssemblyScript) to
// dist/native/common-lines.wasm, which the CLI gives to src/formats/iptables/native-lines.ts. The test of the checker
// compiles the same source the same way (compileLineChecker) and asks that the file shipped is what it tested.
//
// usage: node scripts/build-native.mjs [--dist DIR]

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const LINE_CHECKER_SOURCE = join(repoRoot, "assembly", "common-lines.ts");

/** The compiled checker's bytes; throws with the compiler's messages when the source does not compile. */
export async function compileLineChecker() {
  const asc = await import("assemblyscript/asc");
  let binary;
  const messages = [];
  const stderr = { write: (text) => void messages.push(String(text)) };
  // No runtime (the checker allocates nothing), no assertions (bounds are the checker's own), optimized for speed.
  const result = await asc.main([LINE_CHECKER_SOURCE, "-O3", "--runtime", "stub", "--noAssert", "--enable", "simd", "--outFile", "common-lines.wasm"], {
    stdout: stderr,
    stderr,
    writeFile: (name, contents) => {
      if (name.endsWith(".wasm")) binary = contents;
    },
  });
  if (result.error || binary === undefined) throw new Error(`assembly/common-lines.ts does not compile:\n${messages.join("")}${result.error ?? ""}`);
  return binary;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--dist");
  const dist = at !== -1 && process.argv[at + 1] ? resolve(process.argv[at + 1]) : join(repoRoot, "dist");
  mkdirSync(join(dist, "native"), { recursive: true });
  writeFileSync(join(dist, "native", "common-lines.wasm"), await compileLineChecker());
}
