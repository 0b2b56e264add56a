import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import type { Mode } from '../providers/index.js';
import { FinqwareError } from './errors.js';
import { validationError } from './finqware.plugin.js';
import type { SkillStep } from './skills.js';

const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: false, strict: false }));
const compiled = new WeakMap<SkillStep, ValidateFunction>();

/** Checks a step's `data` against the step's JSON Schema (the one the catalogue publishes). */
export function checkStepData(step: SkillStep, data: unknown): Record<string, unknown> {
  let validate = compiled.get(step);
  if (!validate) {
    validate = ajv.compile(step.schema);
    compiled.set(step, validate);
  }
  if (!validate(data)) {
    const first = validate.errors![0]!;
    throw validationError({ ...first, params: first.params as Record<string, unknown> }, 'data');
  }
  return data as Record<string, unknown>;
}

/** Schemes a browser must never be sent to. */
const UNSAFE_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:']);

/**
 * Where the user goes after the bank: https, http for a test tenant or this machine, or an app's own scheme
 * (`myapp://done`); never a scheme that runs code in the browser.
 */
export function checkRedirectLink(link: string, mode: Mode): string {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new FinqwareError('invalid_field', 'data.psu_redirect_link must be an absolute URL.');
  }
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (UNSAFE_SCHEMES.has(url.protocol) || (url.protocol === 'http:' && mode === 'live' && !local)) {
    throw new FinqwareError(
      'invalid_field',
      `data.psu_redirect_link may not use ${url.protocol} (https, or an app scheme such as myapp://).`,
    );
  }
  return url.href;
}
