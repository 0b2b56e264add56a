import { Type } from 'typebox';
import { uxTemplates } from '../auth/index.js';
import { envs } from '../providers/index.js';

/**
 * Bodies of the Data API endpoints (ais.routes.ts). A body of the wrong shape is a `validation_error` naming
 * the field.
 */

const MAX_EXPIRES_IN = 45 * 86_400;

const ConsentId = Type.String({
  minLength: 1,
  maxLength: 128,
  description: 'The consent_id from consents/create.',
});
const Url = (description: string) => Type.String({ minLength: 1, maxLength: 2048, description });
const Amount = Type.Union([Type.String({ maxLength: 40 }), Type.Number()], {
  description: 'Decimal, e.g. "12.50".',
});
const DateLike = (description: string) => Type.String({ minLength: 10, maxLength: 40, description });
const Pagination = Type.Optional(
  Type.Object(
    {
      limit: Type.Optional(
        Type.Integer({ minimum: 1, maximum: 250, description: 'Page size, 1–250 (default 50).' }),
      ),
      after: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: 512,
          description: 'The keyset of the last item of the previous page.',
        }),
      ),
    },
    { additionalProperties: false },
  ),
);

export const CreateConsentBody = Type.Object({
  ais_method: Type.Optional(
    Type.Object(
      {
        provider_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'e.g. bt_ro' })),
        account_owner_type: Type.Optional(
          Type.Union([
            Type.Enum(['retail', 'corporate']),
            Type.Array(Type.Enum(['retail', 'corporate']), { maxItems: 2 }),
          ]),
        ),
        interface_env: Type.Optional(Type.Enum(envs)),
        interface_type: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
      },
      { additionalProperties: false, description: 'Which banks the end user may choose from.' },
    ),
  ),
  consent: Type.Optional(
    Type.Object(
      {
        scope: Type.Optional(
          Type.Array(Type.String({ maxLength: 32 }), {
            maxItems: 8,
            description: '["accounts","balances","transactions"] (default) or ["accounts","balances"].',
          }),
        ),
        consent_validity_days: Type.Optional(
          Type.Integer({
            minimum: 1,
            maximum: 180,
            description: 'Data access lifetime after authorisation (default 90).',
          }),
        ),
      },
      { additionalProperties: false },
    ),
  ),
  options: Type.Optional(
    Type.Object(
      {
        type: Type.Optional(Type.Enum(['link', 'wrapped_sca', 'direct_sca', 'redirect_sca'])),
        expires_in: Type.Optional(
          Type.Integer({
            minimum: 60,
            maximum: MAX_EXPIRES_IN,
            description: 'Link lifetime in seconds (max 45 days).',
          }),
        ),
        redirect_url: Type.Optional(Url('Where the end user goes at the end, with consent_id and status.')),
        webhook_url: Type.Optional(Url('Receives consent_status_update and job_status_update.')),
        callback_url: Type.Optional(Url('Alias of webhook_url.')),
        ux_template: Type.Optional(Type.Enum(uxTemplates)),
        language: Type.Optional(Type.Enum(['ro', 'en'])),
      },
      { additionalProperties: false },
    ),
  ),
  psu: Type.Optional(
    Type.Object(
      {
        iban: Type.Optional(
          Type.String({
            pattern: '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$',
            description: 'Limit to this account.',
          }),
        ),
        psu_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        ip_address: Type.Optional(
          Type.String({
            minLength: 2,
            maxLength: 45,
            pattern: '^[0-9A-Fa-f.:]+$',
            description:
              "The end user's IP address, for banks that need it when the consent is made at creation.",
          }),
        ),
      },
      { additionalProperties: false },
    ),
  ),
  tracking: Type.Optional(
    Type.Record(
      Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }),
      Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,127}$' }),
      {
        maxProperties: 4,
        description: 'Your tracking ids (1–128 chars of a-z, 0-9, _ and -, starting with a letter or digit).',
      },
    ),
  ),
});

export const ConsentIdBody = Type.Object({ consent_id: ConsentId });

export const RedirectBody = Type.Object({
  consent_id: ConsentId,
  query: Type.Optional(
    Type.Union([
      Type.String({ maxLength: 4096, description: 'The query string of the bank redirect.' }),
      Type.Record(Type.String({ maxLength: 128 }), Type.String({ maxLength: 2048 })),
    ]),
  ),
});

export const AccountsBody = Type.Object({
  consent_id: ConsentId,
  filter: Type.Optional(
    Type.Object(
      {
        currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
        account_type: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
        account_sub_type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      },
      { additionalProperties: false },
    ),
  ),
});

export const BalancesBody = Type.Object({
  consent_id: ConsentId,
  filter: Type.Optional(
    Type.Object(
      {
        account_id: Type.Optional(Type.String({ maxLength: 64 })),
        type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
      },
      { additionalProperties: false },
    ),
  ),
  pagination: Pagination,
});

export const TransactionsBody = Type.Object({
  consent_id: ConsentId,
  filter: Type.Optional(
    Type.Object(
      {
        account_id: Type.Optional(Type.String({ maxLength: 64 })),
        currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
        status: Type.Optional(Type.Enum(['booked', 'pending'])),
        credit_debit_indicator: Type.Optional(Type.Enum(['credit', 'debit'])),
        eq: Type.Optional(Amount),
        gt: Type.Optional(Amount),
        gte: Type.Optional(Amount),
        lt: Type.Optional(Amount),
        lte: Type.Optional(Amount),
        amount_min: Type.Optional(Amount),
        amount_max: Type.Optional(Amount),
        booking_date_from: Type.Optional(DateLike('Booking date ≥ (YYYY-MM-DD or date-time).')),
        booking_date_to: Type.Optional(DateLike('Booking date ≤.')),
        booking_date_eq: Type.Optional(DateLike('Booking date =.')),
        booking_date_gte: Type.Optional(DateLike('Booking date ≥.')),
        booking_date_gt: Type.Optional(DateLike('Booking date >.')),
        booking_date_lte: Type.Optional(DateLike('Booking date ≤.')),
        booking_date_lt: Type.Optional(DateLike('Booking date <.')),
        updated_from: Type.Optional(DateLike('Changed at or after (change tracking).')),
        updated_to: Type.Optional(DateLike('Changed at or before.')),
      },
      { additionalProperties: false },
    ),
  ),
  pagination: Pagination,
  track_changes: Type.Optional(
    Type.Boolean({ description: 'Deprecated and ignored: use filter.updated_from.' }),
  ),
});

export const CreateJobBody = Type.Object({
  consent_id: ConsentId,
  callback_url: Type.Optional(Url('Receives job_status_update for this job (else the consent webhook_url).')),
});

export const GetJobBody = Type.Object({
  consent_id: ConsentId,
  job_id: Type.String({ minLength: 1, maxLength: 128 }),
});
