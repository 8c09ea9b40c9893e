import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { silentLogger, type Emit, type Envelope, type ProcessorContext } from '@faultline/runtime';
import type { FaultEvent, TopicName } from '@faultline/schemas';
import { CorrelatorConfigSchema, createCorrelator, type Correlator } from '../src/index.js';

export const TOKEN = 'test-token-0123456789abcdef';

export interface Emitted { topic: TopicName; value: unknown; key: string | null | undefined }

/** A started correlator with its API on a free port, and everything it emitted. */
export async function startWithApi(extra: Record<string, unknown> = {}): Promise<{ c: Correlator; url: string; emitted: Emitted[]; stop(): Promise<void> }> {
  const emitted: Emitted[] = [];
  const emit: Emit = (topic, value, opts) => { emitted.push({ topic, value, key: opts?.key }); };
  const ctx: ProcessorContext = { id: 'correlator', node: 'test', log: silentLogger, dataDir: mkdtempSync(join(tmpdir(), 'fl-api-')), emit };
  const config = Value.Parse(CorrelatorConfigSchema, { api: { enabled: true, listen: '127.0.0.1:0', tokens: [TOKEN] }, ...extra });
  const c = createCorrelator(ctx, config);
  await c.start();
  return { c, url: c.apiUrl!, emitted, stop: () => c.stop() };
}

let offset = 0;
export const faultEnvelope = (f: FaultEvent, partition = 0): Envelope =>
  ({ topic: 'faults', key: null, value: f, partition, offset: String(offset++), timestamp: f.ts });
