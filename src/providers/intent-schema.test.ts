import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Catalogue } from './catalogue.js';
import { loadCatalogue } from './catalogue.loader.js';
import type { PaymentMethod } from './catalogue.types.js';
import { amountPattern } from './intent-schema.js';

let catalogue: Catalogue;
let method: (id: string) => PaymentMethod;
beforeAll(async () => {
  catalogue = await loadCatalogue();
  method = (id) => catalogue.paymentMethod(id)!;
});

const intent = {
  amount: '10.00',
  currency: 'RON',
  creditor_name: 'ACME SRL',
  creditor_iban: 'RO10RZBR0000069999999970',
};

describe('amount pattern', () => {
  const re = new RegExp(amountPattern);
  it.each(['1', '10', '100.5', '100.50', '0.50', '0.5', '0.05', '999999999999999.99'])('accepts %s', (a) => {
    expect(re.test(a)).toBe(true);
  });
  it.each(['0', '0.0', '0.00', '00.5', '01', '1.', '.5', '1,000.00', '1 000', '1.005', '-1', '1e3', ' 1'])(
    'rejects %j',
    (a) => {
      expect(re.test(a)).toBe(false);
    },
  );
});

describe('payment intent schema', () => {
  it('is a draft-07 JSON Schema that Ajv compiles in strict mode', () => {
    for (const m of catalogue.findPaymentMethods({}, 'any')) {
      const schema = catalogue.intentSchema(m);
      expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
      expect(() => new Ajv({ strict: true }).compile(schema)).not.toThrow();
      expect(() =>
        new Ajv({ strict: true }).compile(catalogue.intentSchema(m, { complete: true })),
      ).not.toThrow();
    }
  });

  it('limits currency to the method and creditor IBAN to Romania for domestic schemes', () => {
    const ron = method('rzb_ro_domestic_sandbox');
    expect(catalogue.validateIntent(ron, intent)).toEqual({ ok: true });
    expect(catalogue.validateIntent(ron, { ...intent, currency: 'EUR' })).toMatchObject({
      ok: false,
      field: 'currency',
      message: 'must be one of RON for rzb_ro_domestic_sandbox',
    });
    expect(
      catalogue.validateIntent(ron, { ...intent, creditor_iban: 'DE89370400440532013000' }),
    ).toMatchObject({
      ok: false,
      field: 'creditor_iban',
    });
    const sepa = method('rzb_ro_sepa_sandbox');
    expect(
      catalogue.validateIntent(sepa, { ...intent, currency: 'EUR', creditor_iban: 'DE89370400440532013000' }),
    ).toEqual({ ok: true });
  });

  it('names the failing field', () => {
    const m = method('bt_ro_ron_sandbox');
    const { creditor_iban: _c, ...noIban } = intent;
    expect(catalogue.validateIntent(m, noIban)).toEqual({
      ok: false,
      field: 'creditor_iban',
      message: 'is required',
    });
    expect(catalogue.validateIntent(m, { ...intent, amount: 10 })).toMatchObject({ field: 'amount' });
    expect(catalogue.validateIntent(m, { ...intent, remittance_info: 'x'.repeat(141) })).toMatchObject({
      field: 'remittance_info',
    });
    expect(catalogue.validateIntent(m, { ...intent, end_to_end_id: 'bad<id>' })).toMatchObject({
      field: 'end_to_end_id',
    });
    expect(catalogue.validateIntent(m, { ...intent, debtr_iban: 'RO03RZBR0000069999999999' })).toEqual({
      ok: false,
      field: 'debtr_iban',
      message: 'is not a single_transfer field',
    });
    expect(catalogue.validateIntent(m, 'not an object')).toMatchObject({
      ok: false,
      field: 'single_transfer',
    });
  });

  it('create-time schemas let the payer supply debtor inputs; complete ones enforce them', () => {
    const rzb = method('rzb_ro_domestic_sandbox');
    expect(catalogue.validateIntent(rzb, intent)).toEqual({ ok: true });
    expect(catalogue.validateIntent(rzb, intent, { complete: true })).toEqual({
      ok: false,
      field: 'debtor_iban',
      message: 'needs one of debtor_iban, psu_id',
    });
    expect(catalogue.validateIntent(rzb, { ...intent, psu_id: '9999999998' }, { complete: true })).toEqual({
      ok: true,
    });
    expect(
      catalogue.validateIntent(
        rzb,
        { ...intent, debtor_iban: 'RO03RZBR0000069999999999' },
        { complete: true },
      ),
    ).toEqual({ ok: true });

    const ing = method('ing_ro_domestic_prod');
    expect(catalogue.validateIntent(ing, intent)).toEqual({ ok: true });
    expect(catalogue.validateIntent(ing, intent, { complete: true })).toEqual({
      ok: false,
      field: 'debtor_iban',
      message: 'is required',
    });
    expect(catalogue.validateIntent(ing, { ...intent, debtor_iban: 'DE89370400440532013000' })).toMatchObject(
      {
        field: 'debtor_iban',
      },
    );
  });
});
