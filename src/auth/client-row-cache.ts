/**
 * A short-lived per-process cache of API client rows, so that an authenticated request does not spend a
 * database round trip on its client (the row changes rarely: rotation, disabling, scopes). Entries live
 * `ttlMs`; this process drops an entry at once when it changes the client itself, and another process's
 * change (a CLI rotation, a direct edit) is seen within `ttlMs`. Unknown ids are never cached, so a new
 * client works at once. `ttlMs` 0 turns the cache off.
 */
export class ClientRowCache<Row> {
  readonly #entries = new Map<string, { row: Row; expires: number }>();
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(clientId: string, nowMs: number): Row | undefined {
    const entry = this.#entries.get(clientId);
    if (!entry) return undefined;
    if (entry.expires <= nowMs) {
      this.#entries.delete(clientId);
      return undefined;
    }
    return entry.row;
  }

  set(clientId: string, row: Row, nowMs: number): void {
    if (this.ttlMs <= 0) return;
    if (this.#entries.size >= this.maxEntries && !this.#entries.has(clientId)) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(clientId, { row, expires: nowMs + this.ttlMs });
  }

  delete(clientId: string): void {
    this.#entries.delete(clientId);
  }
}
