import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { MethodInput, PaymentMethod } from './catalogue.types.js';

/** A JSON Schema document (draft-07, the dialect most client-side validators default to). */
export type JsonSchema = Record<string, unknown>;

/**
 * Positive decimal string: no leading zeros except "0.xx", no separators, the point optional, at most two
 * decimals (every currency Ferry's providers carry has minor unit 2). "0", "0.0" and "0.00" are not amounts.
 */
export const amountPattern = '^(?:[1-9][0-9]{0,14}(?:\\.[0-9]{1,2})?|0\\.(?:[1-9][0-9]?|0[1-9]))$';
const ibanPattern = '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$';
const romanianIbanPattern = '^RO[0-9]{2}[A-Z]{4}[A-Z0-9]{16}$';
/** The SWIFT character set, as ISO 20022 EndToEndIdentification allows. */
const endToEndPattern = "^[A-Za-z0-9/?:().,'+ -]{1,35}$";

export interface IntentSchemaOptions {
  /**
   * false (default): what an API client sends in `single_transfer` when creating a link — debtor inputs may be
   * missing because the WebUI asks the payer. true: what must be known before the bank call, so `required`
   * and `one_of` inputs are enforced.
   */
  complete?: boolean;
}

/** The JSON Schema of a `single_transfer` payment intent for one payment method. */
export function paymentIntentSchema(method: PaymentMethod, options: IntentSchemaOptions = {}): JsonSchema {
  const domestic = method.paymentScheme !== 'sepa' && method.country === 'RO';
  const creditorIban = domestic ? romanianIbanPattern : ibanPattern;
  // The debtor's account is at this provider, so a Romanian provider means a Romanian IBAN whatever the scheme.
  const debtorIban = method.country === 'RO' ? romanianIbanPattern : ibanPattern;
  const required = ['amount', 'currency', 'creditor_name', 'creditor_iban'];
  const schema: JsonSchema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `single_transfer for ${method.methodId}`,
    type: 'object',
    additionalProperties: false,
    properties: {
      amount: {
        type: 'string',
        pattern: amountPattern,
        description: 'Decimal string, e.g. "100.50"; no leading zeros, no separators.',
      },
      currency: { type: 'string', enum: [...method.currencies] },
      creditor_name: { type: 'string', minLength: 1, maxLength: 70 },
      creditor_iban: { type: 'string', pattern: creditorIban },
      remittance_info: { type: 'string', minLength: 1, maxLength: 140 },
      end_to_end_id: { type: 'string', pattern: endToEndPattern },
      debtor_iban: { type: 'string', pattern: debtorIban },
      psu_id: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._@-]+$' },
    },
    required,
  };
  if (options.complete) {
    const inputs = Object.entries(method.inputs) as [MethodInput, string][];
    required.push(...inputs.filter(([, rule]) => rule === 'required').map(([name]) => name));
    const oneOf = inputs.filter(([, rule]) => rule === 'one_of').map(([name]) => name);
    // Each branch restates its property so that strict validators (Ajv strictRequired) accept the schema.
    const properties = schema.properties as Record<string, unknown>;
    if (oneOf.length > 0) {
      schema.anyOf = oneOf.map((name) => ({ required: [name], properties: { [name]: properties[name] } }));
    }
  }
  return schema;
}

export type IntentCheck = { ok: true } | { ok: false; field: string; message: string };

const ajv = new Ajv({ allErrors: false, strict: true });
const compiled = new WeakMap<PaymentMethod, Map<boolean, ValidateFunction>>();

/** Validates a payment intent against the method's schema; the failure names one field. */
export function checkPaymentIntent(
  method: PaymentMethod,
  intent: unknown,
  options: IntentSchemaOptions = {},
): IntentCheck {
  const complete = options.complete ?? false;
  const perMethod = compiled.get(method) ?? new Map<boolean, ValidateFunction>();
  compiled.set(method, perMethod);
  const validate = perMethod.get(complete) ?? ajv.compile(paymentIntentSchema(method, { complete }));
  perMethod.set(complete, validate);
  if (validate(intent)) return { ok: true };
  // A failed anyOf reports each branch's error before its own; the anyOf one is the meaningful one.
  const errors = validate.errors ?? [];
  return describe(errors.find((e) => e.keyword === 'anyOf') ?? errors[0], method);
}

function describe(error: ErrorObject | undefined, method: PaymentMethod): IntentCheck & { ok: false } {
  if (!error) return { ok: false, field: 'single_transfer', message: 'is invalid' };
  const p = error.params as Record<string, unknown>;
  const path = error.instancePath.split('/').filter(Boolean);
  if (error.keyword === 'anyOf') {
    const names = Object.entries(method.inputs)
      .filter(([, rule]) => rule === 'one_of')
      .map(([name]) => name);
    return { ok: false, field: names[0] ?? 'single_transfer', message: `needs one of ${names.join(', ')}` };
  }
  if (typeof p.missingProperty === 'string') path.push(p.missingProperty);
  if (typeof p.additionalProperty === 'string') {
    return { ok: false, field: p.additionalProperty, message: 'is not a single_transfer field' };
  }
  const field = path.join('.') || 'single_transfer';
  const message =
    error.keyword === 'enum'
      ? `must be one of ${(p.allowedValues as unknown[]).join(', ')} for ${method.methodId}`
      : error.keyword === 'required'
        ? 'is required'
        : (error.message ?? 'is invalid');
  return { ok: false, field, message };
}
