// Chevrotain for every front end, loaded from its single-file ESM bundle: the package's main entry imports hundreds of lodash-es modules
// and costs about 230 ms of startup, the bundle about 10 ms. Same package, same version, same API.

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
