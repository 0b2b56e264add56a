import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the ferry bin as `npx ferry ...` does: from dist/, which global setup keeps fresh (fresh-dist.ts). */
export function runFerry(args: string[], env: Record<string, string>, cwd = repoRoot): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnFerry(args, env, cwd);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => {
      stdout += d;
    });
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function spawnFerry(args: string[], env: Record<string, string>, cwd = repoRoot): ChildProcess {
  return spawn(process.execPath, [`${repoRoot}bin/ferry.js`, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Waits until `predicate(output)` holds for the child's stdout, or fails after `timeoutMs`. */
export function waitForOutput(child: ChildProcess, predicate: (out: string) => boolean, timeoutMs = 60_000) {
  return new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out; stdout:\n${out}\nstderr:\n${err}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (d) => {
      err += d;
    });
    child.stdout?.on('data', (d) => {
      out += d;
      if (predicate(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!predicate(out)) reject(new Error(`exited with ${code}; stdout:\n${out}\nstderr:\n${err}`));
    });
  });
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}
