import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/index.js';

/** OpenAPI 3.1 generated from the route schemas, served at /openapi.json, and an explorer at /docs. */
export async function registerOpenApi(app: FastifyInstance, config: Config): Promise<void> {
  await app.register(swagger, {
    // Shared schemas keep their $id as their component name (#/components/schemas/ErrorEnvelope), not def-N.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Ferry API (FinqLink-compatible)',
        version: '2.0.0',
        description:
          'Pay-by-link and account information over NextGenPSD2. Every endpoint is POST with a JSON body. ' +
          '/test paths take client_id and client_secret in the body; /v1 and /v2 take an OAuth2 bearer token.',
      },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: {
          oauth2: {
            type: 'oauth2',
            flows: {
              clientCredentials: {
                tokenUrl: `${config.publicUrl}/oauth2/token`,
                scopes: { pay_by_link: 'Payment links', ais: 'Account information' },
              },
            },
          },
        },
      },
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    uiConfig: { docExpansion: 'list', deepLinking: true, validatorUrl: null },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
