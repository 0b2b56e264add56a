import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  checkArchitecture,
  type Findings,
  type Rules,
  readSourceTree,
} from '../test/support/import-graph.js';

/**
 * The module map of docs/architecture.md, enforced: modules from the bottom up; a module imports only modules
 * of lower layers, and only through their index.ts; `shared/` is a folder of leaf utilities imported file by
 * file; only the composition root and the CLI see `Services`.
 */
const ferryRules: Rules = {
  layers: [
    ['shared'],
    ['config', 'store', 'connectors'],
    ['auth', 'worker', 'sandbox-bank'],
    ['api'],
    ['providers', 'webhooks'],
    ['webui'],
    ['pay', 'ais'],
    ['operator', 'finqware'],
    ['(root)'],
    ['cli'],
  ],
  libraries: ['shared'],
  compositionRoot: ['services.ts', 'app.ts', 'runtime.ts', 'main.ts', 'cli/'],
};

const clean: Findings = {
  cycles: [],
  bypasses: [],
  layering: [],
  compositionRoot: [],
  testCode: [],
  libraries: [],
};

const check = (files: Record<string, string>) =>
  checkArchitecture(new Map(Object.entries(files)), ferryRules);

describe('architecture of src/', () => {
  it('has no import cycle, no import around an index.ts, no upward import, and Services only at the root', () => {
    const files = readSourceTree(fileURLToPath(new URL('.', import.meta.url)));
    expect(files.size).toBeGreaterThan(100);
    expect(checkArchitecture(files, ferryRules)).toEqual(clean);
  });
});

describe('the rules catch', () => {
  it('a cycle made only of type imports', () => {
    const found = check({
      'pay/a.ts': "import type { B } from './b.js';\nexport type A = B;",
      'pay/b.ts': "import type { A } from './a.js';\nexport type B = { a?: A };",
    });
    expect(found.cycles).toEqual(['pay/a.ts → pay/b.ts → pay/a.ts']);
  });

  it('a cycle through re-exports, dynamic imports and type queries across modules', () => {
    const found = check({
      'pay/index.ts': "export * from './x.js';",
      'pay/x.ts': "export const load = () => import('../ais/index.js');",
      'ais/index.ts': "export type P = import('../pay/index.js').X;",
    });
    expect(found.cycles).toHaveLength(1);
    expect(found.cycles[0]).toContain('ais/index.ts');
    // pay and ais share a layer: neither may import the other.
    expect(found.layering).toEqual([
      expect.stringContaining('pay (layer 6) may import only lower layers, not ais (layer 6)'),
      expect.stringContaining('ais (layer 6) may import only lower layers, not pay (layer 6)'),
    ]);
  });

  it('an import that goes around a module’s index.ts', () => {
    const found = check({
      'connectors/index.ts': "export type * from './types.js';",
      'connectors/types.ts': 'export interface BankConnector {}',
      'pay/bank.ts': "import type { BankConnector } from '../connectors/types.js';",
    });
    expect(found.bypasses).toEqual([
      "pay/bank.ts imports '../connectors/types.js': import connectors/index.ts instead",
    ]);
  });

  it('Services used outside the composition root and the CLI', () => {
    const found = check({
      'services.ts': 'export interface Services {}',
      'cli/main.ts': "import type { Services } from '../services.js';",
      'webhooks/index.ts': "import type { Services } from '../services.js';",
    });
    expect(found.compositionRoot).toEqual(["webhooks/index.ts imports '../services.js'"]);
  });

  it('a lower module importing a higher one, production code importing tests, a library importing a module', () => {
    const found = check({
      'store/index.ts': "import { x } from '../pay/index.js';",
      'pay/index.ts': "import { fake } from './test-support/fake-bank.js';",
      'pay/test-support/fake-bank.ts': 'export const fake = 1;',
      'shared/clock.ts': "import { y } from '../config/index.js';",
      'config/index.ts': 'export const y = 1;',
    });
    expect(found.layering).toEqual([
      expect.stringContaining('store (layer 1) may import only lower layers, not pay (layer 6)'),
      expect.stringContaining('shared (layer 0) may import only lower layers, not config (layer 1)'),
    ]);
    expect(found.testCode).toEqual(["pay/index.ts imports './test-support/fake-bank.js'"]);
    expect(found.libraries).toEqual(["shared/clock.ts imports '../config/index.js'"]);
  });

  it('but not a type augmentation of the store’s table map', () => {
    const found = check({
      'store/schema.ts': 'export interface Database {}',
      'pay/pay.schema.ts': "declare module '../store/schema.js' { interface Database { links: {} } }",
    });
    expect(found).toEqual(clean);
  });
});
