// Placeholder for `vpnlint trace` until the engine lands.

export const traceCommandPlaceholder = true;
