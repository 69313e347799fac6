// The CLI's window on the process: streams, environment, working directory. Tests pass their own.

/** yargs drops a lone `-` from variadic positionals; it travels under this name and commands map it back. */
export const STDIN_ARG = "\u0000-";

export interface OutputStream {
  write(text: string): void;
  readonly isTTY: boolean;
  readonly columns?: number;
}

export interface CliIo {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** The real stderr stream, for the spinner; absent in tests. */
  readonly stderrStream?: NodeJS.WriteStream;
  readStdin(): Promise<string>;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

/** A reader that leaves early (`vpnlint audit ... | head`) ends the report, not the process with a stack trace. */
function ignoreClosedReader(stream: NodeJS.WriteStream): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
}

export function processIo(): CliIo {
  ignoreClosedReader(process.stdout);
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: {
      write: (text) => void process.stdout.write(text),
      isTTY: process.stdout.isTTY === true,
      columns: process.stdout.columns,
    },
    stderr: {
      write: (text) => void process.stderr.write(text),
      isTTY: process.stderr.isTTY === true,
      columns: process.stderr.columns,
    },
    stderrStream: process.stderr,
    readStdin: () => readAll(process.stdin),
  };
}
