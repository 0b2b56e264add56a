import type { Services } from '../services.js';

/**
 * On a fresh embedded database, `ferry start` creates one test client and prints everything needed to try
 * Ferry in five minutes: credentials, the API base, the docs and ready curl commands.
 */
export async function bootstrapFirstRun(services: Services): Promise<string[] | undefined> {
  if (services.config.databaseUrl || (await services.clients.count()) > 0) return undefined;
  const { client, clientSecret } = await services.clients.create({ name: 'Ferry test client', mode: 'test' });
  const base = services.config.publicUrl;
  const creds = `"client_id": "${client.clientId}", "client_secret": "${clientSecret}"`;
  return [
    '',
    'Ferry created a test API client for you (the secret is shown only this once):',
    `  client_id:     ${client.clientId}`,
    `  client_secret: ${clientSecret}`,
    '',
    `  API base:  ${base}/test  (live: ${base}/v1, ${base}/v2 with OAuth2 at ${base}/oauth2/token)`,
    `  API docs:  ${base}/docs   (OpenAPI: ${base}/openapi.json)`,
    `  Providers: ${base}/dashboard/providers`,
    '',
    'List the sandbox banks:',
    `  curl -s ${base}/test/providers/list -H 'content-type: application/json' -d '{${creds}}'`,
    '',
    'Create a test payment link (open the web_url it returns; sandbox logins are in the README):',
    `  curl -s ${base}/test/links/create -H 'content-type: application/json' -d '{${creds}, "single_transfer": {"amount": "10.50", "currency": "RON", "creditor_name": "ACME SRL", "creditor_iban": "RO10RZBR0000069999999970", "remittance_info": "Order 1001"}}'`,
    '',
  ];
}
