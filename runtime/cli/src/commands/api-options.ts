import type { Command } from 'commander';
import { createApiClient, type ApiClient } from '@faultline/fault-client';

export interface ApiOptions { url: string; token?: string; json?: boolean }

/** --url, --token and --json, the options every command that talks to the alarm service takes. */
export function withApi(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'alarm service URL (FAULTLINE_API_URL)', process.env.FAULTLINE_API_URL ?? 'http://127.0.0.1:8080')
    .option('--token <token>', 'bearer token (default: FAULTLINE_API_TOKEN; prefer the variable: arguments show in ps)')
    .option('--json', 'print JSON instead of a table');
}

export function client(opts: ApiOptions): ApiClient {
  const token = opts.token ?? process.env.FAULTLINE_API_TOKEN;
  return createApiClient({ url: opts.url, ...(token ? { token } : {}) });
}

export const printJson = (v: unknown): void => { process.stdout.write(`${JSON.stringify(v, null, 2)}\n`); };

/** A plain aligned table: the last column is left unpadded so long text wraps naturally. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
}

export const time = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
