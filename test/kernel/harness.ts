// Throwaway hosts for kernel tests: network namespaces joined by veth pairs (TEST-NET addresses only), rulesets loaded
// with the real iptables-legacy-restore, forged probes sent by a probe agent, verdicts read from rule counters.

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PREFIX = "vpnlint-eng-";
const AGENT = join(dirname(fileURLToPath(import.meta.url)), "probe-agent.py");
let counter = 0;

function sh(args: readonly string[], input?: string): string {
  const done = spawnSync(args[0]!, args.slice(1), { encoding: "utf8", timeout: 10_000, ...(input !== undefined ? { input } : {}) });
  if (done.error || done.status !== 0) throw new Error(`${args.join(" ")} failed: ${done.error?.message ?? done.stderr.trim()}`);
  return done.stdout;
}

/** Deletes namespaces with our prefix whose creating process is gone (a crashed earlier run). */
export function cleanupLeftovers(): void {
  for (const line of sh(["ip", "netns", "list"]).split("\n")) {
    const name = line.split(" ")[0] ?? "";
    const m = /^vpnlint-eng-(\d+)-/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive || pid === process.pid) spawnSync("ip", ["netns", "del", name], { timeout: 10_000 });
  }
}

function newNamespace(role: string): string {
  const name = `${PREFIX}${process.pid}-${counter++}-${role}`;
  sh(["ip", "netns", "add", name]);
  sh(["ip", "-n", name, "link", "set", "lo", "up"]);
  return name;
}

function mac(ns: string, dev: string): string {
  const info = JSON.parse(sh(["ip", "-n", ns, "-j", "link", "show", dev])) as { address: string }[];
  return info[0]!.address;
}

export interface Probe {
  readonly via: string;
  readonly proto: number;
  readonly src: string;
  readonly dst: string;
  readonly sport?: number;
  readonly dport?: number;
  /** Unique per probe: IP id, TCP sequence, ICMP id, ESP/AH SPI. */
  readonly seq: number;
  readonly tag: string;
}

/** One packet-filter counter: a rule (chain, 1-based index) or a chain policy (index 0). */
export interface Counter {
  readonly table: string;
  readonly chain: string;
  readonly index: number;
  readonly packets: number;
  readonly line: string;
}

/** Parses `iptables-save -c` output into counters. */
export function parseCounters(text: string): Counter[] {
  const out: Counter[] = [];
  let table = "";
  const seen = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line.startsWith("*")) table = line.slice(1).trim();
    const policy = /^:(\S+) (\S+) \[(\d+):\d+\]/.exec(line);
    if (policy) out.push({ table, chain: policy[1]!, index: 0, packets: Number(policy[3]), line });
    const rule = /^\[(\d+):\d+\] -A (\S+)/.exec(line);
    if (rule) {
      const key = `${table}/${rule[2]}`;
      const index = (seen.get(key) ?? 0) + 1;
      seen.set(key, index);
      out.push({ table, chain: rule[2]!, index, packets: Number(rule[1]), line });
    }
  }
  return out;
}

/** Counters that moved between two dumps (a rule hit twice counts twice). */
export function counterDelta(before: readonly Counter[], after: readonly Counter[]): Counter[] {
  const old = new Map(before.map((c) => [`${c.table}/${c.chain}/${c.index}`, c.packets]));
  return after.filter((c) => c.packets !== (old.get(`${c.table}/${c.chain}/${c.index}`) ?? 0)).map((c) => ({ ...c, packets: c.packets - (old.get(`${c.table}/${c.chain}/${c.index}`) ?? 0) }));
}

class Agent {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = "";
  private waiting: ((line: string) => void)[] = [];
  private stderr = "";

  constructor(home: string, sender: string, devices: readonly string[]) {
    this.child = spawn("ip", ["netns", "exec", home, "python3", AGENT, sender, devices.join(",")], { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (chunk: string) => {
      this.buffer += chunk;
      for (let nl = this.buffer.indexOf("\n"); nl >= 0; nl = this.buffer.indexOf("\n")) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        this.waiting.shift()?.(line);
      }
    });
    this.child.stderr.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  request<T>(command: object, timeoutMs = 60_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`probe agent timed out (${this.stderr.trim()})`)), timeoutMs);
      this.waiting.push((line) => {
        clearTimeout(timer);
        resolve(JSON.parse(line) as T);
      });
      this.child.stdin.write(JSON.stringify(command) + "\n", (error) => {
        if (error) {
          clearTimeout(timer);
          reject(new Error(`probe agent is gone: ${this.stderr.trim() || error.message}`));
        }
      });
    });
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}

/**
 * Two hosts: a sender, and a target whose INPUT we test. Two veth links: sender vA <-> target eth0 and
 * sender vB <-> target eth1. The target owns 203.0.113.1 (eth0) and 203.0.113.2 (eth1); it accepts any source.
 */
export class TwoHostLab {
  readonly sender = newNamespace("s");
  readonly target = newNamespace("t");
  private readonly agent: Agent;
  static readonly targetAddresses = ["203.0.113.1", "203.0.113.2"] as const;

  constructor() {
    try {
      const { sender, target } = this;
      const links: [string, string, string, string][] = [
        ["vA", "eth0", "203.0.113.254/24", "203.0.113.1/24"],
        ["vB", "eth1", "203.0.113.253/24", "203.0.113.2/24"],
      ];
      for (const [outer, inner, outerAddr, innerAddr] of links) {
        sh(["ip", "-n", sender, "link", "add", outer, "type", "veth", "peer", "name", inner, "netns", target]);
        sh(["ip", "-n", sender, "addr", "add", outerAddr, "dev", outer]);
        sh(["ip", "-n", target, "addr", "add", innerAddr, "dev", inner]);
        sh(["ip", "-n", sender, "link", "set", outer, "up"]);
        sh(["ip", "-n", target, "link", "set", inner, "up"]);
      }
      for (const key of ["all", "default", "eth0", "eth1"]) sh(["ip", "netns", "exec", target, "sysctl", "-qw", `net.ipv4.conf.${key}.rp_filter=0`]);
      sh(["ip", "-n", target, "route", "add", "default", "via", "203.0.113.254", "dev", "eth0"]);
      // Static neighbours: no probe waits for ARP; and the target's replies to forged on-link sources never meet a
      // failed ARP, whose "host unreachable" would come back to the target's own INPUT as extra packets.
      for (const [outer, inner] of links) {
        for (const addr of TwoHostLab.targetAddresses) sh(["ip", "-n", sender, "neigh", "replace", addr, "lladdr", mac(target, inner), "dev", outer, "nud", "permanent"]);
        const neighbours = Array.from({ length: 252 }, (_, i) => `neigh replace 203.0.113.${i + 3} lladdr ${mac(sender, outer)} dev ${inner} nud permanent`);
        sh(["ip", "-n", target, "-batch", "-"], neighbours.join("\n") + "\n");
      }
      this.agent = new Agent(target, sender, ["vA", "vB"]);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  async load(text: string): Promise<void> {
    const answer = await this.agent.request<{ ok: boolean; error: string }>({ op: "load", text });
    if (!answer.ok) throw new Error(`iptables-legacy-restore refused the ruleset: ${answer.error}\n${text}`);
  }

  async counters(): Promise<Counter[]> {
    const answer = await this.agent.request<{ ok: boolean; text: string; error: string }>({ op: "save" });
    if (!answer.ok) throw new Error(`iptables-legacy-save failed: ${answer.error}`);
    return parseCounters(answer.text);
  }

  /** Sends each probe alone and returns, per probe, the counters it moved. */
  async probe(probes: readonly Probe[]): Promise<Counter[][]> {
    const before = await this.counters();
    const answer = await this.agent.request<{ ok: boolean; dumps: string[] }>({ op: "probes", probes });
    const out: Counter[][] = [];
    let previous = before;
    for (const dump of answer.dumps) {
      const now = parseCounters(dump);
      out.push(counterDelta(previous, now));
      previous = now;
    }
    return out;
  }

  close(): void {
    this.agent?.close();
    for (const ns of [this.sender, this.target]) spawnSync("ip", ["netns", "del", ns], { timeout: 10_000 });
  }
}

/**
 * Three hosts in a row: client (203.0.113.254) - eth0 gateway eth1 - server (198.51.100.10). The gateway forwards;
 * rulesets are loaded on the gateway, delivery is read from counting rules on the server.
 */
export class GatewayLab {
  readonly client = newNamespace("c");
  readonly gateway = newNamespace("g");
  readonly server = newNamespace("v");
  private readonly agent: Agent;

  constructor() {
    try {
      const { client, gateway, server } = this;
      sh(["ip", "-n", client, "link", "add", "wan", "type", "veth", "peer", "name", "eth0", "netns", gateway]);
      sh(["ip", "-n", server, "link", "add", "lan", "type", "veth", "peer", "name", "eth1", "netns", gateway]);
      sh(["ip", "-n", client, "addr", "add", "203.0.113.254/24", "dev", "wan"]);
      sh(["ip", "-n", gateway, "addr", "add", "203.0.113.1/24", "dev", "eth0"]);
      sh(["ip", "-n", gateway, "addr", "add", "198.51.100.1/24", "dev", "eth1"]);
      sh(["ip", "-n", server, "addr", "add", "198.51.100.10/24", "dev", "lan"]);
      for (const [ns, dev] of [[client, "wan"], [gateway, "eth0"], [gateway, "eth1"], [server, "lan"]] as const) sh(["ip", "-n", ns, "link", "set", dev, "up"]);
      sh(["ip", "-n", server, "route", "add", "default", "via", "198.51.100.1"]);
      sh(["ip", "-n", client, "route", "add", "default", "via", "203.0.113.1"]);
      sh(["ip", "netns", "exec", gateway, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
      for (const key of ["all", "default", "eth0", "eth1"]) sh(["ip", "netns", "exec", gateway, "sysctl", "-qw", `net.ipv4.conf.${key}.rp_filter=0`]);
      sh(["ip", "-n", client, "neigh", "replace", "203.0.113.1", "lladdr", mac(gateway, "eth0"), "dev", "wan", "nud", "permanent"]);
      sh(["ip", "-n", gateway, "neigh", "replace", "198.51.100.10", "lladdr", mac(server, "lan"), "dev", "eth1", "nud", "permanent"]);
      this.agent = new Agent(gateway, client, ["wan"]);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  async load(text: string, on: "gateway" | "server"): Promise<void> {
    const answer = await this.agent.request<{ ok: boolean; error: string }>({ op: "load", text, ...(on === "server" ? { ns: this.server } : {}) });
    if (!answer.ok) throw new Error(`iptables-legacy-restore refused the ruleset: ${answer.error}\n${text}`);
  }

  async counters(on: "gateway" | "server"): Promise<Counter[]> {
    const answer = await this.agent.request<{ ok: boolean; text: string; error: string }>({ op: "save", ...(on === "server" ? { ns: this.server } : {}) });
    if (!answer.ok) throw new Error(`iptables-legacy-save failed: ${answer.error}`);
    return parseCounters(answer.text);
  }

  async send(probes: readonly Probe[]): Promise<void> {
    await this.agent.request({ op: "send", probes });
  }

  close(): void {
    this.agent?.close();
    for (const ns of [this.client, this.gateway, this.server]) spawnSync("ip", ["netns", "del", ns], { timeout: 10_000 });
  }
}
