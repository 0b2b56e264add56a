import { describe, expect, it } from 'vitest';
import { tx } from '../connectors/test-support/fake-bank.js';
import type { BulkCopy } from './bulk-copy.js';
import { TransactionCopy } from './transactions-copy.js';
import { createBankKeyer, utxId } from './utx.js';

/** A BulkCopy that records what it is sent instead of streaming it to a server. */
function recordingBulk() {
  const log = {
    opened: [] as { table: string; columns: readonly string[] }[],
    chunks: [] as string[],
    ended: 0,
  };
  const aborted: (Error | undefined)[] = [];
  const bulk: BulkCopy = {
    async open(table, columns) {
      log.opened.push({ table, columns });
      return {
        async write(lines) {
          log.chunks.push(lines);
        },
        async end() {
          log.ended += 1;
        },
        async abort(error) {
          aborted.push(error);
        },
      };
    },
  };
  return { bulk, log, aborted };
}

const now = new Date('2026-01-02T10:00:00.000Z');
const target = { consentId: 'c-1', accountId: 'a-1', jobId: 'j-1', now };

function copyOf(bulk: BulkCopy) {
  let n = 0;
  return new TransactionCopy({
    bulk,
    target,
    providerId: 'bt_ro',
    accountKey: 'iban:RO49AAAA1B31007593840000',
    keyer: createBankKeyer(),
    today: '2026-01-02',
    uuid: () => `id-${++n}`,
  });
}

describe('TransactionCopy', () => {
  it('opens the COPY with the first line and sends one chunk per page, one line per row', async () => {
    const { bulk, log } = recordingBulk();
    const copy = copyOf(bulk);
    expect(await copy.add([])).toBe(0);
    expect(log.opened).toHaveLength(0);
    await copy.add([tx({ id: 'T1', amount: '-12.50', date: '2025-12-01' })]);
    await copy.add([
      tx({ id: 'T2', amount: '7', date: '2025-12-02' }),
      tx({ id: 'T3', amount: '1.00', date: '2025-12-03' }),
    ]);
    expect(log.opened).toHaveLength(1);
    expect(log.opened[0]!.table).toBe('ais_transactions');
    expect(log.chunks).toHaveLength(2);
    const [first] = log.chunks[0]!.split('\n');
    const columns = log.opened[0]!.columns;
    const fields = first!.split('\t');
    expect(fields).toHaveLength(columns.length);
    const row = Object.fromEntries(columns.map((c, i) => [c, fields[i]]));
    expect(row).toEqual({
      id: 'id-1',
      consent_id: 'c-1',
      account_id: 'a-1',
      utx_id: utxId('bt_ro', 'iban:RO49AAAA1B31007593840000', 'tx:T1'),
      bank_transaction_id: 'T1',
      entry_reference: '\\N',
      status: 'booked',
      amount: '12.50',
      currency: 'RON',
      credit_debit_indicator: 'debit',
      booking_date: '2025-12-01',
      value_date: '2025-12-01',
      sort_date: '2025-12-01',
      counterparty_name: 'SHOP SRL',
      counterparty_iban: '\\N',
      remittance_information: 'line T1',
      bank_transaction_code: '\\N',
      job_id: 'j-1',
      inserted_at: '2026-01-02T10:00:00.000Z',
      updated_at: '2026-01-02T10:00:00.000Z',
    });
    expect(log.chunks[1]!.split('\n')).toHaveLength(3);
    expect(await copy.end()).toEqual({ copied: 3, repeats: [] });
    expect(log.ended).toBe(1);
  });

  it('escapes text for the COPY format', async () => {
    const { bulk, log } = recordingBulk();
    const copy = copyOf(bulk);
    await copy.add([
      tx({ id: 'T1', amount: '-1', date: '2025-12-01', remittanceInformationUnstructured: 'a\tb\\c\nd' }),
    ]);
    expect(log.chunks[0]).toContain('\ta\\tb\\\\c\\nd\t');
  });

  it('holds back a repeated line for the upsert, and counts lines without a valid amount as skipped', async () => {
    const { bulk, log } = recordingBulk();
    const copy = copyOf(bulk);
    const line = tx({ id: 'T1', amount: '-3.30', date: '2025-12-15' });
    expect(await copy.add([line, tx({ id: 'BAD', amount: 'x', date: '2025-12-15' })])).toBe(1);
    expect(await copy.add([{ ...line }])).toBe(0);
    const { copied, repeats } = await copy.end();
    expect(copied).toBe(1);
    expect(repeats.map((r) => r.bankTransactionId)).toEqual(['T1']);
    expect(log.chunks.join('').split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('ends without a COPY when no line was sent', async () => {
    const { bulk, log } = recordingBulk();
    const copy = copyOf(bulk);
    expect(await copy.add([tx({ id: 'BAD', amount: 'x', date: '2025-12-15' })])).toBe(1);
    expect(await copy.end()).toEqual({ copied: 0, repeats: [] });
    expect(log.opened).toHaveLength(0);
  });

  it('abandons an open COPY after a failure', async () => {
    const { bulk, aborted, log } = recordingBulk();
    const copy = copyOf(bulk);
    await copy.add([tx({ id: 'T1', amount: '-1', date: '2025-12-01' })]);
    const failure = new Error('bank went away');
    await copy.abort(failure);
    expect(aborted).toEqual([failure]);
    expect(log.ended).toBe(0);
  });
});
