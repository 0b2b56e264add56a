import type { ColumnType, Generated } from 'kysely';

/** Row types as the database returns them (numeric, date and int8 arrive as strings on both drivers). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface ApiClientsTable {
  id: string;
  client_id: string;
  name: string;
  mode: 'test' | 'live';
  scopes: string[];
  secret_hash: string;
  token_endpoint_auth_method:
    | 'client_secret_basic'
    | 'client_secret_post'
    | 'private_key_jwt'
    | 'tls_client_auth';
  jwks: ColumnType<JwksJson | null, string | null, string | null>;
  tls_subject_dn: string | null;
  tls_cert_thumbprint: string | null;
  ux_template: Generated<string>;
  webhook_url: string | null;
  tracking_required: Generated<boolean>;
  disabled: Generated<boolean>;
  secret_rotated_at: NullableTimestamp;
  client_app_key: string;
  redirect_uris: Generated<string[]>;
  frame_ancestors: Generated<string[]>;
  v1s_identity: string | null;
  v1s_jwks: ColumnType<JwksJson | null, string | null, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface JwksJson {
  keys: Record<string, unknown>[];
}

export interface OauthArtifactsTable {
  model: string;
  id: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: NullableTimestamp;
  consumed_at: NullableTimestamp;
}

export interface OauthReplayTable {
  client_id: string;
  jti: string;
  expires_at: Timestamp;
}

export interface SigningKeysTable {
  kid: string;
  purpose: 'oauth' | 'webhook';
  alg: string;
  public_jwk: ColumnType<Record<string, unknown>, string, string>;
  private_enc: string;
  created_at: Timestamp;
  retired_at: NullableTimestamp;
}

export interface MigrationsTable {
  version: number;
  name: string;
  applied_at: Timestamp;
}

export interface Database {
  api_clients: ApiClientsTable;
  oauth_artifacts: OauthArtifactsTable;
  oauth_replay: OauthReplayTable;
  signing_keys: SigningKeysTable;
  ferry_migrations: MigrationsTable;
}
