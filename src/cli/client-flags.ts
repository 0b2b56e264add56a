import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { parseV1sKeys } from '../finqware/index.js';
import type { ClientInput } from '../operator/index.js';
import { CliError } from './io.js';

/** The settings flags `ferry clients create` and `ferry clients update` share (an empty value clears one). */
export function addSettingsFlags(command: Command): Command {
  const collect = (value: string, previous: string[] = []) => [...previous, value];
  return command
    .option('--scopes <list>', 'comma-separated: pay,ais')
    .option('--webhook-url <url>', 'default webhook URL ("" clears it)')
    .option('--ux-template <name>', 'default hosted-page template')
    .option('--jwks-file <file>', 'public JWK Set for private_key_jwt ("" removes it)')
    .option(
      '--auth-method <method>',
      'token endpoint auth: client_secret_basic, private_key_jwt, tls_client_auth',
    )
    .option('--tls-subject-dn <dn>', 'client certificate subject DN (tls_client_auth)')
    .option('--tls-cert-thumbprint <x5t>', 'bind tokens to this certificate (base64url SHA-256)')
    .option('--tracking-required', 'make tracking ids mandatory')
    .option('--no-tracking-required', 'make tracking ids optional')
    .option(
      '--redirect-uri <url>',
      'allowed redirect_uri of the finX flow (repeat for several; "" clears)',
      collect,
    )
    .option('--frame-ancestor <origin>', 'origin that may frame the finX widget (repeat; "" clears)', collect)
    .option(
      '--v1s-identity <email>',
      'identity of signed /v1s requests (iss, sub, email) of the Finqware API',
    )
    .option('--v1s-keys <file>', 'public keys of signed /v1s requests: a JWK Set or an X.509/SPKI PEM file')
    .option('--json', 'print one JSON object');
}

export const modeOption = () => new Option('--mode <mode>', 'test or live').default('test');

type Flags = Record<string, unknown>;
const text = (v: unknown) => (v === undefined ? undefined : String(v) === '' ? null : String(v));
const list = (v: unknown) => (v === undefined ? undefined : (v as string[]).filter((x) => x !== ''));

/** The flags as the operator API's client input (only what was given). */
export async function settingsFromFlags(opts: Flags): Promise<ClientInput> {
  const input: ClientInput = {
    name: opts.name as string | undefined,
    scopes:
      opts.scopes === undefined
        ? undefined
        : String(opts.scopes)
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean),
    webhook_url: text(opts.webhookUrl),
    ux_template: opts.uxTemplate as string | undefined,
    jwks:
      opts.jwksFile === undefined ? undefined : opts.jwksFile === '' ? null : readJwks(String(opts.jwksFile)),
    token_endpoint_auth_method: opts.authMethod as ClientInput['token_endpoint_auth_method'],
    tls_subject_dn: text(opts.tlsSubjectDn),
    tls_cert_thumbprint: text(opts.tlsCertThumbprint),
    tracking_required: opts.trackingRequired as boolean | undefined,
    redirect_uris: list(opts.redirectUri),
    frame_ancestors: list(opts.frameAncestor),
    v1s_identity: text(opts.v1sIdentity),
    v1s_keys:
      opts.v1sKeys === undefined
        ? undefined
        : opts.v1sKeys === ''
          ? null
          : await readPublicKeys(String(opts.v1sKeys)),
  };
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as ClientInput;
}

/** A single JWK is accepted as well as a JWK Set. */
const asJwks = (parsed: unknown) =>
  parsed && typeof parsed === 'object' && 'keys' in parsed
    ? (parsed as { keys: Record<string, unknown>[] })
    : { keys: [parsed as Record<string, unknown>] };

function readJwks(file: string): { keys: Record<string, unknown>[] } {
  try {
    return asJwks(JSON.parse(readFileSync(file, 'utf8')) as unknown);
  } catch (error) {
    throw new CliError(`--jwks-file ${file}: ${(error as Error).message}`);
  }
}

/** A JWK Set, or PEM X.509 certificates / public keys (RSA → RS256, EC P-256 → ES256): the classic API's rules. */
async function readPublicKeys(file: string): Promise<{ keys: Record<string, unknown>[] }> {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`--v1s-keys ${file}: ${(error as Error).message}`);
  }
  try {
    return await parseV1sKeys(content);
  } catch (error) {
    throw new CliError(`--v1s-keys ${file}: ${(error as Error).message}`);
  }
}
