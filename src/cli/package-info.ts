// Where the installed package lives (for docs/ and package.json) and what it calls itself.

import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ToolInfo } from "../report/types.js";

/** This file is src/cli/package-info.ts or dist/cli/package-info.js: the package root is two levels up. */
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

let cached: ToolInfo | undefined;

export function toolInfo(): ToolInfo {
  if (cached) return cached;
  const manifest = JSON.parse(readFileSync(resolve(packageRoot, "package.json"), "utf8")) as { version?: string };
  cached = { name: "vpnlint", version: manifest.version ?? "0.0.0", informationUri: "https://github.com/vpnlint/vpnlint" };
  return cached;
}

/** The compiled line checker `npm run build` makes (assembly/common-lines.ts), or undefined when it is not there. */
export function compiledLineChecker(): Uint8Array | undefined {
  try {
    return readFileSync(resolve(packageRoot, "dist", "native", "common-lines.wasm"));
  } catch {
    return undefined;
  }
}

export function ruleDocPath(ruleId: string): string {
  return resolve(packageRoot, "docs", "rules", `${ruleId}.md`);
}
