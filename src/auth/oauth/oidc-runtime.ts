/**
 * oidc-provider prints "Unsupported runtime. Use Node.js v22.x LTS…" when it is loaded on Node 20. Ferry supports
 * Node 20 (package.json `engines`; CI runs the suite on Node 20 and 24) and the library works there, so on a new
 * user's first screen the warning is only something they cannot act on. Imported before oidc-provider by each
 * module that loads it: drops that one message, once, and leaves console.warn as it was. On Node 22 and later the
 * library prints nothing and this does nothing.
 */
const MESSAGE = 'oidc-provider WARNING: Unsupported runtime';
const lts = globalThis.process?.release?.lts;

if (typeof lts !== 'string' || lts.charCodeAt(0) < 'Jod'.charCodeAt(0)) {
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes(MESSAGE)) {
      console.warn = original;
      return;
    }
    original.apply(console, args);
  };
}
