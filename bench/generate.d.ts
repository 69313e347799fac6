// Types of the benchmark's input generators (generate.js is plain JavaScript, run by node directly).

/** A kube-proxy-shaped iptables-save dump with `nChains` service/endpoint chains (and as many filter chains). */
export function kubeDump(nChains?: number, seed?: number): string;

/** A Vyatta/VyOS config.boot of about `lines` lines. */
export function vyattaConfig(lines?: number, seed?: number): string;
