import { type Static, Type } from 'typebox';
import { eventStates } from '../webhooks/index.js';

const Jwks = Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: 20 }) });
const Text = (maxLength: number) => Type.String({ maxLength });

/** Client settings on the operator API (create and update); every field optional except `name` at creation. */
export const ClientInput = Type.Object(
  {
    name: Type.Optional(Text(128)),
    mode: Type.Optional(Type.Union([Type.Literal('test'), Type.Literal('live')])),
    enabled: Type.Optional(Type.Boolean()),
    scopes: Type.Optional(Type.Array(Text(16), { maxItems: 8 })),
    webhook_url: Type.Optional(Type.Union([Text(2048), Type.Null()])),
    ux_template: Type.Optional(Text(32)),
    token_endpoint_auth_method: Type.Optional(
      Type.Union([
        Type.Literal('client_secret_basic'),
        Type.Literal('client_secret_post'),
        Type.Literal('private_key_jwt'),
        Type.Literal('tls_client_auth'),
      ]),
    ),
    jwks: Type.Optional(Type.Union([Jwks, Type.Null()])),
    tls_subject_dn: Type.Optional(Type.Union([Text(1024), Type.Null()])),
    tls_cert_thumbprint: Type.Optional(Type.Union([Text(128), Type.Null()])),
    tracking_required: Type.Optional(Type.Boolean()),
    redirect_uris: Type.Optional(Type.Array(Text(2048), { maxItems: 20 })),
    frame_ancestors: Type.Optional(Type.Array(Text(512), { maxItems: 20 })),
    v1s_identity: Type.Optional(Type.Union([Text(254), Type.Null()])),
    v1s_keys: Type.Optional(Type.Union([Jwks, Type.Null()])),
  },
  { additionalProperties: false },
);
export type ClientInput = Static<typeof ClientInput>;

export const ClientIdParams = Type.Object({ client_id: Text(128) });
export const AuditQuery = Type.Object({
  limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$' })),
});

const EventStates = Type.Array(Type.Enum(eventStates), { minItems: 1, maxItems: 5, uniqueItems: true });

export const EventIdParams = Type.Object({ event_id: Text(64) });
/** A filtered set of webhook events to deliver again: every client's, or one client's; at least one state. */
export const RedeliverFilter = Type.Object(
  { client_id: Type.Optional(Text(128)), states: EventStates },
  { additionalProperties: false },
);
export type RedeliverFilter = Static<typeof RedeliverFilter>;
