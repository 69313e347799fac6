// What every formatter receives: the audited files with their findings, the rule catalogue and the tool's identity.

import type { FormatId } from "../model/firewall.js";
import type { Finding, RuleMeta } from "../model/finding.js";
import type { SourceFile } from "../model/source.js";
import type { Roles } from "../rules/context.js";

export interface ReportedFile {
  /** As the user gave it (or `--stdin-filename`); the same string as `finding.location.file`. */
  readonly path: string;
  readonly format: FormatId;
  /** The file's text, for code frames and fingerprints of findings that carry no rule anchor. */
  readonly source?: SourceFile;
  readonly findings: readonly Finding[];
  /** What the audit concluded about the host (roles, interfaces), in words. */
  readonly facts?: readonly string[];
  /** The same, structured: each role's value, where it came from and why. */
  readonly roles?: Roles;
  /** The config file that applied to this file, if any. */
  readonly configPath?: string;
}

export interface ToolInfo {
  readonly name: string;
  readonly version: string;
  readonly informationUri: string;
}

export interface ReportInput {
  readonly files: readonly ReportedFile[];
  /** Every rule that can appear (SARIF lists them all); findings of an id missing here still get a minimal entry. */
  readonly rules: readonly RuleMeta[];
  readonly tool: ToolInfo;
  /** Absolute directory that relative URIs (SARIF `%SRCROOT%`) are taken from. */
  readonly cwd: string;
  /** Text output only: use ANSI colours. */
  readonly color: boolean;
}

export type OutputFormat = "text" | "json" | "sarif" | "github";

/** A formatter is a pure function from results to the text the CLI writes. */
export type Formatter = (input: ReportInput) => string;
