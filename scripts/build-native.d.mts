export declare const LINE_CHECKER_SOURCE: string;
export declare function compileLineChecker(): Promise<Uint8Array>;
