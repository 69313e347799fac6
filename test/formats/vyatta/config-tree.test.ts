import { describe, expect, it } from "vitest";
import { buildTree, childrenOf, nodeAt, type ConfigNode, type ConfigTree } from "../../../src/formats/vyatta/config-tree.js";
import { SourceFile } from "../../../src/model/source.js";

function curly(text: string): ConfigTree {
  return buildTree(new SourceFile("config.boot", text), "curly");
}
function commands(text: string): ConfigTree {
  return buildTree(new SourceFile("commands.set", text), "commands");
}
function names(node: ConfigNode | undefined): string[] {
  return childrenOf(node).map((c) => c.name);
}
function lines(tree: ConfigTree): { line: number; message: string }[] {
  return tree.diagnostics.map((d) => ({ line: tree.source.position(d.range.start).line, message: d.message }));
}
function slice(tree: ConfigTree, node: ConfigNode | undefined): string {
  return node ? tree.source.text.slice(node.range.start, node.range.end) : "";
}

describe("config.boot trees", () => {
  const text = [
    "/* a leading comment */",
    "firewall {",
    "    all-ping enable",
    "    name WAN_LOCAL {",
    "        default-action drop",
    '        description "WAN to \\"router\\""',
    "        rule 10 {",
    "            action accept",
    "            state {",
    "                established enable",
    "            }",
    "        }",
    "    }",
    "    group {",
    "        network-group LAN {",
    "            network 10.0.0.0/8",
    "            network '172.16.0.0/12'",
    "        }",
    "    }",
    "}",
    "interfaces {",
    "    loopback lo {",
    "    }",
    "}",
    "// Warning: Do not remove the following line.",
    '// vyos-config-version: "firewall@5"',
  ].join("\n");
  const tree = curly(text);

  it("reads nodes, tag nodes, valued and valueless leaves without diagnostics", () => {
    expect(tree.diagnostics).toEqual([]);
    expect(names(tree.root)).toEqual(["firewall", "interfaces"]);
    expect(names(nodeAt(tree.root, "firewall", "name", "WAN_LOCAL", "rule", "10", "state"))).toEqual(["established"]);
    expect(names(nodeAt(tree.root, "firewall", "all-ping"))).toEqual(["enable"]);
    expect(nodeAt(tree.root, "interfaces", "loopback", "lo")).toBeDefined();
  });

  it("keeps repeated leaves as multi-values and unquotes both quote styles", () => {
    expect(names(nodeAt(tree.root, "firewall", "group", "network-group", "LAN", "network"))).toEqual(["10.0.0.0/8", "172.16.0.0/12"]);
    expect(names(nodeAt(tree.root, "firewall", "name", "WAN_LOCAL", "description"))).toEqual(['WAN to "router"']);
  });

  it("gives a tag node the range of its whole block and a leaf the range of its line", () => {
    const rule = nodeAt(tree.root, "firewall", "name", "WAN_LOCAL", "rule", "10");
    expect(slice(tree, rule)).toMatch(/^rule 10 \{[\s\S]*\}$/);
    expect(tree.source.position(rule!.range.start).line).toBe(7);
    expect(tree.source.position(rule!.range.end).line).toBe(12);
    expect(slice(tree, nodeAt(tree.root, "firewall", "name", "WAN_LOCAL", "default-action"))).toBe("default-action drop");
  });

  it("collects block and line comments (the version footer)", () => {
    expect(tree.comments).toContain('// vyos-config-version: "firewall@5"');
    expect(tree.comments[0]).toBe("/* a leading comment */");
  });

  it("merges duplicate tag nodes", () => {
    const merged = curly("system {\n login {\n  user x {\n   level admin\n  }\n  user x {\n   full-name X\n  }\n }\n}\n");
    expect(merged.diagnostics).toEqual([]);
    expect(names(nodeAt(merged.root, "system", "login", "user", "x"))).toEqual(["level", "full-name"]);
  });

  it("reports # comments as the router would, and keeps reading", () => {
    const hashed = curly("vpn {\n    ipsec {\n        local-address 10.0.1.30 # Private ip\n        nat-traversal enable\n    }\n}\n");
    expect(lines(hashed)).toEqual([{ line: 3, message: expect.stringContaining('"#" comments are not config.boot syntax') }]);
    expect(names(nodeAt(hashed.root, "vpn", "ipsec", "local-address"))).toEqual(["10.0.1.30"]);
    expect(names(nodeAt(hashed.root, "vpn", "ipsec", "nat-traversal"))).toEqual(["enable"]);
  });

  it("reports an unbalanced brace with the line it was opened on", () => {
    const open = curly("firewall {\n    name X {\n        default-action drop\n}\n");
    expect(lines(open)).toEqual([{ line: 1, message: 'unbalanced "{" opened at line 1: the file ends before its "}"' }]);
    const extra = curly("firewall {\n}\n}\n");
    expect(lines(extra)).toEqual([{ line: 3, message: 'unmatched "}": no "{" is open here' }]);
  });

  it("treats quotes inside a word as ordinary characters", () => {
    const tree = curly("interfaces {\n    ethernet eth0 {\n        description it's\n        address 192.0.2.1/24\n    }\n}\n");
    expect(tree.diagnostics).toEqual([]);
    expect(names(nodeAt(tree.root, "interfaces", "ethernet", "eth0", "description"))).toEqual(["it's"]);
    expect(names(nodeAt(tree.root, "interfaces", "ethernet", "eth0", "address"))).toEqual(["192.0.2.1/24"]);
  });

  it("reports unterminated quotes and comments", () => {
    expect(lines(curly('system {\n    host-name "vyos\n}\n'))).toEqual([
      { line: 2, message: "unterminated \" string opened at line 2" },
      { line: 1, message: 'unbalanced "{" opened at line 1: the file ends before its "}"' },
    ]);
    expect(lines(curly("system {\n}\n/* footer"))[0]!.message).toBe('unterminated "/*" comment opened at line 3');
  });

  it("reports a leaf with more than one value", () => {
    expect(lines(curly("vpn {\n  id <EIP of this router>\n}\n"))).toEqual([{ line: 2, message: '"id" takes at most one value, found "of" after "<EIP"' }]);
  });

  it("treats __proto__, constructor and prototype as plain names", () => {
    const odd = curly("firewall {\n    name __proto__ {\n        rule 1 {\n            action accept\n        }\n    }\n    name constructor {\n    }\n    name prototype {\n    }\n}\n");
    expect(odd.diagnostics).toEqual([]);
    expect(names(nodeAt(odd.root, "firewall", "name"))).toEqual(["__proto__", "constructor", "prototype"]);
    expect(names(nodeAt(odd.root, "firewall", "name", "__proto__", "rule", "1", "action"))).toEqual(["accept"]);
    expect(({} as Record<string, unknown>)["accept"]).toBeUndefined();
  });

  it("survives 100,000 nested braces with a diagnostic instead of a stack overflow", () => {
    const depth = 100_000;
    const deep = curly(`${"a {\n".repeat(depth)}${"}\n".repeat(depth)}`);
    expect(lines(deep)).toEqual([{ line: 129, message: "nesting deeper than 128 levels; the content below is ignored" }]);
    const unclosed = curly("a {\n".repeat(depth));
    expect(unclosed.diagnostics.map((d) => d.message)).toContain('unbalanced "{" opened at line 1 (and 99999 more inside it): the file ends before its "}"');
  });
});

describe("set command trees", () => {
  it("reads set lines with quotes on any token, comments and blank lines", () => {
    const tree = commands(
      [
        "# a comment",
        "set firewall name WAN_LOCAL rule 10 action 'accept'",
        "set 'firewall' name \"WAN_LOCAL\" rule 10 destination port '500,4500'",
        "",
        "set firewall group network-group LAN network '10.0.0.0/8'",
        "set firewall group network-group LAN network '172.16.0.0/12'",
        "set firewall name WAN_LOCAL 'default-log'",
      ].join("\n"),
    );
    expect(tree.diagnostics).toEqual([]);
    const rule = nodeAt(tree.root, "firewall", "name", "WAN_LOCAL", "rule", "10");
    expect(names(rule)).toEqual(["action", "destination"]);
    expect(names(nodeAt(rule, "destination", "port"))).toEqual(["500,4500"]);
    expect(names(nodeAt(tree.root, "firewall", "group", "network-group", "LAN", "network"))).toEqual(["10.0.0.0/8", "172.16.0.0/12"]);
    expect(nodeAt(tree.root, "firewall", "name", "WAN_LOCAL", "default-log")).toBeDefined();
    expect(tree.source.text.slice(rule!.range.start, rule!.range.end)).toBe("set firewall name WAN_LOCAL rule 10 action 'accept'");
  });

  it("lets a later set replace a value and delete remove a subtree", () => {
    const tree = commands(
      "set firewall name X rule 10 action accept\nset firewall name X rule 10 action drop\nset firewall name X rule 20 action drop\ndelete firewall name X rule 20\ncomment firewall name X \"note\"\n",
    );
    const action = childrenOf(nodeAt(tree.root, "firewall", "name", "X", "rule", "10", "action"));
    expect(action[action.length - 1]!.name).toBe("drop");
    expect(names(nodeAt(tree.root, "firewall", "name", "X", "rule"))).toEqual(["10"]);
  });

  it("follows edit/exit/up/top transcripts with relative paths, prompts and [edit] lines", () => {
    const tree = commands(
      [
        "vyatta@vyatta# edit firewall name protect-vyatta",
        "[edit firewall name protect-vyatta]",
        "set rule 100 action 'accept'",
        "edit rule 200",
        "set action drop",
        "up",
        "set rule 300 action reject",
        "exit",
        "set interfaces ethernet eth0 firewall local name 'protect-vyatta'",
        "edit interfaces",
        "top",
        "set system host-name r1",
        "commit",
        "save",
      ].join("\n"),
    );
    expect(tree.diagnostics).toEqual([]);
    expect(names(nodeAt(tree.root, "firewall", "name", "protect-vyatta", "rule"))).toEqual(["100", "200", "300"]);
    expect(names(nodeAt(tree.root, "firewall", "name", "protect-vyatta", "rule", "200", "action"))).toEqual(["drop"]);
    expect(names(tree.root)).toEqual(["firewall", "interfaces", "system"]);
  });

  it("bounds path depth, so long edit transcripts stay linear", () => {
    const edits = "edit a\n".repeat(50_000);
    const tree = commands(`${edits}${"set b c\n".repeat(50_000)}set ${"x ".repeat(100_000)}\n`);
    expect(new Set(tree.diagnostics.map((d) => d.message))).toEqual(new Set(["configuration path deeper than 128 levels; the line is ignored"]));
    expect(names(tree.root)).toEqual([]);
  });

  it("reports lines the CLI would reject", () => {
    const tree = commands("set firewall all-ping enable\nThen commit the changes:\nset\n");
    expect(lines(tree)).toEqual([
      { line: 2, message: '"Then" is not a configuration command (expected set, delete, edit, exit, ...)' },
      { line: 3, message: '"set" needs a configuration path' },
    ]);
  });
});
