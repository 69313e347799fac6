// The formatter registry: the CLI picks one by name.

import { formatGithub } from "./github.js";
import { formatJson } from "./json.js";
import { formatSarif } from "./sarif.js";
import { formatText } from "./text.js";
import type { Formatter, OutputFormat } from "./types.js";

export const formatters: Readonly<Record<OutputFormat, Formatter>> = {
  text: formatText,
  json: formatJson,
  sarif: formatSarif,
  github: formatGithub,
};

export const outputFormats = Object.keys(formatters) as OutputFormat[];

/** Formats meant for programs: no spinner, no colour, nothing but the document on stdout. */
export function isMachineFormat(format: OutputFormat): boolean {
  return format !== "text";
}

export type { Formatter, OutputFormat, ReportedFile, ReportInput, ToolInfo } from "./types.js";
