import { describe, expect, it } from 'vitest';
import { createCursorCodec, pageOf } from './cursor.js';
import { ApiError } from './errors.js';

const codec = createCursorCodec(Buffer.alloc(32, 7));
const links = codec.list('links', ['timestamp', 'uuid']);
const id = '0190a2b4-7c3d-7e5f-8a9b-0c1d2e3f4a5b';
const keyset = ['2026-05-01T00:00:00.123456Z', id] as [string, string];

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('the cursor was accepted');
};
const expectRefused = (fn: () => unknown) =>
  expect(refusal(fn)).toMatchObject({
    code: 'validation_error',
    status: 400,
    extra: { field: 'pagination.after' },
    message: 'pagination.after: is not a cursor returned by this list',
  });

describe('cursor codec', () => {
  it('round-trips a keyset as one base64url token, the same every time', () => {
    const cursor = links.encode(keyset);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(links.encode(keyset)).toBe(cursor);
    expect(links.decode(cursor)).toEqual(keyset);
    expect(links.decode(undefined)).toBeUndefined();
    // Another codec with the same key (another process) reads it too.
    expect(
      createCursorCodec(Buffer.alloc(32, 7)).list('links', ['timestamp', 'uuid']).decode(cursor),
    ).toEqual(keyset);
  });

  it('refuses every one-character edit, truncation and extension', () => {
    const cursor = links.encode(keyset);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < cursor.length; i++) {
      for (const c of [
        alphabet[(alphabet.indexOf(cursor[i]!) + 1) % 64]!,
        alphabet[(alphabet.indexOf(cursor[i]!) + 63) % 64]!,
      ]) {
        const edited = cursor.slice(0, i) + c + cursor.slice(i + 1);
        expectRefused(() => links.decode(edited));
      }
    }
    for (const bad of [
      cursor.slice(0, -1),
      cursor.slice(1),
      `${cursor}A`,
      `A${cursor}`,
      '',
      '.',
      `${cursor}=`,
    ]) {
      expectRefused(() => links.decode(bad));
    }
    expectRefused(() => links.decode('A'.repeat(600)));
  });

  it('refuses a cursor of another list, another key, or an unsigned one', () => {
    const cursor = links.encode(keyset);
    expectRefused(() => codec.list('webhook_events', ['timestamp', 'uuid']).decode(cursor));
    expectRefused(() =>
      createCursorCodec(Buffer.alloc(32, 8)).list('links', ['timestamp', 'uuid']).decode(cursor),
    );
    // The old unsigned formats (base64url JSON, and `<ts>|<uuid>`) are not cursors any more.
    const unsigned = [JSON.stringify(keyset), `${keyset[0]}|${id}`].map((s) =>
      Buffer.from(s).toString('base64url'),
    );
    for (const old of unsigned) expectRefused(() => links.decode(old));
  });

  it('checks the keyset shape even under a valid tag (a list whose keyset changed refuses old cursors)', () => {
    const loose = codec.list('links', ['seq']);
    expectRefused(() => links.decode(loose.encode(['12'])));
    expectRefused(() => links.decode(codec.list('links', ['date', 'uuid']).encode(['2026-05-01', id])));
    const balances = codec.list('balances', ['seq']);
    expect(balances.decode(balances.encode(['42']))).toEqual(['42']);
    expectRefused(() =>
      codec.list('balances', ['seq']).decode(codec.list('balances', ['date']).encode(['2026-05-01'])),
    );
  });

  it('is an ApiError, so every list answers it the same way', () => {
    expect(refusal(() => links.decode('nope'))).toBeInstanceOf(ApiError);
  });
});

describe('pageOf', () => {
  const cursorOf = (n: number) => `c${n}`;
  it('answers the links/list shape: after is the last item’s cursor while there is more, else null', () => {
    expect(pageOf([1, 2, 3, 4], 3, cursorOf)).toEqual({
      page: [1, 2, 3],
      pagination: { count: 3, 'more?': true, after: 'c3', limit: 3 },
    });
    expect(pageOf([1, 2, 3], 3, cursorOf)).toEqual({
      page: [1, 2, 3],
      pagination: { count: 3, 'more?': false, after: null, limit: 3 },
    });
    expect(pageOf([], 50, cursorOf)).toEqual({
      page: [],
      pagination: { count: 0, 'more?': false, after: null, limit: 50 },
    });
  });
});
