// Config files: `.vpnlint.json` / `.vpnlint.yaml` found upward from each input (or forced with --config): roles,
// behind-nat, external interfaces, severity overrides, disabled rules, and the same per path under `overrides`.

import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { parse as parseYaml } from "yaml";
import type { Severity } from "../model/finding.js";
import type { RoleSettings } from "./roles.js";

export const CONFIG_FILE_NAMES = [".vpnlint.json", ".vpnlint.yaml", ".vpnlint.yml"] as const;

export type RuleSetting = Severity | "off";

/** Settings that apply to one file: roles plus what happens to each rule's findings. */
export interface FileSettings extends RoleSettings {
  /** Severity per rule id; `off` keeps the findings but marks them suppressed (kind `external`). */
  readonly rules: Readonly<Record<string, RuleSetting>>;
}

interface OverrideBlock extends FileSettings {
  readonly files: readonly string[];
  readonly matchers: readonly GlobMatcher[];
}

export interface LoadedConfig {
  readonly path: string;
  readonly base: FileSettings;
  readonly overrides: readonly OverrideBlock[];
}

/** A config file that cannot be read or does not make sense; the CLI reports it and exits with code 2. */
export class ConfigError extends Error {
  readonly code = "config";
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path}: ${detail}`);
    this.name = "ConfigError";
  }
}

const ROLE_VALUES = new Set(["endpoint", "gateway"]);
const SEVERITIES = new Set(["error", "warning", "note", "off"]);

type Raw = Record<string, unknown>;

function isObject(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads a key under its kebab-case or camelCase spelling. */
function pick(raw: Raw, ...names: string[]): unknown {
  for (const name of names) if (name in raw) return raw[name];
  return undefined;
}

function stringList(path: string, key: string, value: unknown): string[] {
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.some((item) => typeof item !== "string" || item === "")) {
    throw new ConfigError(path, `"${key}" must be a string or a list of strings`);
  }
  return list as string[];
}

const KNOWN_KEYS = new Set(["role", "roles", "behind-nat", "behindNat", "external-interface", "external-interfaces", "externalInterfaces", "rules", "disable", "overrides", "files", "$schema"]);

function readSettings(path: string, raw: Raw, knownIds: ReadonlySet<string>, where: string): FileSettings {
  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYS.has(key) || (key === "files" && where === "")) throw new ConfigError(path, `unknown setting "${where}${key}"`);
  }
  const settings: { roles?: ("endpoint" | "gateway")[]; behindNat?: boolean; externalInterfaces?: string[]; rules: Record<string, RuleSetting> } = { rules: {} };
  const roles = pick(raw, "roles", "role");
  if (roles !== undefined) {
    const list = stringList(path, `${where}role`, roles);
    for (const role of list) if (!ROLE_VALUES.has(role)) throw new ConfigError(path, `"${where}role" must be endpoint or gateway, not "${role}"`);
    settings.roles = list as ("endpoint" | "gateway")[];
  }
  const behindNat = pick(raw, "behind-nat", "behindNat");
  if (behindNat !== undefined) {
    if (typeof behindNat !== "boolean") throw new ConfigError(path, `"${where}behind-nat" must be true or false`);
    settings.behindNat = behindNat;
  }
  const external = pick(raw, "external-interfaces", "externalInterfaces", "external-interface");
  if (external !== undefined) settings.externalInterfaces = stringList(path, `${where}external-interfaces`, external);
  const checkId = (id: string): string => {
    const upper = id.toUpperCase();
    if (!knownIds.has(upper)) throw new ConfigError(path, `unknown rule "${id}" in "${where}rules"`);
    return upper;
  };
  const rules = raw["rules"];
  if (rules !== undefined) {
    if (!isObject(rules)) throw new ConfigError(path, `"${where}rules" must map rule ids to error, warning, note or off`);
    for (const [id, value] of Object.entries(rules)) {
      if (typeof value !== "string" || !SEVERITIES.has(value)) throw new ConfigError(path, `"${where}rules.${id}" must be error, warning, note or off`);
      settings.rules[checkId(id)] = value as RuleSetting;
    }
  }
  const disable = raw["disable"];
  if (disable !== undefined) for (const id of stringList(path, `${where}disable`, disable)) settings.rules[checkId(id)] = "off";
  return settings;
}

/** A compiled glob: `test(path)` says whether a `/`-separated path matches. */
export interface GlobMatcher {
  test(path: string): boolean;
}

/** One step of a glob: a literal character, `?`, `*` (within a segment), `**` (across segments), `**` + `/` (whole segments). */
type GlobToken = { readonly kind: "char"; readonly char: string } | { readonly kind: "one" | "star" | "globstar" | "segments" };

/**
 * A glob over `/`-separated paths relative to the config's directory: `**` spans directories, `*` and `?` stay inside
 * one. Matched by simulating all glob positions at once, so time is length(glob) x length(path) whatever the glob:
 * a regular expression of `*a*a*a*...` backtracks exponentially, and a config file comes with pull requests.
 */
export function compileGlob(glob: string): GlobMatcher {
  const tokens: GlobToken[] = [];
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === "*" && glob[i + 1] === "*") {
      const slash = glob[i + 2] === "/";
      // `**/` is "zero or more whole segments": a run ending in `/` (the char token after it), or nothing at all.
      tokens.push({ kind: slash ? "segments" : "globstar" });
      if (slash) tokens.push({ kind: "char", char: "/" });
      i += slash ? 2 : 1;
    } else if (char === "*") tokens.push({ kind: "star" });
    else if (char === "?") tokens.push({ kind: "one" });
    else tokens.push({ kind: "char", char });
  }
  const end = tokens.length;
  const close = (states: Uint8Array): void => {
    for (let s = 0; s < end; s++) {
      if (!states[s]) continue;
      const kind = tokens[s]!.kind;
      if (kind === "star" || kind === "globstar") states[s + 1] = 1;
      else if (kind === "segments") states[s + 2] = 1;
    }
  };
  return {
    test(path: string): boolean {
      let states = new Uint8Array(end + 1);
      states[0] = 1;
      close(states);
      for (const char of path) {
        const next = new Uint8Array(end + 1);
        let alive = false;
        for (let s = 0; s < end; s++) {
          if (!states[s]) continue;
          const token = tokens[s]!;
          const stay = token.kind === "globstar" || token.kind === "segments" || (token.kind === "star" && char !== "/");
          const advance = token.kind === "char" ? token.char === char : token.kind === "one" && char !== "/";
          if (stay) next[s] = 1;
          if (advance) next[s + 1] = 1;
          alive ||= stay || advance;
        }
        if (!alive) return false;
        close(next);
        states = next;
      }
      return states[end] === 1;
    },
  };
}

export function parseConfig(path: string, text: string, knownIds: ReadonlySet<string>): LoadedConfig {
  let raw: unknown;
  try {
    raw = path.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(path, `cannot parse: ${(error as Error).message.split("\n")[0]}`);
  }
  if (raw === null || raw === undefined) raw = {};
  if (!isObject(raw)) throw new ConfigError(path, "the top level must be a mapping of settings");
  const base = readSettings(path, raw, knownIds, "");
  const overridesRaw = raw["overrides"];
  const overrides: OverrideBlock[] = [];
  if (overridesRaw !== undefined) {
    if (!Array.isArray(overridesRaw)) throw new ConfigError(path, `"overrides" must be a list`);
    overridesRaw.forEach((block, n) => {
      const where = `overrides[${n}].`;
      if (!isObject(block)) throw new ConfigError(path, `"${where.slice(0, -1)}" must be a mapping`);
      if ("overrides" in block) throw new ConfigError(path, `"${where}overrides" cannot nest`);
      const files = stringList(path, `${where}files`, block["files"] ?? []);
      if (files.length === 0) throw new ConfigError(path, `"${where}files" must list at least one glob`);
      overrides.push({ ...readSettings(path, block, knownIds, where), files, matchers: files.map(compileGlob) });
    });
  }
  return { path, base, overrides };
}

/** The settings for `filePath`: the base, then every override whose globs match, in order (later wins). */
export function settingsFor(config: LoadedConfig | undefined, filePath: string): FileSettings {
  if (!config) return { rules: {} };
  const relativePath = relative(dirname(resolve(config.path)), resolve(filePath)).split(sep).join("/");
  let settings: FileSettings = config.base;
  for (const block of config.overrides) {
    if (!block.matchers.some((matcher) => matcher.test(relativePath))) continue;
    settings = {
      ...settings,
      ...(block.roles ? { roles: block.roles } : {}),
      ...(block.behindNat !== undefined ? { behindNat: block.behindNat } : {}),
      ...(block.externalInterfaces ? { externalInterfaces: block.externalInterfaces } : {}),
      rules: { ...settings.rules, ...block.rules },
    };
  }
  return settings;
}

/** Loads config files once per path and looks them up once per directory. */
export class ConfigLoader {
  private readonly loaded = new Map<string, LoadedConfig>();
  private readonly byDirectory = new Map<string, string | null>();

  constructor(private readonly knownIds: ReadonlySet<string>) {}

  load(path: string): LoadedConfig {
    const absolute = resolve(path);
    let config = this.loaded.get(absolute);
    if (!config) {
      let text: string;
      try {
        text = readFileSync(absolute, "utf8");
      } catch (error) {
        throw new ConfigError(path, `cannot read (${(error as NodeJS.ErrnoException).code ?? "error"})`);
      }
      config = parseConfig(path, text, this.knownIds);
      this.loaded.set(absolute, config);
    }
    return config;
  }

  /** The nearest config file in the input's directory or above it, if any. */
  find(inputPath: string): string | undefined {
    let directory = dirname(resolve(inputPath));
    const visited: string[] = [];
    let found: string | null | undefined;
    for (;;) {
      found = this.byDirectory.get(directory);
      if (found !== undefined) break;
      visited.push(directory);
      found = CONFIG_FILE_NAMES.map((name) => join(directory, name)).find((candidate) => existsSync(candidate) && statSync(candidate).isFile()) ?? null;
      if (found) break;
      const parent = dirname(directory);
      if (parent === directory) break;
      directory = parent;
    }
    for (const dir of visited) this.byDirectory.set(dir, found ?? null);
    return found ?? undefined;
  }

  /** The config for an input: the forced one, else the nearest. */
  forInput(inputPath: string, forced?: string): LoadedConfig | undefined {
    if (forced) return this.load(isAbsolute(forced) ? forced : resolve(forced));
    const found = this.find(inputPath);
    return found ? this.load(found) : undefined;
  }
}
