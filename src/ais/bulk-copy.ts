import { finished } from 'node:stream/promises';
import type pg from 'pg';

/**
 * COPY FROM STDIN on a PostgreSQL server: how a first refresh job writes a long history into an account that
 * has no rows yet. One stream per account, fed page by page as the bank answers, so the server inserts while
 * this process still fetches — the same work as a bulk COPY. PGlite has no such stream; there the ingest upserts.
 */
export interface BulkCopy {
  open(table: string, columns: readonly string[]): Promise<CopyWriter>;
}

export interface CopyWriter {
  /** Lines in COPY text format, each ending with \n; waits only when the socket is full. */
  write(lines: string): Promise<void>;
  /** Ends the COPY and resolves once the server committed it. */
  end(): Promise<void>;
  /** Gives up: nothing of this COPY is stored, and its connection is closed. */
  abort(error?: Error): Promise<void>;
}

export function createBulkCopy(pool: pg.Pool): BulkCopy {
  return {
    async open(table, columns) {
      if (!/^[a-z_]+$/.test(table) || columns.some((c) => !/^[a-z_]+$/.test(c))) {
        throw new Error(`bad COPY target ${table}`);
      }
      // Loaded on the first COPY (PostgreSQL only): the embedded database never needs it.
      const { from: copyFrom } = await import('pg-copy-streams');
      const client = await pool.connect();
      const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
      let failure: Error | undefined;
      stream.on('error', (error: Error) => {
        failure ??= error;
      });
      let released = false;
      const release = (error?: Error) => {
        if (released) return;
        released = true;
        client.release(error);
      };
      return {
        async write(lines) {
          if (failure) throw failure;
          if (!stream.write(lines)) await drained(stream);
          if (failure) throw failure;
        },
        async end() {
          try {
            stream.end();
            await finished(stream);
            if (failure) throw failure;
            release();
          } catch (error) {
            release(error as Error);
            throw error;
          }
        },
        async abort(error) {
          stream.destroy(error ?? new Error('COPY abandoned'));
          // The connection may be mid-COPY: it is closed rather than returned to the pool.
          release(error ?? new Error('COPY abandoned'));
        },
      };
    },
  };
}

/** Waits for 'drain', or for an error (then the caller reads it); leaves no listener behind. */
function drained(stream: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('error', done);
  });
}

/** One value in COPY text format: \N for null; backslash, tab and line breaks escaped. */
export function copyValue(value: string | null): string {
  if (value === null) return '\\N';
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : value;
}
