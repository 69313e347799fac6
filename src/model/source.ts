// Input files and positions: nodes keep offsets only; line and column are computed here, once, when a finding needs them.

/** A loaded input file. `path` is as the user gave it (or --stdin-filename); `text` is the decoded content. */
export class SourceFile {
  private lineStarts: Uint32Array | undefined;

  constructor(
    readonly path: string,
    readonly text: string,
    /** The bytes `text` was read from, when each is one character of it (plain ASCII): searched natively. */
    private readonly ascii?: Buffer,
  ) {}

  /** The bytes of `text` when it is plain ASCII (one byte per character), else undefined. */
  get asciiBytes(): Buffer | undefined {
    return this.ascii;
  }

  /** The offset of the first `pattern` (ASCII) at or after `from`, or -1: `text.indexOf`, over the bytes when kept. */
  find(pattern: string, from: number): number {
    if (this.ascii === undefined) return this.text.indexOf(pattern, from);
    return this.ascii.indexOf(pattern, from, "latin1");
  }

  /** 1-based line and column (UTF-16 code units, SARIF's default column kind) of an offset. */
  position(offset: number): Position {
    const starts = this.lineIndex();
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: clamped - starts[lo]! + 1 };
  }

  /** The text of a 1-based line, without its line break. */
  lineText(line: number): string {
    const starts = this.lineIndex();
    if (line < 1 || line > starts.length) return "";
    const start = starts[line - 1]!;
    let end = line < starts.length ? starts[line]! - 1 : this.text.length;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return this.text.slice(start, end);
  }

  get lineCount(): number {
    return this.lineIndex().length;
  }

  private lineIndex(): Uint32Array {
    if (this.lineStarts) return this.lineStarts;
    // One pass, the array grown as needed (a dump has a line per ~100 characters).
    const text = this.text;
    let starts = new Uint32Array(Math.max(16, (text.length >> 6) + 1));
    let n = 1;
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) {
      if (n === starts.length) {
        const grown = new Uint32Array(starts.length * 2);
        grown.set(starts);
        starts = grown;
      }
      starts[n++] = i + 1;
    }
    this.lineStarts = starts.slice(0, n);
    return this.lineStarts;
  }
}

/** 1-based, as Chevrotain and SARIF count. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A span of a source file: `start` inclusive, `end` exclusive, both UTF-16 offsets into `source.text`. */
export interface SourceRange {
  readonly source: SourceFile;
  readonly start: number;
  readonly end: number;
}

/** A range turned into what reports print. `endColumn` is exclusive, as in SARIF regions. */
export interface ResolvedLocation {
  readonly file: string;
  readonly startLine: number;
  readonly startColumn: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export function rangeOf(source: SourceFile, start: number, end: number): SourceRange {
  return { source, start, end: Math.max(start, end) };
}

/** The one place where offsets become lines and columns. An empty range still covers one column, so annotations show. */
export function resolveRange(range: SourceRange): ResolvedLocation {
  const start = range.source.position(range.start);
  const end = range.source.position(range.end);
  const empty = end.line === start.line && end.column <= start.column;
  return {
    file: range.source.path,
    startLine: start.line,
    startColumn: start.column,
    endLine: end.line,
    endColumn: empty ? start.column + 1 : end.column,
  };
}
