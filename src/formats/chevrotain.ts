// Chevrotain for every front end, loaded from its single-file ESM bundle: the package's main entry imports hundreds of lodash-es modules
// and costs about 230 ms of startup, the bundle about 10 ms. Same package, same version, same API. In the single-file
// build of the CLI (scripts/build-bundle.mjs) this module becomes a static re-export of that same file.

import { createRequire } from "node:module";
import type * as ChevrotainApi from "chevrotain";

async function load(): Promise<typeof ChevrotainApi> {
  try {
    const entry = createRequire(import.meta.url).resolve("chevrotain");
    return (await import(new URL("../chevrotain.min.mjs", `file://${entry}`).href)) as typeof ChevrotainApi;
  } catch {
    return import("chevrotain");
  }
}

const chevrotain = await load();

export const { createToken, Lexer, CstParser, EmbeddedActionsParser, generateCstDts } = chevrotain;

/** A lexer's type, for a variable that holds one built on first use (`let lexer: Lexer | undefined`). */
export type Lexer = ChevrotainApi.Lexer;
