import { Type } from 'typebox';
import type { ApiVersion } from '../api/index.js';
import { Amount, FreeForm, nullable, OneOf, Pagination, Timestamp } from '../api/index.js';
import { paymentMethodFieldsOf } from '../providers/index.js';
import { linkStatuses, v1Statuses } from './link-status.js';
import { linkTypes } from './links.schema.js';

/** The answers of the links endpoints, per API version (v1 predates funds_* and multi-type methods). */

const statusOf = (version: ApiVersion) =>
  version === 'v1' ? OneOf(v1Statuses as readonly string[]) : OneOf(linkStatuses);

const identity = {
  link_id: Type.String({ format: 'uuid' }),
  web_id: Type.String(),
};

const LinkProvider = Type.Object({
  provider_id: Type.String(),
  name: Type.String(),
  country: Type.String(),
  bic: Type.String(),
  logo_url: Type.String(),
});

const SingleTransfer = Type.Object({
  amount: Amount,
  currency: Type.String(),
  creditor_name: Type.String(),
  creditor_iban: Type.String(),
  remittance_info: Type.Optional(Type.String()),
  end_to_end_id: Type.Optional(Type.String()),
  debtor_iban: Type.Optional(Type.String({ description: 'when the API client sent it' })),
  psu_id: Type.Optional(Type.String({ description: 'when the API client sent it' })),
});

export const LinkCreated = Type.Object({
  created_at: Timestamp(),
  expires_at: Timestamp(),
  ...identity,
  web_url: nullable(Type.String({ description: 'the hosted page, or the bank SCA URL for redirect_sca' })),
  qr_svg_url: nullable(Type.String({ description: 'null for direct_sca' })),
  type: OneOf(linkTypes),
  status: OneOf(linkStatuses),
});

/** What links/get and each links/list item share. */
const linkFieldsOf = (version: ApiVersion) => ({
  ...identity,
  web_url: nullable(Type.String()),
  type: OneOf(linkTypes),
  status: statusOf(version),
  is_expired: Type.Boolean(),
  created_at: Timestamp(),
  expires_at: Timestamp(),
  amount: Amount,
  currency: Type.String(),
});

export const linkGetOf = (version: ApiVersion) =>
  Type.Object({
    ...linkFieldsOf(version),
    updated_at: Timestamp(),
    single_transfer: SingleTransfer,
    payment_method: Type.Optional(Type.Object(paymentMethodFieldsOf(version))),
    service_provider: Type.Optional(LinkProvider),
    status_history: Type.Array(Type.Object({ status: statusOf(version), at: Timestamp() })),
    options: Type.Object({
      redirect_url: nullable(Type.String()),
      webhook_url: nullable(Type.String()),
      ux_template: nullable(Type.String()),
      language: nullable(Type.String()),
    }),
    tracking: FreeForm('customer_ref, order_ref'),
  });

export const linkSummaryOf = (version: ApiVersion) =>
  Type.Object({
    ...linkFieldsOf(version),
    provider_id: nullable(Type.String()),
    keyset: Type.String({ description: 'this item as a pagination.after cursor' }),
  });

export const linkListOf = (version: ApiVersion) =>
  Type.Object({
    client_id: Type.String(),
    pagination: Pagination,
    links: Type.Array(linkSummaryOf(version)),
  });

export const LinkCancelled = Type.Object({ ...identity, status: Type.Literal('revoked') });
