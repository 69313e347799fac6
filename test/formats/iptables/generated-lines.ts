// Generated `-A` lines of the shapes dumps write, and damage done to them: shared by the tests of the common reader
// (common-lines.test.ts) and of its compiled counterpart (native-lines.test.ts).

export const USER_CHAINS = ["KUBE-SVC-1", "KUBE-SEP-1", "FW-1", "KUBE-MARK-MASQ", "-odd", "LOG-IT"];

/** Lines of the shapes kube-proxy and filtering dumps write, mostly valid, sometimes with values iptables refuses. */
export function sampleLine(random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const rare = <T>(common: readonly T[], odd: readonly T[]): T => (random() < 0.9 ? pick(common) : pick(odd));
  const ip = () =>
    `${pick(["10", "198.18", "192.0"])}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}${rare(["/32", "/24", "", "/16"], ["/0", "/255.255.0.0", "/33", ".7", "/255.0.255.0", ",10.0.0.1"])}`;
  const port = () => rare(["22", "500", "4500", "1701", "0", "65535", "1000:2000", ":1024", "https", "ssh"], ["65536", "2000:1000", "isakmp", "x", '"22"']);
  const parts: string[] = [`-A ${rare(["FW-1", "KUBE-SVC-1", "KUBE-SEP-1", "INPUT", "FORWARD"], ["OUTPUT", "PREROUTING", "POSTROUTING", "NOPE", "-odd", '"FW-1"'])}`];
  if (random() < 0.6) parts.push(`${random() < 0.1 ? "! " : ""}-s ${ip()}`);
  if (random() < 0.3) parts.push(`${random() < 0.1 ? "! " : ""}-d ${ip()}`);
  if (random() < 0.2) parts.push(`${random() < 0.1 ? "! " : ""}-i ${rare(["eth0", "eth+", "+", "lo"], ["averyveryverylongname0", "-o", '"eth0"'])}`);
  if (random() < 0.1) parts.push(`-o ${rare(["eth1", "ppp+"], ["+"])}`);
  const proto = rare(["tcp", "udp", "tcp", "udp", "esp", ""], ["all", "6", "TCP", "icmp", "nope", '"tcp"']);
  if (proto !== "") parts.push(`${random() < 0.05 ? "! " : ""}-p ${proto}`);
  const modules: string[] = [];
  if (random() < 0.6) modules.push(`-m comment --comment ${rare(['"ns/svc:http -> ep2"', "plain", '""'], ['"-j"', '"a\\"b"', "!"])}`);
  if (random() < 0.3) modules.push(`-m statistic --mode ${rare(["random"], ["nth"])} --probability ${rare(["0.33333", "0.5", "1", "0"], ["1.5", "x", "-0.1", ".5"])}`);
  if (random() < 0.6) {
    const ports = [`-m ${random() < 0.9 ? proto.toLowerCase() : pick(["tcp", "udp"])}`];
    if (random() < 0.8) ports.push(`${random() < 0.1 ? "! " : ""}--dport ${port()}`);
    if (random() < 0.2) ports.push(`--sport ${port()}`);
    modules.push(ports.join(" "));
  }
  if (random() < 0.5) modules.reverse();
  parts.push(...modules);
  if (random() < 0.9) {
    const target = rare(
      ["ACCEPT", "DROP", "RETURN", "KUBE-SVC-1", "KUBE-MARK-MASQ", "MARK --set-xmark 0x4000/0x4000", "DNAT --to-destination 10.244.1.7:8080", "DNAT --to-destination 192.0.2.1"],
      ["QUEUE", "INPUT", "NOPE", "MARK", "REJECT", "MARK --set-xmark 0x1", "MARK --set-mark 1", "MARK --set-xmark x", "LOG-IT", "DNAT --to-destination 10.0.0.1-10.0.0.2:80", "DNAT --to-destination :80", "DNAT --to-destination 10.0.0.1:80-90", "DNAT --to-destination 10.0.0.1:http", "DNAT --to-destination 10.0.0.1: --random", "DNAT --to-destination 10.0.0.1:99999"],
    );
    parts.push(`${rare(["-j"], ["-g"])} ${target}`);
  }
  return parts.join(" ");
}

/** Character- and word-level damage: what a hand-edited or corrupted dump holds. */
export function mutate(line: string, random: () => number): string {
  const words = line.split(" ");
  const at = Math.floor(random() * words.length);
  switch (Math.floor(random() * 8)) {
    case 0:
      words.splice(Math.max(1, at), 1);
      return words.join(" ");
    case 1:
      words.splice(at, 0, words[at]!);
      return words.join(" ");
    case 2: {
      const other = Math.floor(random() * words.length);
      [words[at], words[other]] = [words[other]!, words[at]!];
      return words.join(" ");
    }
    case 3:
      words.splice(Math.max(2, at), 0, "!");
      return words.join(" ");
    case 4:
      words[at] = pick(random, ["--dport", "-m", "tcp", "1.2.3.4", "!", "-j", "--comment", "x", "--sport", "-p", "eth0", "-4", "-t", "-c", "--set-xmark", "--probability"]);
      return words.join(" ");
    case 5:
      return line.replace(" ", pick(random, ["  ", "\t", " \\ "]));
    case 6:
      return `${line}${pick(random, [" ", "\t", '"', "\\", " #"])}`;
    default: {
      const i = Math.floor(random() * line.length);
      return line.slice(0, i) + pick(random, ['"', "\\", " ", "", "\u0000", "\u00e9", "-", "/", ":"]) + line.slice(i + 1);
    }
  }
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** Ten sampled lines, each followed by four mutations of it (one mutated twice): fifty lines. */
export function generatedBlock(random: () => number): string[] {
  const lines: string[] = [];
  for (let n = 0; n < 10; n++) {
    const line = sampleLine(random);
    lines.push(line, mutate(line, random), mutate(line, random), mutate(mutate(line, random), random), mutate(line, random));
  }
  return lines;
}

export function document(lines: readonly string[], table: "filter" | "nat"): string {
  const builtins = table === "filter" ? ["INPUT", "FORWARD", "OUTPUT"] : ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"];
  return [`*${table}`, ...builtins.map((c) => `:${c} ACCEPT [0:0]`), ...USER_CHAINS.map((c) => `:${c} - [0:0]`), ...lines, "COMMIT", ""].join("\n");
}
