// The value of one shell word as sh would pass it to iptables: quotes removed, escapes resolved, `$VAR` expanded
// from the script's own plain assignments. What the script cannot tell us (`$1`, `$(cmd)`, loop variables) stays
// written as is and is flagged unresolved, so no syntax error is reported about it.

export interface ShellValue {
  readonly text: string;
  readonly quoted: boolean;
  /** Holds an expansion we could not resolve. */
  readonly unresolved: boolean;
  /** Offset inside the word where a quote opens that never closes. */
  readonly unterminatedAt?: number;
  /** An unquoted lone `$VAR` with a known value: sh splits it into fields (`IPT="sudo iptables"`). */
  readonly fields?: readonly string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
/** The characters that end a plain run of an unquoted word. */
const SPECIAL = /[\\'"$`]/g;
const LONE_VARIABLE = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$/;

export function decodeShellWord(image: string, variables: ReadonlyMap<string, string>): ShellValue {
  const lone = LONE_VARIABLE.exec(image);
  if (lone) {
    const value = variables.get(lone[1] ?? lone[2]!);
    if (value === undefined) return { text: image, quoted: false, unresolved: true };
    const fields = value.split(/[ \t\n]+/).filter((f) => f.length > 0);
    return { text: value, quoted: false, unresolved: false, fields };
  }
  let text = "";
  let quoted = false;
  let unresolved = false;
  let i = 0;
  const n = image.length;
  const expand = (): void => {
    // image[i] === "$"
    const rest = image.slice(i + 1);
    if (rest.startsWith("(")) {
      let depth = 0;
      let j = i + 1;
      for (; j < n; j++) {
        if (image[j] === "(") depth++;
        else if (image[j] === ")" && --depth === 0) break;
      }
      text += image.slice(i, j + 1);
      unresolved = true;
      i = j + 1;
      return;
    }
    if (rest.startsWith("{")) {
      const close = image.indexOf("}", i);
      const inner = close === -1 ? rest.slice(1) : image.slice(i + 2, close);
      const name = NAME.exec(inner)?.[0];
      const value = name !== undefined && name.length === inner.length ? variables.get(name) : undefined;
      if (value === undefined) {
        text += close === -1 ? image.slice(i) : image.slice(i, close + 1);
        unresolved = true;
      } else {
        text += value;
      }
      i = close === -1 ? n : close + 1;
      return;
    }
    const name = NAME.exec(rest)?.[0];
    if (name !== undefined) {
      const value = variables.get(name);
      if (value === undefined) {
        text += `$${name}`;
        unresolved = true;
      } else {
        text += value;
      }
      i += 1 + name.length;
      return;
    }
    if (/^[0-9@*#?$!-]/.test(rest)) {
      text += image.slice(i, i + 2);
      unresolved = true;
      i += 2;
      return;
    }
    text += "$";
    i++;
  };
  while (i < n) {
    const c = image[i]!;
    if (c === "\\") {
      if (image[i + 1] !== "\n") text += image[i + 1] ?? "";
      i += 2;
    } else if (c === "'") {
      quoted = true;
      const close = image.indexOf("'", i + 1);
      if (close === -1) return { text: text + image.slice(i + 1), quoted, unresolved, unterminatedAt: i };
      text += image.slice(i + 1, close);
      i = close + 1;
    } else if (c === '"') {
      quoted = true;
      const open = i;
      i++;
      while (i < n && image[i] !== '"') {
        const d = image[i]!;
        if (d === "\\" && i + 1 < n && '$`"\\\n'.includes(image[i + 1]!)) {
          if (image[i + 1] !== "\n") text += image[i + 1];
          i += 2;
        } else if (d === "$") {
          expand();
        } else if (d === "`") {
          const close = image.indexOf("`", i + 1);
          text += close === -1 ? image.slice(i) : image.slice(i, close + 1);
          unresolved = true;
          i = close === -1 ? n : close + 1;
        } else {
          text += d;
          i++;
        }
      }
      if (i >= n) return { text, quoted, unresolved, unterminatedAt: open };
      i++;
    } else if (c === "$") {
      expand();
    } else if (c === "`") {
      const close = image.indexOf("`", i + 1);
      if (close === -1) return { text: text + image.slice(i), quoted, unresolved: true, unterminatedAt: i };
      text += image.slice(i, close + 1);
      unresolved = true;
      i = close + 1;
    } else {
      SPECIAL.lastIndex = i;
      const next = SPECIAL.exec(image)?.index ?? n;
      text += image.slice(i, next);
      i = next;
    }
  }
  return { text, quoted, unresolved };
}
