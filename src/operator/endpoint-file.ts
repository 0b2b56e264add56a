import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * `<dataDir>/admin.json`: where a running server's operator API listens, written at start (mode 0600) and
 * removed at stop, so that the CLI on the same data folder finds it.
 */
const fileOf = (dataDir: string) => path.join(dataDir, 'admin.json');

export function writeOperatorEndpoint(dataDir: string, url: string, pid = process.pid): () => void {
  const file = fileOf(dataDir);
  writeFileSync(file, JSON.stringify({ url, pid }), { mode: 0o600 });
  return () => {
    if (readOperatorEndpoint(dataDir)?.pid === pid) rmSync(file, { force: true });
  };
}

export function readOperatorEndpoint(dataDir: string): { url: string; pid: number } | undefined {
  try {
    const parsed = JSON.parse(readFileSync(fileOf(dataDir), 'utf8')) as { url?: unknown; pid?: unknown };
    return typeof parsed.url === 'string' && typeof parsed.pid === 'number'
      ? { url: parsed.url, pid: parsed.pid }
      : undefined;
  } catch {
    return undefined;
  }
}
