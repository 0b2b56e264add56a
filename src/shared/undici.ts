/**
 * undici, loaded on the first outgoing request rather than at start (it is one of the larger imports, and a
 * gateway that has not yet called a bank or sent a webhook does not need it). Every caller shares one load.
 */
let loading: Promise<typeof import('undici')> | undefined;

export const loadUndici = (): Promise<typeof import('undici')> => {
  loading ??= import('undici');
  return loading;
};
