import type { FastifyInstance } from 'fastify';
import type { ClientsService } from '../auth/index.js';
import type { Catalogue } from '../providers/index.js';
import { finqwareErrorSchema } from './errors.js';
import { type Skill, skillsFor } from './skills.js';
import { authenticateTenant } from './tenant.js';

export interface CatalogDeps {
  clients: ClientsService;
  liveClients: boolean;
  catalogue: Catalogue;
}

const body = {
  type: 'object',
  required: ['client_id'],
  additionalProperties: false,
  properties: {
    client_id: { type: 'string', minLength: 1, maxLength: 200 },
    client_app_key: { type: 'string', minLength: 1, maxLength: 200 },
    client_secret: { type: 'string', minLength: 1, maxLength: 200 },
    type: { type: 'string', enum: ['aisp', 'pisp', 'marketplace'] },
    country: { type: 'string', pattern: '^[A-Z]{2}$' },
    env: { type: 'string', enum: ['sandbox', 'production'] },
  },
} as const;

const upload = {
  type: 'object',
  required: ['name', 'content_types', 'max_bytes'],
  properties: {
    name: { type: 'string' },
    content_types: { type: 'array', items: { type: 'string' } },
    max_bytes: { type: 'integer' },
  },
} as const;

const skillSchema = {
  type: 'object',
  required: ['skill', 'type', 'servicer', 'country', 'env', 'steps'],
  properties: {
    skill: { type: 'string', examples: ['bt_ro_aisp_sbx_#1.0'] },
    type: { type: 'string', enum: ['aisp', 'pisp', 'marketplace'] },
    servicer: {
      type: 'object',
      required: ['id', 'name'],
      properties: { id: { type: 'string' }, name: { type: 'string' } },
    },
    country: { type: 'string' },
    env: { type: 'string', enum: ['sandbox', 'production'] },
    steps: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'schema', 'uploads'],
        properties: {
          name: { type: 'string' },
          schema: {
            type: 'object',
            additionalProperties: true,
            description: 'JSON Schema of the step’s data',
          },
          uploads: { type: 'array', items: upload },
        },
      },
    },
  },
} as const;

interface CatalogQuery {
  client_id: string;
  client_app_key?: string;
  client_secret?: string;
  type?: Skill['type'];
  country?: string;
  env?: Skill['env'];
}

/** What a tenant sees of a skill (where Ferry runs it stays inside). */
export const skillView = (s: Skill) => ({
  skill: s.skill,
  type: s.type,
  servicer: s.servicer,
  country: s.country,
  env: s.env,
  steps: s.steps,
});

/** `POST /v1/catalogs/skills`: the skills this tenant may start (its mode's banks, its scopes), filtered. */
export function registerCatalogRoutes(scope: FastifyInstance, deps: CatalogDeps): void {
  const schema = {
    tags: ['Finqware'],
    summary: 'The skills this tenant may start',
    body,
    response: { 200: { type: 'array', items: skillSchema }, '4xx': finqwareErrorSchema },
  };
  scope.post('/catalogs/skills', { schema }, async (request) => {
    const q = request.body as CatalogQuery;
    const client = await authenticateTenant(deps, q, 'either', request.ip);
    const allowed = (s: Skill) =>
      s.type === 'marketplace' || client.scopes.includes(s.type === 'aisp' ? 'ais' : 'pay');
    return skillsFor(deps.catalogue, client.mode)
      .filter(allowed)
      .filter(
        (s) =>
          (!q.type || s.type === q.type) &&
          (!q.country || s.country === q.country) &&
          (!q.env || s.env === q.env),
      )
      .map(skillView);
  });
}
