import path from 'node:path';
import { decodeKey } from '../config/index.js';
import { bankNotificationHeaders } from '../pay/index.js';
import {
  bankIds,
  type NotifyTarget,
  type RunningSandboxBank,
  startSandboxBank,
} from '../sandbox-bank/index.js';
import { CliError, type CliIo } from './io.js';

export interface SandboxBankCommandOptions {
  port: number;
  host: string;
  tlsCert?: string;
  tlsKey?: string;
  clientCa?: string;
  databaseUrl?: string;
  dataDir?: string;
  publicUrl?: string;
  adminToken?: string;
  /** Ferry's public URL: funds notifications go to <notifyUrl>/bank-notifications/<bank id>. */
  notifyUrl?: string;
  /** Ferry's bank-notification root key (`ferry keys bank-notifications`), hex or base64. */
  notifyKey?: string;
}

/** Flags first, then FERRY_SANDBOX_NOTIFY_URL / FERRY_SANDBOX_NOTIFY_KEY; both or neither. */
function notifyTarget(options: SandboxBankCommandOptions, io: CliIo): NotifyTarget | undefined {
  const url = options.notifyUrl ?? io.env.FERRY_SANDBOX_NOTIFY_URL;
  const keyText = options.notifyKey ?? io.env.FERRY_SANDBOX_NOTIFY_KEY;
  if (!url && !keyText) return undefined;
  if (!url || !keyText) throw new CliError('--notify-url and --notify-key go together');
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    throw new CliError("--notify-url must be an absolute http(s) URL (Ferry's public URL)");
  const key = decodeKey(keyText);
  if (!key) throw new CliError('--notify-key must be 32 bytes as 64 hex characters or base64');
  return { baseUrl: url, sign: bankNotificationHeaders(key) };
}

/** Starts the sandbox bank alone and prints where each bank answers. */
export async function runSandboxBank(
  options: SandboxBankCommandOptions,
  io: CliIo,
): Promise<RunningSandboxBank> {
  if (Boolean(options.tlsCert) !== Boolean(options.tlsKey))
    throw new CliError('--tls-cert and --tls-key go together');
  if (options.clientCa && !options.tlsCert) throw new CliError('--client-ca needs --tls-cert and --tls-key');
  const notify = notifyTarget(options, io);
  const running = await startSandboxBank({
    port: options.port,
    host: options.host,
    ...(options.tlsCert ? { tlsCert: path.resolve(io.cwd, options.tlsCert) } : {}),
    ...(options.tlsKey ? { tlsKey: path.resolve(io.cwd, options.tlsKey) } : {}),
    ...(options.clientCa ? { clientCa: path.resolve(io.cwd, options.clientCa) } : {}),
    ...(options.databaseUrl
      ? { databaseUrl: options.databaseUrl }
      : { dataDir: path.resolve(io.cwd, options.dataDir ?? '.ferry/sandbox-bank') }),
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    ...(options.adminToken ? { adminToken: options.adminToken } : {}),
    ...(notify ? { notify } : {}),
  });
  const base = options.publicUrl ?? running.url;
  io.out(
    `Sandbox bank listening on ${running.url}${options.clientCa ? ' (client certificates required for the API)' : ''}`,
  );
  for (const id of bankIds) io.out(`  ${id}: ${base}/sandbox-bank/${id}/v1`);
  io.out(
    notify
      ? `Funds notifications go to ${notify.baseUrl.replace(/\/+$/, '')}/bank-notifications/<bank id>`
      : 'Funds notifications are off (no --notify-url and --notify-key): settled payments are not reported',
  );
  return running;
}
