import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { alarmKey, decode, type AlarmTransition } from '@faultline/schemas';
import { parseDuration, type Emit, type Envelope, type Processor, type ProcessorContext } from '@faultline/runtime';
import { loadCatalogFile } from './catalog/load.js';
import { loadStarlingxEventsFile } from './catalog/starlingx.js';
import { formatCatalogIssue, mergeCatalogs, type Catalog, type CatalogIssue } from './catalog/types.js';
import type { CorrelatorConfig } from './config.js';
import { Engine } from './engine/engine.js';
import { loadRulesFile, type RuleSet } from './engine/rules.js';
import { logTransition } from './engine/log-transition.js';
import { newOutput, type EngineOutput } from './engine/types.js';
import { startAlarmApi, type RunningApi } from './api/start.js';
import { DurableState } from './state/durable.js';
import { GroupSharing } from './shared/sharing.js';

/** Where the shipped catalog and rules live, relative to this file (src/ or dist/src/). */
const DEPLOY = resolve(import.meta.dirname, import.meta.dirname.includes('/dist/') ? '../../../..' : '../../..', 'deploy');
export const BUILTIN_CATALOG = resolve(DEPLOY, 'catalog/faultline.yaml');
export const BUILTIN_RULES = resolve(DEPLOY, 'rules/thresholds.yaml');

export interface Correlator extends Processor {
  /** The engine, once started: queries, silences, suppression and snapshots go through it. */
  readonly engine: Engine;
  /** Publishes what an operator action produced (silence, suppression) outside a batch. */
  publish(out: EngineOutput): void;
  /** Why it is not ready yet (not started, no partitions yet, restoring, catching up), or undefined once it is. */
  readonly notReady: string | undefined;
  /** Where the REST API listens, when `api.enabled`. */
  readonly apiUrl: string | undefined;
}

/** Loads the configured catalog and rules; any problem stops the start with every issue listed. */
export function loadDefinitions(config: CorrelatorConfig): { catalog: Catalog; rules: RuleSet } {
  const issues: CatalogIssue[] = [];
  const catalogs: Catalog[] = [];
  const files = [...(config.catalog.builtin ? [BUILTIN_CATALOG] : []), ...config.catalog.files.map((f) => resolve(f))];
  for (const f of config.catalog.starlingx) {
    const r = loadStarlingxEventsFile(resolve(f));
    issues.push(...r.issues);
    catalogs.push(r.catalog);
  }
  for (const f of files) {
    const r = loadCatalogFile(f);
    issues.push(...r.issues);
    catalogs.push(r.catalog);
  }
  const rules: RuleSet = { derived: [], rules: [] };
  for (const f of [...(config.rules.builtin ? [BUILTIN_RULES] : []), ...config.rules.files.map((x) => resolve(x))]) {
    const r = loadRulesFile(f);
    issues.push(...r.issues);
    rules.derived.push(...r.rules.derived);
    rules.rules.push(...r.rules.rules);
  }
  const catalog = mergeCatalogs(...catalogs);
  for (const r of rules.rules) {
    if (!catalog.entries.has(r.alarm_id)) {
      issues.push({ file: 'rules', line: 1, column: 1, id: r.name, field: 'alarm_id', message: `alarm ${r.alarm_id} is not in any loaded catalog` });
    }
  }
  if (issues.length) throw new Error(`correlator definitions have ${issues.length} problem(s):\n${issues.map(formatCatalogIssue).join('\n')}`);
  return { catalog, rules };
}

/** Publishes transitions to `alarms` and the resulting state to the compacted `alarms.active` (null when cleared). */
export function publishOutput(out: EngineOutput, emit: Emit, catalog: Catalog): void {
  for (const t of out.transitions) {
    const opts = t.traceparent ? { traceparent: t.traceparent } : {};
    emit('alarms', t, opts);
    emitActive(t, emit);
  }
  for (const l of out.logs) emit('alarms', logTransition(l, catalog), l.traceparent ? { traceparent: l.traceparent } : {});
}

function emitActive(t: AlarmTransition, emit: Emit) {
  if (t.kind === 'cleared_all') {
    for (const c of t.cleared) emit('alarms.active', null, { key: alarmKey(c.alarm) });
    return;
  }
  if (t.alarm.state === 'cleared') {
    if (t.kind === 'cleared') emit('alarms.active', null, { key: alarmKey(t.alarm) });
    return; // flapping/stable of an alarm that is no longer active: nothing to store
  }
  emit('alarms.active', { alarm: t.alarm, seq: t.seq, last_transition: t.uuid });
}

/**
 * The correlator processor: metrics, faults and heartbeats in; transitions out. Batches are handled
 * synchronously (the engine is pure and fast), so ticks from the timer never interleave with a batch.
 */
export function createCorrelator(ctx: ProcessorContext, config: CorrelatorConfig): Correlator {
  let engine: Engine | undefined;
  let catalog: Catalog | undefined;
  let historyRestored = false;
  let timer: NodeJS.Timeout | undefined;
  let api: RunningApi | undefined;
  /** On a bus with other members (Kafka): what this member sees of the group and shares with it (docs/alarm-api.md). */
  let sharing: GroupSharing | undefined;
  let assigned = false;
  const state = new DurableState(() => {
    if (!engine) throw new Error('the correlator is not started');
    return engine;
  }, ctx.log);
  const logs = (out: EngineOutput) => {
    for (const l of out.logs) ctx.log.info('customer log', { log_id: l.log_id, entity: l.entity_instance_id, severity: l.severity, reason: l.reason_text });
  };
  const catalogOf = () => {
    if (!catalog) throw new Error('the correlator is not started');
    return catalog;
  };
  const publish = (out: EngineOutput) => { publishOutput(out, ctx.emit, catalogOf()); logs(out); };
  /** Transitions made outside a batch, and the state of the hosts they touched. */
  const publishChanges = (out: EngineOutput) => {
    publish(out);
    state.persist(new Set(), out, ctx.emit);
  };
  /** An operator action: its transitions, the hosts they touched and the operator record. */
  const publishOperator = (out: EngineOutput) => {
    publishChanges(out);
    state.persistOperator(ctx.emit);
  };
  const notReady = (): string | undefined => {
    if (!engine) return 'not started';
    if (sharing && !sharing.follower.isCaughtUp) return 'reading the group\'s active alarms and operator state (alarms.active, correlator.shared)';
    if (!assigned) return 'waiting for a partition assignment from the consumer group';
    if (!state.idle) return 'restoring the state of its partitions';
    return undefined;
  };

  return {
    inputs: ['metrics', 'faults', 'heartbeats', 'inventory'],
    get engine() {
      if (!engine) throw new Error('the correlator is not started');
      return engine;
    },
    publish,
    get notReady() { return notReady(); },
    get apiUrl() { return api?.url; },
    async onAssign(partitions, read) {
      // Silences and suppression must be in force before the first batch of the partitions gained.
      await sharing?.follower.caughtUp;
      await state.assign(partitions, read, sharing?.follower);
      sharing?.afterRestore();
      assigned = true;
      if (config.restore_event_log && !historyRestored) {
        historyRestored = true;
        const history: AlarmTransition[] = [];
        for await (const r of read('alarms')) {
          const d = r.value && decode('alarm_transition', r.headers, r.value);
          if (d && d.ok) history.push(d.value);
        }
        engine?.replayHistory(history.slice(-config.event_log_size));
        ctx.log.info('event log restored', { events: Math.min(history.length, config.event_log_size) });
      }
    },
    async onRevoke(partitions) { state.revoke(partitions); },
    async start() {
      const defs = loadDefinitions(config);
      catalog = defs.catalog;
      const rules = defs.rules;
      engine = new Engine({
        catalog, rules, event_log_size: config.event_log_size,
        // Each start gets its own uuid space: a restored counter with a new seed never repeats a uuid.
        id_seed: `${ctx.node}/${ctx.id}/${randomUUID()}`,
        heartbeat: {
          degrade_after: config.heartbeat.degrade_after, fail_after: config.heartbeat.fail_after,
          recover_after: config.heartbeat.recover_after, multi_node_window_ms: parseDuration(config.heartbeat.multi_node_window),
          multi_node_min: config.heartbeat.multi_node_min, cluster: config.heartbeat.cluster,
        },
        flap: {
          changes: config.flapping.changes, window_ms: parseDuration(config.flapping.window),
          stable_after_ms: parseDuration(config.flapping.stable_after),
        },
      });
      const e = engine;
      if (ctx.follow) {
        sharing = new GroupSharing(ctx, e, { eventLogSize: config.event_log_size, apply: publishChanges, ownsPartition: (p) => state.owns(p) });
        await sharing.start(ctx.follow);
      }
      timer = setInterval(() => {
        const out = newOutput();
        sharing?.beforeTick(Date.now());
        e.tick(Date.now(), out);
        sharing?.afterTick(Date.now());
        if (out.transitions.length || out.logs.length) publish(out);
        // Not atomic with anything (no batch to commit with): a crash here may lose this state write.
        const heartbeatChanges = e.takeHeartbeatChanges();
        if (out.transitions.length || heartbeatChanges.size) state.persist(heartbeatChanges, out, ctx.emit);
      }, parseDuration(config.tick));
      timer.unref();
      if (config.api.enabled) {
        api = await startAlarmApi({
          ctx, config: config.api, engine: e, catalog: defs.catalog, publish: publishOperator, notReady,
          ...(sharing && { reader: sharing.follower.view, share: sharing }),
          registries: ctx.telemetry ? [ctx.telemetry.registry] : [],
        });
      }
      ctx.log.info('correlator started', { alarms: defs.catalog.entries.size, rules: rules.rules.length, derived: rules.derived.length });
    },
    handle(batch: readonly Envelope[], emit: Emit) {
      const e = engine;
      if (!e) throw new Error('the correlator is not started');
      const out = newOutput();
      const now = Date.now();
      const touched = state.noteBatch(batch);
      let inventoryChanged = false;
      for (const env of batch) {
        switch (env.topic) {
          case 'metrics': e.metrics(env.value as Envelope<'metrics'>['value'], out, now, env.traceparent); break;
          case 'faults': e.fault(env.value as Envelope<'faults'>['value'], out, env.traceparent); break;
          case 'heartbeats': e.heartbeat(env.value as Envelope<'heartbeats'>['value'], out, now); break;
          case 'inventory': {
            const rec = env.value as Envelope<'inventory'>['value'];
            e.inventory(rec, rec.ts, out);
            inventoryChanged = true;
            break;
          }
          default: break;
        }
      }
      // Heartbeats touch a host's state record only when its heartbeat state changed meaningfully.
      for (const host of e.takeHeartbeatChanges()) touched.add(host);
      publishOutput(out, emit, catalogOf());
      state.persist(touched, out, emit);
      // Inventory relations are global state (kept with silences and suppression, under "*").
      if (inventoryChanged) state.persistOperator(emit);
      logs(out);
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await api?.close();
      api = undefined;
      await sharing?.stop();
      sharing = undefined;
    },
  };
}
