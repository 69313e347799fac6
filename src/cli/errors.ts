// Errors meant for users: one line naming the file and the problem; all of them exit 2, in one place (run.ts).

import { escapeControl } from "../report/escape.js";

export type ErrorKind = "usage" | "io" | "internal";

export class VpnlintError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "VpnlintError";
  }
}

const ERRNO_WORDS: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a directory, expected a file",
  ENOTDIR: "not a directory (a part of the path is a file)",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "file name too long",
  EMFILE: "too many open files",
  ENXIO: "no such device or address",
  EIO: "input/output error",
  ENOSPC: "no space left on device",
  EROFS: "read-only file system",
};

/** `path: no such file or directory` from a Node fs error. */
export function fileError(path: string, error: unknown, doing = ""): VpnlintError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const words = (code && ERRNO_WORDS[code]) ?? (code ? code.toLowerCase() : String((error as Error)?.message ?? error));
  return new VpnlintError("io", `${path}: ${doing}${words}`);
}

/** A bug met while working on `path`: the user learns which file triggered it; `--debug` shows the stack. */
export function internalError(path: string, error: unknown): VpnlintError {
  const message = error instanceof Error ? error.message : String(error);
  return new VpnlintError("internal", `${path}: internal error: ${message.split("\n")[0]}`, { cause: error });
}

/**
 * The one line printed for any failure; `--debug` adds the stack of unexpected ones. Paths and arguments in it come
 * from the user or an attacker's file names, so control characters are escaped here, once for every error.
 */
export function describeFailure(error: unknown, debug: boolean): string {
  if (error instanceof VpnlintError) {
    const cause = error.cause instanceof Error ? error.cause : undefined;
    const line = `vpnlint: ${escapeControl(error.message)}`;
    if (error.kind !== "internal") return line;
    if (debug && cause?.stack) return `${line}\n${cause.stack}`;
    return `${line} (run with --debug for details)`;
  }
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = escapeControl(message.split("\n")[0] ?? "");
  if (debug && error instanceof Error && error.stack) return `vpnlint: internal error: ${firstLine}\n${error.stack}`;
  return `vpnlint: internal error: ${firstLine} (run with --debug for details)`;
}
