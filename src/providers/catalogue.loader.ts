import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import YAML from 'yaml';
import { type Catalogue, createCatalogue, resolveProduct } from './catalogue.js';
import type { ConnectorSettings, Env, Provider } from './catalogue.types.js';
import { envs } from './catalogue.types.js';
import {
  type AisMethodEntry,
  type CatalogueFile,
  CatalogueFileSchema,
  type CataloguePatchFile,
  CataloguePatchFileSchema,
  type ConnectorEntry,
  type PaymentMethodEntry,
  type ProviderEntry,
  type ProviderPatch,
  ProviderSchema,
} from './catalogue-file.schema.js';

/** A catalogue file that cannot be used; the message names the file and the offending entry. */
export class CatalogueError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Invalid providers catalogue ${file}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'CatalogueError';
  }
}

/** The catalogue shipped with Ferry (data, not code): <repo>/catalogue/providers.json from src/ or dist/. */
export const builtinCatalogueFile = fileURLToPath(new URL('../../catalogue/providers.json', import.meta.url));

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_CONSENT_DAYS = 180;
const DEFAULT_FREQUENCY_PER_DAY = 4;
const MAX_REPORTED_PROBLEMS = 20;

/** The file schemas, compiled on first use (about 150 ms): a start on the shipped catalogue alone needs none. */
let validators:
  | {
      full: ValidateFunction<CatalogueFile>;
      patch: ValidateFunction<CataloguePatchFile>;
      provider: ValidateFunction<ProviderEntry>;
    }
  | undefined;
const validatorsOf = () => {
  if (!validators) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    validators = {
      full: ajv.compile<CatalogueFile>(CatalogueFileSchema),
      patch: ajv.compile<CataloguePatchFile>(CataloguePatchFileSchema),
      provider: ajv.compile<ProviderEntry>(ProviderSchema),
    };
  }
  return validators;
};

/**
 * Loads the built-in catalogue and, when `file` is given (FERRY_PROVIDERS_FILE), merges the operator's JSON or
 * YAML file into it: a provider whose id exists is patched (top-level keys replace, connectors merge per env,
 * methods merge by method_id), a new id is added, `disabled: true` removes a provider or a method, and
 * `replace_builtin: true` starts from an empty catalogue. Throws CatalogueError on any invalid entry.
 */
export async function loadCatalogue(
  file?: string,
  options: { builtinFile?: string; verify?: boolean } = {},
): Promise<Catalogue> {
  const builtinFile = options.builtinFile ?? builtinCatalogueFile;
  // The shipped file alone is trusted as code is (its test checks it against every schema); any other file, or
  // a merge with the operator's, is checked here. The cross-entry rules run every time.
  const verify = options.verify ?? (file !== undefined || builtinFile !== builtinCatalogueFile);
  const builtinDoc = await readDocument(builtinFile);
  const builtin = verify
    ? check(builtinFile, builtinDoc, validatorsOf().full)
    : (builtinDoc as CatalogueFile);
  const origin = new Map<string, string>(builtin.providers.map((p) => [p.provider_id, builtinFile]));
  let entries: ProviderEntry[] = builtin.providers;
  const baseDirs = new Map<string, string>();

  if (file !== undefined) {
    const patch = check(file, await readDocument(file), validatorsOf().patch);
    entries = mergeProviders(patch.replace_builtin ? [] : entries, patch, file, origin);
    for (const p of patch.providers) baseDirs.set(p.provider_id, path.dirname(path.resolve(file)));
  }

  const problems: Problem[] = [];
  for (const entry of verify ? entries : []) {
    const providerId = entry.provider_id;
    const validateProvider = validatorsOf().provider;
    // Merged entries are re-checked: a patch may leave a new provider incomplete.
    if (!validateProvider(entry)) {
      for (const message of describeErrors(
        validateProvider.errors ?? [],
        entry,
        `provider "${providerId}"`,
      )) {
        problems.push({ providerId, message });
      }
    }
  }
  if (problems.length === 0) problems.push(...crossCheck(entries));
  if (problems.length > 0) {
    const files = [...new Set(problems.map((p) => origin.get(p.providerId) ?? builtinFile))].join(', ');
    throw new CatalogueError(
      files,
      problems.slice(0, MAX_REPORTED_PROBLEMS).map((p) => p.message),
    );
  }

  const providers: Provider[] = [];
  for (const entry of entries) {
    const dir = baseDirs.get(entry.provider_id) ?? path.dirname(builtinFile);
    providers.push(await toProvider(entry, dir, origin.get(entry.provider_id) ?? builtinFile));
  }
  return createCatalogue(providers);
}

async function readDocument(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CatalogueError(file, [`cannot read the file (${(err as NodeJS.ErrnoException).code ?? err})`]);
  }
  // YAML 1.2 is a superset of JSON, but a .json file gets JSON's stricter parser and error messages.
  try {
    return /\.json$/i.test(file) ? JSON.parse(text) : YAML.parse(text, { prettyErrors: true });
  } catch (err) {
    throw new CatalogueError(file, [
      `not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
    ]);
  }
}

function check<T>(file: string, doc: unknown, validate: ValidateFunction<T>): T {
  if (validate(doc)) return doc;
  throw new CatalogueError(file, describeErrors(validate.errors ?? [], doc).slice(0, MAX_REPORTED_PROBLEMS));
}

/** Ajv errors → "providers[2] (provider_id "x_ro") payment_methods[0] (method_id "y").env: must be one of …". */
function describeErrors(errors: ErrorObject[], doc: unknown, prefix?: string): string[] {
  const out = new Set<string>();
  for (const error of errors) {
    const segments = error.instancePath.split('/').filter(Boolean);
    const parts: string[] = prefix ? [prefix] : [];
    let node: unknown = doc;
    let label = '';
    for (const raw of segments) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
      if (/^\d+$/.test(key)) {
        label += `[${key}]`;
        const id = idOf(node);
        if (id) label += ` (${id})`;
      } else {
        label += label ? `.${key}` : key;
      }
    }
    if (label) parts.push(label);
    out.add(`${parts.join(' ') || 'the document'}: ${explain(error)}`);
  }
  return [...out];
}

function idOf(node: unknown): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const o = node as Record<string, unknown>;
  for (const key of ['provider_id', 'method_id']) {
    if (typeof o[key] === 'string') return `${key} "${o[key]}"`;
  }
  return undefined;
}

function explain(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperty':
    case 'additionalProperties':
      return `unknown field "${p.additionalProperty}"`;
    case 'required':
      return `missing required field "${p.missingProperty}"`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).join(', ')}`;
    case 'propertyNames':
      return `has an invalid key "${p.propertyName}"`;
    default:
      return error.message ?? 'is invalid';
  }
}

function mergeProviders(
  base: ProviderEntry[],
  patch: CataloguePatchFile,
  file: string,
  origin: Map<string, string>,
): ProviderEntry[] {
  const byId = new Map(base.map((p) => [p.provider_id, p]));
  const seen = new Set<string>();
  for (const [i, p] of patch.providers.entries()) {
    if (seen.has(p.provider_id)) {
      throw new CatalogueError(file, [
        `providers[${i}]: provider_id "${p.provider_id}" appears twice in this file`,
      ]);
    }
    seen.add(p.provider_id);
    origin.set(p.provider_id, file);
    if (p.disabled) {
      byId.delete(p.provider_id);
      continue;
    }
    const current = byId.get(p.provider_id);
    byId.set(p.provider_id, current ? patchProvider(current, p) : stripPatchFlags(p));
  }
  return [...byId.values()];
}

function patchProvider(current: ProviderEntry, p: ProviderPatch): ProviderEntry {
  const { disabled: _d, logo, connectors, payment_methods, ais_methods, ...scalars } = p;
  const merged: ProviderEntry = { ...current, ...scalars };
  if (logo) merged.logo = { ...current.logo, ...logo };
  if (connectors) {
    const next: Partial<Record<Env, ConnectorEntry>> = { ...current.connectors };
    for (const env of envs) {
      const c = connectors[env];
      if (c) next[env] = { ...current.connectors[env], ...c } as ConnectorEntry;
    }
    merged.connectors = next;
  }
  if (payment_methods) merged.payment_methods = mergeMethods(current.payment_methods, payment_methods);
  if (ais_methods) merged.ais_methods = mergeMethods(current.ais_methods ?? [], ais_methods);
  return merged;
}

function mergeMethods<M extends { method_id: string }>(
  current: readonly M[],
  patches: readonly (Partial<M> & { method_id: string; disabled?: boolean })[],
): M[] {
  const byId = new Map(current.map((m) => [m.method_id, m]));
  for (const { disabled, ...m } of patches) {
    if (disabled) byId.delete(m.method_id);
    else byId.set(m.method_id, { ...byId.get(m.method_id), ...m } as M);
  }
  return [...byId.values()];
}

/** A new provider from a patch file: drop the patch-only flags; the full schema then checks completeness. */
function stripPatchFlags(p: ProviderPatch): ProviderEntry {
  const { disabled: _d, ...rest } = p;
  const strip = <M extends { disabled?: boolean }>(list: M[] | undefined) =>
    list?.map(({ disabled: _x, ...m }) => m);
  return {
    ...rest,
    payment_methods: strip(rest.payment_methods),
    ...(rest.ais_methods ? { ais_methods: strip(rest.ais_methods) } : {}),
  } as ProviderEntry;
}

interface Problem {
  providerId: string;
  message: string;
}

/** Rules the schema cannot express: unique ids, a connector per env in use, products for every method. */
function crossCheck(entries: ProviderEntry[]): Problem[] {
  const problems: Problem[] = [];
  const methodOwner = new Map<string, string>();
  const providerIds = new Set<string>();
  for (const p of entries) {
    const where = `provider "${p.provider_id}"`;
    const say = (message: string) => problems.push({ providerId: p.provider_id, message });
    if (providerIds.has(p.provider_id)) say(`${where}: provider_id appears twice`);
    providerIds.add(p.provider_id);
    for (const env of envs) {
      const c = p.connectors[env];
      if (!c) continue;
      const probe = c.base_url.replaceAll('{public_url}', 'http://ferry.invalid');
      let ok = !/[{}]/.test(probe);
      try {
        ok &&= ['http:', 'https:'].includes(new URL(probe).protocol);
      } catch {
        ok = false;
      }
      if (!ok) {
        say(
          `${where} connectors.${env}.base_url: must be an http(s) URL, optionally starting with {public_url} (got "${c.base_url}")`,
        );
      }
    }
    const methods: (PaymentMethodEntry | AisMethodEntry)[] = [...p.payment_methods, ...(p.ais_methods ?? [])];
    for (const m of methods) {
      const owner = methodOwner.get(m.method_id);
      if (owner) say(`${where}: method_id "${m.method_id}" is already used by provider "${owner}"`);
      methodOwner.set(m.method_id, p.provider_id);
    }
    for (const m of p.payment_methods) {
      const connector = p.connectors[m.env];
      if (!connector) {
        say(`${where} method "${m.method_id}": env "${m.env}" has no entry in connectors`);
        continue;
      }
      for (const currency of m.currencies) {
        if (!resolveProduct(connector.payment_products, m.payment_scheme, currency)) {
          say(
            `${where} method "${m.method_id}": connectors.${m.env}.payment_products has no product for ` +
              `"${m.payment_scheme}:${currency}" or "${m.payment_scheme}"`,
          );
        }
      }
    }
    for (const m of p.ais_methods ?? []) {
      if (!p.connectors[m.interface_env]) {
        say(
          `${where} method "${m.method_id}": interface_env "${m.interface_env}" has no entry in connectors`,
        );
      }
    }
  }
  return problems;
}

async function toProvider(p: ProviderEntry, dir: string, file: string): Promise<Provider> {
  const connectors: Partial<Record<Env, ConnectorSettings>> = {};
  for (const env of envs) {
    const c = p.connectors[env];
    if (!c) continue;
    connectors[env] = {
      baseUrlTemplate: c.base_url.replace(/\/+$/, ''),
      paymentProducts: Object.freeze({ ...c.payment_products }),
      requiresSignature: c.requires_signature ?? false,
      timeoutMs: c.timeout_ms ?? DEFAULT_TIMEOUT_MS,
      tls: c.tls
        ? await readTls(c.tls, dir, file, `provider "${p.provider_id}" connectors.${env}.tls`)
        : undefined,
    };
  }
  return {
    providerId: p.provider_id,
    name: p.name,
    country: p.country,
    bic: p.bic,
    logo: { ...p.logo },
    connectors,
    paymentMethods: p.payment_methods.map((m) => ({
      methodId: m.method_id,
      providerId: p.provider_id,
      country: p.country,
      name: m.name,
      env: m.env,
      remitterType: [...m.remitter_type],
      paymentScheme: m.payment_scheme,
      currencies: [...m.currencies],
      inputs: { ...m.inputs },
    })),
    aisMethods: (p.ais_methods ?? []).map((m) => ({
      methodId: m.method_id,
      providerId: p.provider_id,
      name: m.name,
      accountOwnerType: [...m.account_owner_type],
      interfaceType: m.interface_type,
      interfaceEnv: m.interface_env,
      maxConsentValidityDays: m.max_consent_validity_days ?? DEFAULT_CONSENT_DAYS,
      frequencyPerDay: m.frequency_per_day ?? DEFAULT_FREQUENCY_PER_DAY,
    })),
  };
}

async function readTls(
  tls: NonNullable<ConnectorEntry['tls']>,
  dir: string,
  file: string,
  where: string,
): Promise<{ cert: string; key: string; ca?: string }> {
  const read = async (name: string) => {
    try {
      return await readFile(path.resolve(dir, name), 'utf8');
    } catch (err) {
      throw new CatalogueError(file, [
        `${where}: cannot read "${name}" (${(err as NodeJS.ErrnoException).code ?? err})`,
      ]);
    }
  };
  const cert = await read(tls.cert_file);
  const key = await read(tls.key_file);
  return tls.ca_file ? { cert, key, ca: await read(tls.ca_file) } : { cert, key };
}
