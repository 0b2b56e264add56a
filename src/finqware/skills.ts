import type { Catalogue, Env, Mode, Provider } from '../providers/index.js';

/** What a skill is in the classic API: a bank's AIS, a bank's PIS, or a product sold through a session. */
export type SkillType = 'aisp' | 'pisp' | 'marketplace';
export type SkillEnv = 'sandbox' | 'production';

/** A file a step takes by `POST /v1/steps/{step_id}/upload`. */
export interface StepUpload {
  name: string;
  content_types: readonly string[];
  max_bytes: number;
}

export interface SkillStep {
  name: string;
  /** JSON Schema of the step's `data`. */
  schema: Record<string, unknown>;
  uploads: readonly StepUpload[];
}

export interface Skill {
  skill: string;
  type: SkillType;
  servicer: { id: string; name: string };
  country: string;
  env: SkillEnv;
  steps: readonly SkillStep[];
  /** Where Ferry runs it: the provider and the catalogue env (not shown to tenants). */
  providerId: string;
  catalogueEnv: Env;
}

export const SKILL_VERSION = '1.0';
export const UPLOAD_MAX_BYTES = 5 * 1024 * 1024;

const redirectLink = {
  type: 'string',
  format: 'uri',
  maxLength: 2048,
  description: 'Where the user is sent after the bank: with temp_token on success, error otherwise.',
};

const scaStep: SkillStep = {
  name: 'sca',
  schema: {
    type: 'object',
    required: ['psu_redirect_link'],
    additionalProperties: false,
    properties: { psu_redirect_link: redirectLink },
  },
  uploads: [],
};

const amount = { type: 'string', pattern: '^(0|[1-9]\\d{0,11})(\\.\\d{1,2})?$' };
const iban = { type: 'string', minLength: 15, maxLength: 34 };

const paymentIntentStep: SkillStep = {
  name: 'payment_intent',
  schema: {
    type: 'object',
    required: ['psu_redirect_link', 'payment_info'],
    additionalProperties: false,
    properties: {
      psu_redirect_link: redirectLink,
      psu_id: { type: 'string', minLength: 1, maxLength: 64 },
      group_header: {
        type: 'object',
        additionalProperties: false,
        properties: {
          message_id: { type: 'string', maxLength: 35 },
          txs_no: { type: 'integer', minimum: 1 },
        },
      },
      payment_info: {
        type: 'array',
        minItems: 1,
        maxItems: 1,
        items: {
          type: 'object',
          required: ['credit_transfer_txs'],
          additionalProperties: false,
          properties: {
            payment_info_id: { type: 'string', maxLength: 35 },
            debtor: { type: 'object', properties: { name: { type: 'string', maxLength: 140 } } },
            debtor_account: {
              type: 'object',
              additionalProperties: false,
              properties: { iban, currency: { type: 'string', pattern: '^[A-Z]{3}$' } },
            },
            requested_execution_date: { type: 'string', format: 'date' },
            credit_transfer_txs: {
              type: 'array',
              minItems: 1,
              maxItems: 1,
              items: {
                type: 'object',
                required: ['instructed_amount', 'creditor', 'creditor_account'],
                additionalProperties: false,
                properties: {
                  end_to_end_id: { type: 'string', maxLength: 35 },
                  instructed_amount: {
                    type: 'object',
                    required: ['amount', 'currency'],
                    additionalProperties: false,
                    properties: { amount, currency: { type: 'string', pattern: '^[A-Z]{3}$' } },
                  },
                  creditor: {
                    type: 'object',
                    required: ['name'],
                    properties: { name: { type: 'string', minLength: 1, maxLength: 140 } },
                  },
                  creditor_account: {
                    type: 'object',
                    required: ['iban'],
                    additionalProperties: false,
                    properties: { iban },
                  },
                  remittance_information_unstructured: { type: 'string', maxLength: 140 },
                },
              },
            },
          },
        },
      },
    },
  },
  uploads: [],
};

const documentTypes = ['image/jpeg', 'image/png', 'application/pdf'] as const;

/** The sandbox's one marketplace product: a term deposit, sold in two steps, the second with two uploads. */
const termDeposit: Omit<Skill, 'skill'> = {
  type: 'marketplace',
  servicer: { id: 'ferry', name: 'Ferry Sandbox Bank' },
  country: 'RO',
  env: 'sandbox',
  providerId: 'ferry',
  catalogueEnv: 'sandbox',
  steps: [
    {
      name: 'product_form',
      schema: {
        type: 'object',
        required: ['value', 'currency', 'period'],
        additionalProperties: false,
        properties: {
          value: amount,
          currency: { type: 'string', enum: ['RON', 'EUR'] },
          period: { type: 'integer', enum: [1, 3, 6, 12], description: 'months' },
        },
      },
      uploads: [],
    },
    {
      name: 'kyc',
      schema: {
        type: 'object',
        required: ['full_name'],
        additionalProperties: false,
        properties: {
          full_name: { type: 'string', minLength: 1, maxLength: 140 },
          national_id: { type: 'string', minLength: 1, maxLength: 32 },
        },
      },
      uploads: [
        { name: 'id_document', content_types: documentTypes, max_bytes: UPLOAD_MAX_BYTES },
        { name: 'selfie', content_types: ['image/jpeg', 'image/png'], max_bytes: UPLOAD_MAX_BYTES },
      ],
    },
  ],
};

/** A catalogue env as the classic API names it: Ferry's sandbox bank `_sbx`, a bank's test system `_stg`. */
const suffixOf: Record<Env, string> = { sandbox: '_sbx', stage: '_stg', prod: '' };
const envOf: Record<Env, SkillEnv> = { sandbox: 'sandbox', stage: 'sandbox', prod: 'production' };

export const skillId = (providerId: string, type: SkillType, env: Env): string =>
  `${providerId}_${type}${suffixOf[env]}_#${SKILL_VERSION}`;

function providerSkills(provider: Provider, mode: Mode, catalogue: Catalogue): Skill[] {
  const base = (type: SkillType, env: Env, steps: readonly SkillStep[]): Skill => ({
    skill: skillId(provider.providerId, type, env),
    type,
    servicer: { id: provider.providerId, name: provider.name },
    country: provider.country,
    env: envOf[env],
    steps,
    providerId: provider.providerId,
    catalogueEnv: env,
  });
  const ais = new Set(
    catalogue.findAisMethods({ providerId: provider.providerId }, mode).map((m) => m.interfaceEnv),
  );
  const pay = new Set(
    catalogue.findPaymentMethods({ providerId: provider.providerId }, mode).map((m) => m.env),
  );
  return [
    ...[...ais].map((env) => base('aisp', env, [scaStep])),
    ...[...pay].map((env) => base('pisp', env, [paymentIntentStep])),
  ];
}

/**
 * Every skill a tenant of `mode` may start, derived from the providers catalogue: a test tenant sees Ferry's
 * sandbox banks (and the sandbox marketplace product), a live one the banks' own systems.
 */
export function skillsFor(catalogue: Catalogue, mode: Mode): Skill[] {
  const skills = catalogue.providers.flatMap((p) => providerSkills(p, mode, catalogue));
  if (mode === 'test') skills.push({ ...termDeposit, skill: `ferry_term_deposit_sbx_#${SKILL_VERSION}` });
  return skills;
}

/** The skill a session names, if this tenant may start it. */
export const findSkill = (catalogue: Catalogue, mode: Mode, id: string): Skill | undefined =>
  skillsFor(catalogue, mode).find((s) => s.skill === id);
