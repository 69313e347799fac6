// Generated from parser.ts by Chevrotain's generateCstDts (test/formats/iptables/cst.test.ts); do not edit.
import type { CstNode, ICstVisitor, IToken } from "chevrotain";

export interface ScriptCstNode extends CstNode {
  name: "script";
  children: ScriptCstChildren;
}

export type ScriptCstChildren = {
  item?: ItemCstNode[];
};

export interface ItemCstNode extends CstNode {
  name: "item";
  children: ItemCstChildren;
}

export type ItemCstChildren = {
  command?: CommandCstNode[];
  ShellNewline?: IToken[];
  ShellOperator?: IToken[];
  HeredocBody?: IToken[];
};

export interface CommandCstNode extends CstNode {
  name: "command";
  children: CommandCstChildren;
}

export type CommandCstChildren = {
  ShellWord?: IToken[];
  HeredocStart?: IToken[];
};

export interface ShellCstVisitor<IN, OUT> extends ICstVisitor<IN, OUT> {
  script(children: ScriptCstChildren, param?: IN): OUT;
  item(children: ItemCstChildren, param?: IN): OUT;
  command(children: CommandCstChildren, param?: IN): OUT;
}
