import { Type } from 'typebox';
import { uxTemplates } from '../auth/index.js';
import { envs, paymentSchemes, remitterTypes } from '../providers/index.js';
import { linkStatuses } from './link-status.js';

/** Bodies of the links endpoints. Shape errors come out as `validation_error` naming the field. */

const providerId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9_]+$' });
const oneOrMany = <T extends readonly string[]>(values: T, description: string) =>
  Type.Union([Type.Enum(values), Type.Array(Type.Enum(values), { maxItems: values.length })], {
    description,
  });

export const trackingIdPattern = '^[a-z0-9][a-z0-9_-]{0,127}$';
const trackingId = Type.String({ pattern: trackingIdPattern });

export const SingleTransfer = Type.Object(
  {
    amount: Type.String({ maxLength: 32, description: 'Decimal string, e.g. "100.50".' }),
    currency: Type.String({ minLength: 3, maxLength: 3, description: 'ISO 4217 code, e.g. RON.' }),
    creditor_name: Type.String({ minLength: 1, maxLength: 70 }),
    creditor_iban: Type.String({ minLength: 5, maxLength: 42 }),
    remittance_info: Type.Optional(Type.String({ minLength: 1, maxLength: 140 })),
    end_to_end_id: Type.Optional(Type.String({ minLength: 1, maxLength: 35 })),
    debtor_iban: Type.Optional(Type.String({ minLength: 5, maxLength: 42 })),
    psu_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false, description: 'The payment intent.' },
);

export const MethodFilter = Type.Object(
  {
    provider_id: Type.Optional(
      Type.Union([providerId, Type.Array(providerId, { minItems: 1, maxItems: 50 })], {
        description: 'One provider id or several.',
      }),
    ),
    remitter_type: Type.Optional(oneOrMany(remitterTypes, 'retail and/or corporate')),
    payment_scheme: Type.Optional(oneOrMany(paymentSchemes, 'instant, domestic and/or sepa')),
    env: Type.Optional(Type.Enum(envs)),
  },
  { additionalProperties: false, description: 'Restricts the payment methods offered.' },
);

export const linkTypes = ['link', 'wrapped_sca', 'direct_sca', 'redirect_sca'] as const;

export const LinkOptions = Type.Object(
  {
    type: Type.Optional(Type.Enum(linkTypes)),
    expires_in: Type.Optional(
      Type.Integer({ minimum: 60, maximum: 45 * 24 * 3600, description: 'Seconds; at most 45 days.' }),
    ),
    redirect_url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    webhook_url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    ux_template: Type.Optional(Type.Enum(uxTemplates)),
    language: Type.Optional(Type.Enum(['ro', 'en'])),
    user_editable: Type.Optional(
      Type.Union([
        Type.Boolean(),
        Type.Object(
          {
            provider_id: Type.Optional(Type.Boolean()),
            remitter_type: Type.Optional(Type.Boolean()),
            payment_scheme: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
      ]),
    ),
  },
  { additionalProperties: false },
);

export const Tracking = Type.Object(
  { customer_ref: Type.Optional(trackingId), order_ref: Type.Optional(trackingId) },
  { additionalProperties: false, description: 'Two tracking ids (billing, audit, IBAN whitelisting).' },
);

export const CreateLinkBody = Type.Object({
  single_transfer: SingleTransfer,
  payment_method: Type.Optional(MethodFilter),
  options: Type.Optional(LinkOptions),
  tracking: Type.Optional(Tracking),
});

const linkId = Type.String({
  minLength: 36,
  maxLength: 36,
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
  description: 'The link UUID.',
});

export const LinkIdBody = Type.Object({ link_id: linkId });

export const ListLinksBody = Type.Object({
  filter: Type.Optional(
    Type.Object(
      {
        status: Type.Optional(
          Type.Union([
            Type.Enum(linkStatuses),
            Type.Array(Type.Enum(linkStatuses), { minItems: 1, maxItems: linkStatuses.length }),
          ]),
        ),
        inserted_at_from: Type.Optional(Type.String({ minLength: 10, maxLength: 40 })),
        inserted_at_to: Type.Optional(Type.String({ minLength: 10, maxLength: 40 })),
      },
      { additionalProperties: false },
    ),
  ),
  pagination: Type.Optional(
    Type.Object(
      {
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 250 })),
        after: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      },
      { additionalProperties: false },
    ),
  ),
});
