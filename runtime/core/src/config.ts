import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { AnyFactory, ComponentKind } from './component.js';
import type { Registry } from './registry.js';
import { BusConfigSchema } from './bus/config.js';
import { TracingConfigSchema, type TracingConfig } from './tracing/config.js';
import { PathSchema, resolveConfigPaths } from './config-paths.js';
import { DurationSchema, parseDuration } from './duration.js';
import {
  DEFAULT_PROCESSOR_RETRY, MAX_PROCESSOR_ATTEMPTS, MAX_PROCESSOR_RETRY_WAIT_MS, retryWaitsMs, type ProcessorRetry,
} from './processor-retry.js';

/** The top of a pipeline file. Component sections are checked against each factory's own schema. */
export const PipelineFileSchema = Type.Object({
  node: Type.String({ minLength: 1, default: hostname(), description: 'this node\'s name; default: the host name' }),
  data_dir: PathSchema({
    default: '.dev/faultline',
    description: 'where local state lives (journals, ledgers); relative to this file, but the default is relative to the working directory',
  }),
  bus: BusConfigSchema,
  tracing: TracingConfigSchema,
  processor_retry: Type.Object({
    max_attempts: Type.Integer({
      minimum: 1, maximum: MAX_PROCESSOR_ATTEMPTS, default: DEFAULT_PROCESSOR_RETRY.maxAttempts,
      description: 'handle() attempts on one batch; after the last, the batch is split to find the records it fails on, '
        + 'those go to the deadletter topic (reason processing_error) and the processor moves on. Bounded, so that a '
        + 'batch that keeps failing holds its partition at most (max_attempts - 1) x max_backoff',
    }),
    backoff: DurationSchema({ default: `${DEFAULT_PROCESSOR_RETRY.backoffMs}ms`, description: 'wait before the second attempt, doubled before each next one' }),
    max_backoff: DurationSchema({ default: `${DEFAULT_PROCESSOR_RETRY.maxBackoffMs / 1000}s`, description: 'longest wait between two attempts' }),
  }, { default: {}, additionalProperties: false }),
  collectors: Type.Record(Type.String(), Type.Object({ type: Type.Optional(Type.String()) }), { default: {} }),
  processors: Type.Record(Type.String(), Type.Object({ type: Type.Optional(Type.String()) }), { default: {} }),
  sinks: Type.Record(Type.String(), Type.Object({ type: Type.Optional(Type.String()) }), { default: {} }),
}, { additionalProperties: false });

export interface ComponentEntry {
  kind: ComponentKind;
  /** `collectors.host`: the section and instance name, as the file spells it. */
  id: string;
  name: string;
  factory: AnyFactory;
  config: unknown;
}

export interface PipelineConfig {
  file: string;
  node: string;
  dataDir: string;
  bus: Static<typeof BusConfigSchema>;
  /** Absent (as in configs built by hand) means tracing off. */
  tracing?: TracingConfig;
  /** Absent: DEFAULT_PROCESSOR_RETRY. */
  processorRetry?: ProcessorRetry;
  components: ComponentEntry[];
}

export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
  }
}

export const formatIssue = (i: ConfigIssue) => `${i.file}:${i.line}:${i.column}: ${i.path || '(top)'}: ${i.message}`;

const SECTIONS: Record<'collectors' | 'processors' | 'sinks', ComponentKind> = {
  collectors: 'collector', processors: 'processor', sinks: 'sink',
};

/** `${env:NAME}` and `${env:NAME:-default}` in string values, so secrets stay out of the file. */
function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, missing: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, def?: string) => {
      const v = env[name] ?? def;
      if (v === undefined) missing.push(name);
      return v ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v) => substituteEnv(v, env, missing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, missing)]));
  }
  return value;
}

/** The YAML node at a JSON-pointer-like path, or the nearest ancestor that exists. */
function nodeAt(doc: Document, path: (string | number)[]): Node | undefined {
  let node: unknown = doc.contents;
  for (const seg of path) {
    if (isMap(node) || isSeq(node)) {
      const next = node.get(seg, true) as unknown;
      if (next === undefined) {
        // A missing key: point at the map that should hold it.
        return node as Node;
      }
      node = isScalar(next) || isMap(next) || isSeq(next) ? next : node;
    } else break;
  }
  return node as Node | undefined;
}

function describeExpected(schema: TSchema | undefined): string {
  if (!schema) return '';
  if (schema.anyOf) return (schema.anyOf as TSchema[]).map((s) => (s.const !== undefined ? JSON.stringify(s.const) : s.type)).join(' | ');
  const parts = [schema.type as string | undefined];
  if (schema.pattern && schema.examples) parts.push(`like ${(schema.examples as string[]).join(', ')}`);
  else if (schema.pattern) parts.push(`matching ${schema.pattern}`);
  if (schema.minimum !== undefined || schema.maximum !== undefined) parts.push(`in ${schema.minimum ?? '-∞'}..${schema.maximum ?? '∞'}`);
  return parts.filter(Boolean).join(' ');
}

/** Checks `value` against `schema` with defaults filled in; every problem becomes an issue with its line. */
function check(
  schema: TSchema, value: unknown, at: (string | number)[], doc: Document, lc: LineCounter, file: string, issues: ConfigIssue[],
): unknown {
  const withDefaults = Value.Default(schema, Value.Clone(value ?? {}));
  const seen = new Set<string>();
  for (const e of Value.Errors(schema, withDefaults)) {
    const rel = e.path.split('/').filter(Boolean).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const full = [...at, ...rel];
    const dotted = full.join('.');
    if (seen.has(dotted)) continue; // one message per field: unions otherwise repeat themselves
    seen.add(dotted);
    const node = nodeAt(doc, full);
    const pos = node?.range ? lc.linePos(node.range[0]) : { line: 1, col: 1 };
    const expected = describeExpected(e.schema);
    const got = e.value === undefined ? 'nothing' : JSON.stringify(e.value);
    const message = e.message.startsWith('Unexpected property')
      ? `unknown field (allowed: ${Object.keys((e.schema as { properties?: object }).properties ?? {}).join(', ')})`
      : e.message.startsWith('Expected required property')
        ? `required field is missing${expected ? `; expected ${expected}` : ''}`
        : `expected ${expected || e.message.replace(/^Expected /, '')}, got ${got}`;
    issues.push({ file, line: pos.line, column: pos.col, path: dotted, message });
  }
  return withDefaults;
}

/** The bus schema (bus/config.ts) does not mark its TLS files with PathSchema: they are named here. */
const BUS_TLS_FILES = ['ca_file', 'cert_file', 'key_file'];
const BusTlsPathsSchema = Type.Object(Object.fromEntries(BUS_TLS_FILES.map((k) => [k, PathSchema()])));

/** The top level with its paths resolved: those PipelineFileSchema marks, and the bus's TLS files. */
function withPaths(schema: TSchema, raw: unknown, baseDir: string): unknown {
  const top = resolveConfigPaths(schema, raw, baseDir) as { bus?: { kafka?: { tls?: unknown } } };
  const tls = top?.bus?.kafka?.tls;
  if (!tls) return top;
  return { ...top, bus: { ...top.bus, kafka: { ...top.bus!.kafka, tls: resolveConfigPaths(BusTlsPathsSchema, tls, baseDir) } } };
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Text instead of reading `file` (tests, embedded defaults). */
  text?: string;
}

/**
 * Loads and validates a pipeline file: YAML syntax, the top level, then each component against its
 * factory's schema. Every problem in the file is reported at once, each with its line and field.
 */
export function loadPipelineConfig(file: string, registry: Registry, opts: LoadOptions = {}): PipelineConfig {
  const text = opts.text ?? readFileSync(file, 'utf8');
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const issues: ConfigIssue[] = [];
  for (const e of doc.errors) {
    const pos = lc.linePos(e.pos[0]);
    issues.push({ file, line: pos.line, column: pos.col, path: '', message: `YAML: ${e.message.split('\n')[0]}` });
  }
  if (issues.length) throw new ConfigError(issues);
  const missing: string[] = [];
  const raw = substituteEnv(doc.toJS() ?? {}, opts.env ?? process.env, missing);
  for (const name of new Set(missing)) {
    issues.push({ file, line: 1, column: 1, path: '', message: `environment variable ${name} is not set and has no default (\${env:${name}:-default})` });
  }
  // Paths written in the file are relative to the file (as in Prometheus and the OTel Collector), not to the cwd.
  const baseDir = dirname(file);
  const top = check(PipelineFileSchema, withPaths(PipelineFileSchema, raw, baseDir), [], doc, lc, file, issues) as Static<typeof PipelineFileSchema>;
  const components: ComponentEntry[] = [];
  for (const [section, kind] of Object.entries(SECTIONS) as [keyof typeof SECTIONS, ComponentKind][]) {
    const entries = (top as Record<string, unknown>)[section];
    if (!entries || typeof entries !== 'object') continue;
    for (const [name, entry] of Object.entries(entries as Record<string, Record<string, unknown>>)) {
      const type = typeof entry?.type === 'string' ? entry.type : name;
      const factory = registry[kind].get(type);
      const at = [section, name];
      if (!factory) {
        const node = nodeAt(doc, [...at, 'type']);
        const pos = node?.range ? lc.linePos(node.range[0]) : { line: 1, col: 1 };
        const known = [...registry[kind].keys()].join(', ') || 'none yet';
        issues.push({ file, line: pos.line, column: pos.col, path: `${section}.${name}.type`, message: `unknown ${kind} type "${type}" (known: ${known})` });
        continue;
      }
      const { type: _type, ...rest } = entry ?? {};
      const config = check(factory.configSchema, resolveConfigPaths(factory.configSchema, rest, baseDir), at, doc, lc, file, issues);
      components.push({ kind, id: `${section}.${name}`, name, factory, config });
    }
  }
  let processorRetry: ProcessorRetry | undefined;
  if (!issues.some((i) => i.path.startsWith('processor_retry'))) {
    const retry = top.processor_retry;
    processorRetry = { maxAttempts: retry.max_attempts, backoffMs: parseDuration(retry.backoff), maxBackoffMs: parseDuration(retry.max_backoff) };
    const waitMs = retryWaitsMs(processorRetry).reduce((a, b) => a + b, 0);
    if (waitMs > MAX_PROCESSOR_RETRY_WAIT_MS) {
      const node = nodeAt(doc, ['processor_retry']);
      const pos = node?.range ? lc.linePos(node.range[0]) : { line: 1, col: 1 };
      issues.push({
        file, line: pos.line, column: pos.col, path: 'processor_retry',
        message: `its waits add up to ${Math.round(waitMs / 1000)}s, more than ${MAX_PROCESSOR_RETRY_WAIT_MS / 60_000}m: a batch that keeps failing holds its partition that long; lower max_attempts or max_backoff`,
      });
    }
  }
  if (issues.length) throw new ConfigError(issues.sort((a, b) => a.line - b.line || a.column - b.column));
  return { file, node: top.node, dataDir: top.data_dir, bus: top.bus, tracing: top.tracing, components, processorRetry: processorRetry! };
}
