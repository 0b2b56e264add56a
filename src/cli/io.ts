/** Where commands read their environment and write output; tests pass their own. */
export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  out(line: string): void;
  err(line: string): void;
}

export const processIo: CliIo = {
  env: process.env,
  cwd: process.cwd(),
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** An expected failure: printed without a stack, exit code 2. */
export class CliError extends Error {}
