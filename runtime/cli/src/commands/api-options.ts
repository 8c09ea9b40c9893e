import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadPipelineConfig } from '@faultline/runtime';
import { TOKEN_FILE, type CorrelatorConfig } from '@faultline/processor-correlator';
import { createApiClient, type ApiClient } from '@faultline/fault-client';
import { DEFAULT_PIPELINE } from '../paths.js';
import { registry } from '../registry.js';

export interface ApiOptions { url?: string; token?: string; json?: boolean; config: string }

const DEFAULT_URL = 'http://127.0.0.1:8080';

/** --url, --token, -c and --json, the options every command that talks to the alarm service takes. */
export function withApi(cmd: Command): Command {
  return cmd
    .option('--url <url>', `alarm service URL (default: FAULTLINE_API_URL, else the correlator's api.listen in the pipeline file, else ${DEFAULT_URL})`)
    .option('--token <token>', 'bearer token (default: FAULTLINE_API_TOKEN, else the token file of the pipeline\'s correlator; prefer those: arguments show in ps)')
    .option('-c, --config <file>', 'pipeline file whose correlator serves the API (for the defaults above)', DEFAULT_PIPELINE)
    .option('--json', 'print JSON instead of a table');
}

/**
 * Where the API of the pipeline file's correlator listens, and its token: a configured one, or the
 * one it generated into its data dir. Lets `faultline alarm list` work on a single node with no setup.
 */
function fromPipeline(file: string): { url?: string; token?: string } {
  let cfg;
  try {
    cfg = loadPipelineConfig(file, registry);
  } catch {
    return {}; // no usable pipeline file: the flags and variables must say it all
  }
  const c = cfg.components.find((x) => x.kind === 'processor' && x.factory.type === 'correlator' && (x.config as CorrelatorConfig).api.enabled);
  if (!c) return {};
  const api = (c.config as CorrelatorConfig).api;
  let token = api.tokens[0];
  if (!token) {
    try {
      token = readFileSync(resolve(cfg.dataDir, c.id, TOKEN_FILE), 'utf8').trim();
    } catch {
      // not started yet, or not readable by this user
    }
  }
  return { url: `http://${api.listen}`, ...(token ? { token } : {}) };
}

export function client(opts: ApiOptions): ApiClient {
  // An empty variable counts as unset.
  const env = { url: process.env.FAULTLINE_API_URL || undefined, token: process.env.FAULTLINE_API_TOKEN || undefined };
  const pipeline = opts.url && opts.token ? {} : fromPipeline(opts.config);
  const url = opts.url ?? env.url ?? pipeline.url ?? DEFAULT_URL;
  const token = opts.token ?? env.token ?? pipeline.token;
  return createApiClient({ url, ...(token ? { token } : {}) });
}

export const printJson = (v: unknown): void => { process.stdout.write(`${JSON.stringify(v, null, 2)}\n`); };

/** A plain aligned table: the last column is left unpadded so long text wraps naturally. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
}

export const time = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
