import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import ts from 'typescript';

/**
 * The import graph of Ferry's source and the architecture rules over it (src/architecture.test.ts).
 * Pure over a map of file → source text, so the rules are tested on small made-up trees as well as on src/.
 */

/** A file path relative to src/, with forward slashes (e.g. `pay/links.service.ts`). */
export type SourcePath = string;

export interface ImportEdge {
  from: SourcePath;
  to: SourcePath;
  /** The specifier as written. */
  specifier: string;
}

/** Modules from the bottom up: a module may import only modules of a lower layer. `(root)` is src/*.ts. */
export type Layers = readonly (readonly string[])[];

export interface Rules {
  layers: Layers;
  /** Folders whose files other modules may import one by one (leaf utilities that import nothing else). */
  libraries: readonly string[];
  /** Files (or folder prefixes ending in `/`) that may import the composition root's `services.ts`. */
  compositionRoot: readonly string[];
}

/** Production code: not a test, not a test-support folder. */
export const isProductionFile = (path: SourcePath) =>
  path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.split('/').includes('test-support');

/** src/ read from disk: every `.ts` file, keyed by its path relative to src/. */
export function readSourceTree(srcDir: string): Map<SourcePath, string> {
  const files = new Map<SourcePath, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts'))
        files.set(relative(srcDir, full).split('\\').join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(srcDir);
  return files;
}

/**
 * Every relative import of a file: `import`, `import type`, `export … from`, `import x = require()` and dynamic
 * `import()`. A `declare module '…'` block augments another module's types (the store's table map) and is not
 * an import.
 */
export function importsOf(path: SourcePath, text: string): ImportEdge[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const specifiers: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const e = node.moduleReference.expression;
      if (ts.isStringLiteral(e)) specifiers.push(e.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      specifiers.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal)) specifiers.push(arg.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers
    .filter((s) => s.startsWith('.'))
    .map((specifier) => ({
      from: path,
      specifier,
      to: posix.normalize(posix.join(dirname(path), specifier)).replace(/\.js$/, '.ts'),
    }));
}

/** The module a file belongs to: its top folder under src/, or `(root)` for src/*.ts. */
export const moduleOf = (path: SourcePath) => (path.includes('/') ? path.split('/')[0]! : '(root)');

/** Import cycles between files (each a list of files in import order, the first repeated at the end). */
export function fileCycles(edges: readonly ImportEdge[]): SourcePath[][] {
  const graph = new Map<SourcePath, SourcePath[]>();
  for (const e of edges) graph.set(e.from, [...(graph.get(e.from) ?? []), e.to]);
  return cyclesOf(graph);
}

/** Strongly connected components of more than one node (or a self-loop), each shown as one cycle through it. */
function cyclesOf(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(component);
  };
  for (const v of graph.keys()) if (!index.has(v)) connect(v);
  return components.map((c) => cycleThrough(graph, new Set(c), c.sort()[0]!));
}

/** One concrete cycle from `start` back to it inside a component (breadth-first, so it is a short one). */
function cycleThrough(graph: Map<string, string[]>, component: Set<string>, start: string): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!component.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let x = v; x !== start; x = previous.get(x)!) path.splice(1, 0, x);
        return [...path, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/** What an architecture check found, one line per breach. */
export interface Findings {
  cycles: string[];
  bypasses: string[];
  layering: string[];
  compositionRoot: string[];
  testCode: string[];
  libraries: string[];
}

/** Checks production files against the rules. */
export function checkArchitecture(files: Map<SourcePath, string>, rules: Rules): Findings {
  const production = [...files.keys()].filter(isProductionFile);
  const edges = production.flatMap((path) => importsOf(path, files.get(path)!));
  const layerOf = new Map<string, number>();
  rules.layers.forEach((modules, i) => {
    for (const m of modules) layerOf.set(m, i);
  });
  const findings: Findings = {
    cycles: fileCycles(edges).map((c) => c.join(' → ')),
    bypasses: [],
    layering: [],
    compositionRoot: [],
    testCode: [],
    libraries: [],
  };
  const seenLayering = new Set<string>();
  for (const e of edges) {
    const from = moduleOf(e.from);
    const to = moduleOf(e.to);
    const where = `${e.from} imports '${e.specifier}'`;
    if (!isProductionFile(e.to) || e.to.startsWith('../')) findings.testCode.push(where);
    if (e.to === 'services.ts' && !inRoot(e.from, rules.compositionRoot))
      findings.compositionRoot.push(where);
    if (from === to) continue;
    if (rules.libraries.includes(from)) findings.libraries.push(where);
    if (!rules.libraries.includes(to) && to !== '(root)' && e.to !== `${to}/index.ts`) {
      findings.bypasses.push(`${where}: import ${to}/index.ts instead`);
    }
    const a = layerOf.get(from);
    const b = layerOf.get(to);
    const pair = `${from} → ${to}`;
    if (a === undefined || b === undefined) {
      findings.layering.push(`${where}: module ${a === undefined ? from : to} has no layer`);
    } else if (b >= a && !seenLayering.has(pair)) {
      seenLayering.add(pair);
      findings.layering.push(
        `${where}: ${from} (layer ${a}) may import only lower layers, not ${to} (layer ${b})`,
      );
    }
  }
  return findings;
}

const inRoot = (path: SourcePath, root: readonly string[]) =>
  root.some((r) => (r.endsWith('/') ? path.startsWith(r) : path === r));
