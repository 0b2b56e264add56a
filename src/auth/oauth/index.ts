// SCAFFOLD — replaced by the OAuth2 implementation (oidc-provider). Rejects every token until then.
import type { Kysely } from 'kysely';
import type { Config } from '../../config/index.js';
import type { Clock } from '../../shared/clock.js';
import type { Ids } from '../../shared/ids.js';
import type { SecretBox } from '../../shared/secret-box.js';
import type { Database } from '../../store/index.js';
import type { OAuthServer } from './types.js';

export interface OAuthDeps {
  config: Config;
  db: Kysely<Database>;
  clock: Clock;
  ids: Ids;
  secretBox: SecretBox;
}

export async function createOAuthServer(_deps: OAuthDeps): Promise<OAuthServer> {
  return {
    async register() {},
    async verifyAccessToken() {
      throw new Error('OAuth2 is not implemented yet');
    },
    async cleanup() {
      return 0;
    },
  };
}
