import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions, maskIbans, maskIbansDeep } from './redact.js';

describe('log hygiene', () => {
  it('masks IBANs wherever they appear', () => {
    expect(maskIbans('pay RO03RZBR0000069999999999 now')).toBe('pay RO03…9999 now');
    expect(
      maskIbansDeep({ a: ['DE89370400440532013000'], b: { c: 'RO42CECEAG0202RON0007466' }, n: 5 }),
    ).toEqual({
      a: ['DE89…3000'],
      b: { c: 'RO42…7466' },
      n: 5,
    });
  });

  it('the app logger options redact secrets, tokens and authorization and masks IBANs', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = pino(loggerOptions('info'), sink);
    log.info(
      {
        req: { headers: { authorization: 'Bearer abc.def.ghi', cookie: 'sid=1' } },
        body: {
          client_secret: 'fsk_topsecret',
          client_assertion: 'eyJ.x.y',
          iban: 'RO03RZBR0000069999999999',
        },
      },
      'hello',
    );
    const out = lines.join('');
    expect(out).not.toContain('abc.def.ghi');
    expect(out).not.toContain('fsk_topsecret');
    expect(out).not.toContain('eyJ.x.y');
    expect(out).not.toContain('sid=1');
    expect(out).not.toContain('RO03RZBR0000069999999999');
    expect(out).toContain('RO03…9999');
    expect(out).toContain('[redacted]');
  });
});
