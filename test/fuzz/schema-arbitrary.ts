import fc from 'fast-check';

type Schema = Record<string, unknown>;

/** Values chosen to break parsers and validators: wrong types, edge numbers, unicode, injection, huge. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    1e308,
    Number.MAX_SAFE_INTEGER + 2,
    '',
    ' ',
    '0',
    '-1',
    '0.00',
    '00.5',
    '1,00',
    '1e3',
    'NaN',
    'Infinity',
    '999999999999.99',
    '0.001',
    '١٢٣',
    'RO00RZBR0000069999999999',
    'RO03RZBR000006999999999',
    'ro03rzbr0000069999999999',
    'XX',
    'ron',
    'EURO',
    '\u0000',
    '\uD800',
    '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🏦',
    "'; DROP TABLE api_clients; --",
    '<script>alert(1)</script>',
    '../../etc/passwd',
    'eyJpZCI6IngiLCJ0IjoiMjAyNi0wMS0wMSJ9',
    '!!!not-a-cursor',
    '00000000-0000-0000-0000-000000000000',
    '2026-02-30',
    '2026-01-01T25:61:00Z',
    [],
    {},
    [1, 'a', null],
    { nested: { deeper: [{}] } },
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.constant('x'.repeat(10_000)),
);

/** Text PostgreSQL cannot store: a NUL byte or a lone UTF-16 surrogate somewhere in an otherwise plain string. */
export const badText: fc.Arbitrary<string> = fc
  .tuple(
    fc.string({ maxLength: 12 }),
    fc.constantFrom('\u0000', '\uD800', '\uDBFF', '\uDC00', '\uDFFF'),
    fc.string({ maxLength: 12 }),
  )
  .map(([a, bad, b]) => `${a}${bad}${b}`);

/** Dates and date-times that do not exist in the calendar or fall outside 1900–9999. */
export const impossibleDate: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 1900, max: 9999 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 29, max: 35 }),
    )
    .map(
      ([y, m, d]) =>
        `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
    ),
  fc.constantFrom(
    '0000-01-01',
    '1899-12-31',
    '2026-02-29',
    '2026-13-01',
    '2026-00-01',
    '9999-12-31T23:59:59Z',
    '9999-12-31T23:00:00-05:00',
    '0000-01-01T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '+010000-01-01T00:00:00Z',
  ),
);

/** An arbitrary for values that mostly satisfy `schema` (so requests reach handlers), sometimes not. */
export function fromSchema(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 5) return nastyValue;
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (alternatives) return fc.oneof(...alternatives.map((s) => fromSchema(s, depth + 1)));
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if ('const' in schema) return fc.constant(schema.const);
  const type = Array.isArray(schema.type)
    ? (schema.type as string[])[0]
    : (schema.type as string | undefined);
  switch (type) {
    case 'string': {
      const max = typeof schema.maxLength === 'number' ? Math.min(schema.maxLength, 64) : 32;
      const min = typeof schema.minLength === 'number' ? Math.min(schema.minLength, max) : 0;
      if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      if (schema.format === 'date')
        return fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
      if (schema.format === 'uuid') return fc.uuid();
      return fc.oneof(
        fc.string({ minLength: min, maxLength: max }),
        nastyValue.filter((v) => typeof v === 'string'),
        badText,
        impossibleDate,
      );
    }
    case 'integer': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : -1000;
      const max = typeof schema.maximum === 'number' ? schema.maximum : 100_000;
      return fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) });
    }
    case 'number':
      return fc.double({ noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const items = schema.items as Schema | undefined;
      return fc.array(fromSchema(items, depth + 1), { maxLength: 4 });
    }
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      const required = new Set((schema.required as string[] | undefined) ?? []);
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, sub] of Object.entries(props)) model[key] = fromSchema(sub, depth + 1);
      const requiredKeys = Object.keys(props).filter((k) => required.has(k));
      return fc.record(model, { requiredKeys });
    }
    default:
      return nastyValue;
  }
}

/** Replaces, removes or adds one top-level field of an object body. */
export function mutate(body: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(body);
  return fc.oneof(
    keys.length
      ? fc.tuple(fc.constantFrom(...keys), nastyValue).map(([k, v]) => ({ ...body, [k]: v }))
      : fc.constant(body),
    keys.length
      ? fc.constantFrom(...keys).map((k) => {
          const { [k]: _gone, ...rest } = body;
          return rest;
        })
      : fc.constant(body),
    fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), nastyValue).map(([k, v]) => ({ ...body, [k]: v })),
  );
}
