#!/usr/bin/env python3
# Probe agent for the kernel tests: runs inside the target namespace, sends forged probes from the sender namespace
# through chosen veth links, and loads/reads iptables-legacy rulesets. Commands and answers are JSON lines.
import ctypes, json, os, re, socket, struct, subprocess, sys, time

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns failed")


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def l4(probe, src, dst):
    proto, tag = probe["proto"], probe["tag"].encode()
    if proto in (6, 17):
        pseudo = lambda seg: struct.pack("!4s4sBBH", src, dst, 0, proto, len(seg))
        if proto == 17:
            seg = struct.pack("!HHHH", probe["sport"], probe["dport"], 8 + len(tag), 0) + tag
            csum = checksum(pseudo(seg) + seg) or 0xFFFF
            return seg[:6] + struct.pack("!H", csum) + seg[8:]
        seg = struct.pack("!HHIIBBHHH", probe["sport"], probe["dport"], probe["seq"], 0, 5 << 4, 0x02, 64240, 0, 0) + tag
        return seg[:16] + struct.pack("!H", checksum(pseudo(seg) + seg)) + seg[18:]
    if proto == 1:
        seg = struct.pack("!BBHHH", 8, 0, 0, probe["seq"] & 0xFFFF, 1) + tag
        return seg[:2] + struct.pack("!H", checksum(seg)) + seg[4:]
    if proto == 50:
        return struct.pack("!II", 0x1000 + probe["seq"], 1) + tag
    if proto == 51:
        return struct.pack("!BBHII", 59, 4, 0, 0x1000 + probe["seq"], 1) + b"\0" * 12 + tag
    if proto == 47:
        return struct.pack("!HH", 0, 0x0800) + tag
    return tag


def packet(probe):
    src, dst = socket.inet_aton(probe["src"]), socket.inet_aton(probe["dst"])
    payload = l4(probe, src, dst)
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), probe["seq"] & 0xFFFF, 0x4000, 64, probe["proto"], 0, src, dst)
    return header + payload


NAMESPACES = {}


def run(args, text=None, ns=None):
    """Runs a command in this (the target) namespace, or in the named one."""
    if ns is not None:
        if ns not in NAMESPACES:
            NAMESPACES[ns] = os.open(f"/run/netns/{ns}", os.O_RDONLY)
        setns(NAMESPACES[ns])
    try:
        done = subprocess.run(args, input=text, capture_output=True, text=True, timeout=20)
    finally:
        if ns is not None:
            setns(NAMESPACES["home"])
    return done.returncode, done.stdout, done.stderr


TERMINAL = re.compile(r"^\[(\d+):\d+\] -A (?!OUTPUT |FORWARD )\S+(?: .*)? -j (ACCEPT|DROP|REJECT)\b|^:INPUT \S+ \[(\d+):")


def decided(dump):
    """Packets that reached their end on the way in: a filter verdict, or a DROP in mangle. One per probe."""
    total = 0
    table = ""
    for line in dump.splitlines():
        if line.startswith("*"):
            table = line[1:].strip()
        m = TERMINAL.match(line)
        if m and (table == "filter" or (table == "mangle" and m.group(2) == "DROP")):
            total += int(m.group(1) or m.group(3))
    return total


def main():
    sender_ns, devices = sys.argv[1], sys.argv[2].split(",")
    home = NAMESPACES["home"] = os.open("/proc/self/ns/net", os.O_RDONLY)
    other = os.open(f"/run/netns/{sender_ns}", os.O_RDONLY)
    setns(other)
    sockets = {}
    for dev in devices:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev.encode())
        sockets[dev] = s
    setns(home)
    for line in sys.stdin:
        cmd = json.loads(line)
        op = cmd["op"]
        if op == "load":
            code, out, err = run(["iptables-legacy-restore"], cmd["text"], cmd.get("ns"))
            answer = {"ok": code == 0, "error": err.strip()}
        elif op == "save":
            code, out, err = run(["iptables-legacy-save", "-c"], None, cmd.get("ns"))
            answer = {"ok": code == 0, "text": out, "error": err.strip()}
        elif op == "probes":
            # Each probe alone, then the counters: the deltas between dumps are what that probe did.
            # Softirq may deliver a probe after sendto returns: wait (bounded) until its verdict is counted.
            dumps = []
            save = ["iptables-legacy-save", "-c"]
            before = decided(run(save)[1])
            for probe in cmd["probes"]:
                sockets[probe["via"]].sendto(packet(probe), (probe["dst"], 0))
                deadline = time.monotonic() + 2.0
                while True:
                    out = run(save)[1]
                    if decided(out) > before or time.monotonic() > deadline:
                        break
                    time.sleep(0.002)
                before = decided(out)
                dumps.append(out)
            answer = {"ok": True, "dumps": dumps}
        elif op == "send":
            for probe in cmd["probes"]:
                sockets[probe["via"]].sendto(packet(probe), (probe["dst"], 0))
            answer = {"ok": True}
        else:
            answer = {"ok": False, "error": f"unknown op {op}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


main()
