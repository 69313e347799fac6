// Generated from parser.ts by Chevrotain's generateCstDts (test/formats/iptables/cst.test.ts); do not edit.
import type { CstNode, ICstVisitor, IToken } from "chevrotain";

export interface DocumentCstNode extends CstNode {
  name: "document";
  children: DocumentCstChildren;
}

export type DocumentCstChildren = {
  lines?: LinesCstNode[];
};

export interface LinesCstNode extends CstNode {
  name: "lines";
  children: LinesCstChildren;
}

export type LinesCstChildren = {
  TableLine?: IToken[];
  ChainLines?: IToken[];
  CommitLine?: IToken[];
  CommentLines?: IToken[];
  CommandLines?: IToken[];
  Newline?: IToken[];
};

export interface RestoreCstVisitor<IN, OUT> extends ICstVisitor<IN, OUT> {
  document(children: DocumentCstChildren, param?: IN): OUT;
  lines(children: LinesCstChildren, param?: IN): OUT;
}
