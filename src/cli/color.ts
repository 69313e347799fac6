// Whether text output gets ANSI colours: --color/--no-color, then NO_COLOR and FORCE_COLOR, then "is it a terminal".

import type { CliIo } from "./io.js";

export function useColor(flag: boolean | undefined, io: CliIo, toFile: boolean): boolean {
  if (flag !== undefined) return flag;
  if (toFile) return false;
  const { NO_COLOR, FORCE_COLOR, TERM } = io.env;
  if (NO_COLOR !== undefined && NO_COLOR !== "") return false;
  if (FORCE_COLOR !== undefined) return FORCE_COLOR !== "0" && FORCE_COLOR !== "false";
  return io.stdout.isTTY && TERM !== "dumb";
}
