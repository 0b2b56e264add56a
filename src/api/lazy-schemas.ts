import AjvCompiler from '@fastify/ajv-compiler';
import SerializerSelector from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type Factories = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type ValidatorFactory = (externalSchemas: unknown, options: unknown) => (route: RouteSchema) => Validate;
type SerializerFactory = (externalSchemas: unknown, options: unknown) => (route: RouteSchema) => Serialize;
interface RouteSchema {
  schema: unknown;
  method: string;
  url: string;
  httpPart?: string;
}
type Validate = ((data: unknown, context?: unknown) => unknown) & { errors?: unknown };
type Serialize = (data: unknown) => string;

declare module 'fastify' {
  interface FastifyInstance {
    /** Compiles every route schema not compiled yet (lazySchemas); returns how many. Tests call it once. */
    compileSchemas(): number;
  }
}

/** Lazy schema compilers for one app, and a way to compile every schema they hold (the tests do). */
export interface LazySchemas {
  compilersFactory: Factories;
  /** Compiles every schema not compiled yet; throws the first failure with its route. Returns how many. */
  compileAll(): number;
}

/**
 * Fastify compiles every route's validators (Ajv) and serializers (fast-json-stringify) when the app starts:
 * a few hundred schemas, most of them for routes a given process may never serve. These factories wrap
 * Fastify's own (the same Ajv options and shared schemas) and compile each schema on its route's first request.
 *
 * What Fastify reads from a validator is kept: `errors` after a failed call, and `schemaEnv`, which makes it pass
 * the parent object so that Ajv may replace the root value. One difference: Fastify lower-cases a `headers`
 * schema's keys only for its default compiler, so a headers schema is refused here (no route declares one:
 * headers are read in handlers and hooks).
 */
export function lazySchemas(): LazySchemas {
  const pending = new Set<() => void>();
  const defaultValidators = AjvCompiler() as unknown as ValidatorFactory;
  const defaultSerializers = SerializerSelector() as unknown as SerializerFactory;

  const once = <F>(route: RouteSchema, build: () => F) => {
    let built: F | undefined;
    const get = () => {
      if (built === undefined) {
        try {
          built = build();
        } catch (error) {
          throw new Error(`schema of ${route.method} ${route.url}: ${(error as Error).message}`, {
            cause: error,
          });
        }
        pending.delete(compile);
      }
      return built;
    };
    const compile = () => void get();
    pending.add(compile);
    return get;
  };

  const buildValidator: ValidatorFactory = (externalSchemas, options) => {
    let compiler: ReturnType<ValidatorFactory> | undefined;
    return (route) => {
      if (route.httpPart === 'headers')
        throw new Error(
          `${route.method} ${route.url}: headers schemas are not supported (see lazy-schemas.ts)`,
        );
      const get = once(route, () => {
        compiler ??= defaultValidators(externalSchemas, options);
        return compiler(route);
      });
      const validate: Validate = (data, context) => {
        const real = get();
        const result = real(data, context);
        validate.errors = real.errors;
        return result;
      };
      // Ajv's functions carry schemaEnv; Fastify then passes { parentData, parentDataProperty } as the context.
      Object.defineProperty(validate, 'schemaEnv', { value: true });
      return validate;
    };
  };

  const buildSerializer: SerializerFactory = (externalSchemas, options) => {
    let compiler: ReturnType<SerializerFactory> | undefined;
    return (route) => {
      const get = once(route, () => {
        compiler ??= defaultSerializers(externalSchemas, options);
        return compiler(route);
      });
      return (data) => get()(data);
    };
  };

  return {
    compilersFactory: { buildValidator, buildSerializer } as unknown as Factories,
    compileAll() {
      const all = [...pending];
      for (const compile of all) compile();
      return all.length;
    },
  };
}
