import { alarmKey, type Heartbeat } from '@faultline/schemas';
import type { AlarmTable } from './alarm-table.js';
import { pathValue } from './entity.js';
import { ownsPredicate, type EngineOutput, type Owns } from './types.js';

export const HEARTBEAT_ALARM = '710.001';
export const REBOOT_LOG = '710.002';
export const MULTI_NODE_ALARM = '710.010';
/** Label put on the alarms of hosts that failed together: remediation must hold off (the cause is not the host). */
export const REMEDIATION_HOLD_LABEL = 'remediation_hold';

export interface HeartbeatOptions {
  /** Missed periods before the host is degraded (710.001 major). StarlingX mtce: 6. */
  degrade_after: number;
  /** Missed periods before it has failed (710.001 critical). StarlingX mtce: 10. */
  fail_after: number;
  /** Consecutive pulses that prove it is back. StarlingX mtce: 10. */
  recover_after: number;
  /** Hosts failing within this window count as failing together. */
  multi_node_window_ms: number;
  /** This many hosts failing together raise one 710.010 instead of one failure each. */
  multi_node_min: number;
  /** system=<cluster> of the multi-node alarm. */
  cluster: string;
}

export const DEFAULT_HEARTBEAT: HeartbeatOptions = {
  degrade_after: 6, fail_after: 10, recover_after: 10, multi_node_window_ms: 1000, multi_node_min: 2, cluster: 'faultline',
};

type HostState = 'ok' | 'degraded' | 'failing' | 'failed';

export interface HostSnapshot {
  node: string;
  boot_id: string;
  seq: number;
  last_at: number;
  period_ms: number;
  state: HostState;
  pulses: number;
  failing_since?: number;
  in_multi: boolean;
}

export interface HeartbeatSnapshot {
  hosts: HostSnapshot[];
  multi: string[];
}

/**
 * Heartbeat loss per host (StarlingX mtce): misses are counted on the engine's clock at each tick;
 * recovery needs consecutive pulses; a new boot id is a reboot (logged), not a gap. Hosts whose
 * failure begins inside one window raise one multi-node alarm, and their own alarms are marked so
 * remediation holds off.
 */
export class HeartbeatMonitor {
  private readonly hosts = new Map<string, HostSnapshot>();
  /** This member's hosts covered by the multi-node failure. */
  private multi = new Set<string>();
  /** What the other members of a correlator group report: their failing hosts and those in the multi-node failure. */
  private peers: { failing: ReadonlySet<string>; inMulti: ReadonlySet<string> } = { failing: new Set(), inMulti: new Set() };
  /** Whether this member raises and clears 710.010 (one member does: the owner of partition 0). */
  private judge = true;
  /** The hosts the 710.010 this member raised names, so it is raised again only when they change. */
  private judged = '';
  /**
   * Hosts whose durable heartbeat state changed meaningfully since the last takeChanged(): first
   * heard, rebooted, degraded, failed, recovered, or first beat after a restore. A beat that only
   * moves seq and last-seen is not a change: rewriting the host's state record on every beat was
   * most of a heartbeat's cost (docs/alarm-state.md).
   */
  private readonly changed = new Set<string>();
  /** Restored hosts not heard from since: their first beat is persisted (it refreshes seq and boot id). */
  private readonly unheardSinceRestore = new Set<string>();

  constructor(private readonly table: AlarmTable, private readonly o: HeartbeatOptions = DEFAULT_HEARTBEAT) {}

  private entity(node: string) { return `host=${pathValue(node, true)}`; }
  private get multiEntity() { return `system=${pathValue(this.o.cluster, true)}`; }

  pulse(hb: Heartbeat, receivedAt: number, out: EngineOutput): void {
    const h = this.hosts.get(hb.node);
    if (!h) {
      this.hosts.set(hb.node, {
        node: hb.node, boot_id: hb.boot_id, seq: hb.seq, last_at: receivedAt, period_ms: hb.period_ms, state: 'ok', pulses: 0, in_multi: false,
      });
      this.changed.add(hb.node);
      return;
    }
    const rebooted = hb.boot_id !== h.boot_id;
    // A duplicate or a late pulse; a seq far below the last one is a collector restart (same boot), taken as a gap.
    if (!rebooted && hb.seq <= h.seq && h.seq - hb.seq < this.o.recover_after) return;
    if (rebooted || hb.period_ms !== h.period_ms || this.unheardSinceRestore.delete(hb.node)) this.changed.add(hb.node);
    if (rebooted) {
      this.table.log({
        alarm_id: REBOOT_LOG, entity_instance_id: this.entity(hb.node), severity: 'major', source: 'heartbeat',
        reason_text: `${hb.node} rebooted (boot id ${h.boot_id} → ${hb.boot_id})${h.state === 'ok' ? '' : ' while its heartbeat was lost'}`,
      }, receivedAt, out);
    }
    const consecutive = rebooted || hb.seq === h.seq + 1;
    h.boot_id = hb.boot_id;
    h.seq = hb.seq;
    h.last_at = receivedAt;
    h.period_ms = hb.period_ms;
    if (h.state === 'ok') return;
    h.pulses = consecutive ? h.pulses + 1 : 1;
    if (h.pulses >= this.o.recover_after) this.recover(h, receivedAt, out);
  }

  private recover(h: HostSnapshot, at: number, out: EngineOutput) {
    this.changed.add(h.node);
    h.state = 'ok';
    h.pulses = 0;
    delete h.failing_since;
    this.table.clearKey(alarmKey({ alarm_id: HEARTBEAT_ALARM, entity_instance_id: this.entity(h.node) }), at, out);
    if (h.in_multi) {
      h.in_multi = false;
      this.multi.delete(h.node);
      this.judgeMulti(at, out);
    }
  }

  /**
   * Scale-out (docs/alarm-api.md): hosts are split across the members of a correlator group, so a
   * multi-node failure is judged on the sum. Each member counts its peers' failing hosts with its own,
   * and only the judge raises 710.010, naming every member's hosts. A lone engine has no peers and judges.
   */
  setPeers(failing: ReadonlySet<string>, inMulti: ReadonlySet<string>, judge: boolean): void {
    this.peers = { failing, inMulti };
    this.judge = judge;
  }

  /** This member's silent hosts, for its peers: those past fail_after and those in the multi-node failure. */
  silentHosts(): { failing: string[]; in_multi: string[] } {
    const failing: string[] = [];
    for (const h of this.hosts.values()) if (h.state === 'failing') failing.push(h.node);
    return { failing: failing.sort(), in_multi: [...this.multi].sort() };
  }

  tick(now: number, out: EngineOutput): void {
    const failing: HostSnapshot[] = [];
    for (const h of this.hosts.values()) {
      const missed = Math.floor((now - h.last_at) / h.period_ms);
      if (missed >= this.o.fail_after && (h.state === 'ok' || h.state === 'degraded')) {
        if (h.state === 'ok') this.degrade(h, missed, now, out);
        h.state = 'failing';
        h.failing_since = now;
        this.changed.add(h.node);
      } else if (missed >= this.o.degrade_after && h.state === 'ok') {
        h.state = 'degraded';
        this.degrade(h, missed, now, out);
        this.changed.add(h.node);
      }
      if (h.state === 'failing') failing.push(h);
    }
    if (!failing.length) { this.judgeMulti(now, out); return; }
    const together = failing.length + [...this.peers.failing].filter((n) => !this.hosts.has(n)).length;
    if (this.multi.size > 0 || this.peers.inMulti.size > 0 || together >= this.o.multi_node_min) {
      for (const h of failing) { h.state = 'failed'; h.in_multi = true; this.multi.add(h.node); this.changed.add(h.node); }
      this.judgeMulti(now, out);
      // Once per tick, not per host: per host it was quadratic in the failing hosts.
      const others = new Set([...this.multi, ...this.peers.inMulti]).size - 1;
      for (const h of failing) this.holdRemediation(h, others, now, out);
      return;
    }
    this.judgeMulti(now, out);
    for (const h of failing) {
      if (now - h.failing_since! < this.o.multi_node_window_ms) continue;
      h.state = 'failed';
      this.changed.add(h.node);
      this.table.set({
        alarm_id: HEARTBEAT_ALARM, entity_instance_id: this.entity(h.node), severity: 'critical', source: 'heartbeat',
        reason_text: `${h.node} heartbeat failed: ${Math.floor((now - h.last_at) / h.period_ms)} periods missed`,
      }, now, out);
    }
  }

  private degrade(h: HostSnapshot, missed: number, at: number, out: EngineOutput) {
    this.table.set({
      alarm_id: HEARTBEAT_ALARM, entity_instance_id: this.entity(h.node), severity: 'major', source: 'heartbeat',
      reason_text: `${h.node} heartbeat degraded: ${missed} periods missed`,
    }, at, out);
  }

  /** The judge raises 710.010 for every member's hosts in the failure, updates it as they change, clears it when none is left. */
  private judgeMulti(at: number, out: EngineOutput) {
    if (!this.judge) return;
    const hosts = [...new Set([...this.multi, ...this.peers.inMulti])].sort();
    const names = hosts.join(',');
    if (names === this.judged) return;
    if (hosts.length) this.raiseMulti(hosts, at, out);
    else this.table.clearKey(alarmKey({ alarm_id: MULTI_NODE_ALARM, entity_instance_id: this.multiEntity }), at, out);
    this.judged = names;
  }

  private raiseMulti(hosts: string[], at: number, out: EngineOutput) {
    this.table.set({
      alarm_id: MULTI_NODE_ALARM, entity_instance_id: this.multiEntity, severity: 'critical', source: 'heartbeat',
      reason_text: `${hosts.length} hosts silent together: ${hosts.join(', ')}`,
      labels: { hosts: hosts.join(','), [REMEDIATION_HOLD_LABEL]: 'true' },
    }, at, out);
  }

  /** The host keeps its degraded alarm, marked so remediation leaves it alone: the cause is shared, not the host. */
  private holdRemediation(h: HostSnapshot, others: number, at: number, out: EngineOutput) {
    const key = alarmKey({ alarm_id: HEARTBEAT_ALARM, entity_instance_id: this.entity(h.node) });
    const current = this.table.get(key);
    this.table.set({
      alarm_id: HEARTBEAT_ALARM, entity_instance_id: this.entity(h.node), severity: 'major', source: 'heartbeat',
      labels: { ...current?.alarm.labels, [REMEDIATION_HOLD_LABEL]: 'true', multi_node_failure: alarmKey({ alarm_id: MULTI_NODE_ALARM, entity_instance_id: this.multiEntity }) },
      reason_text: `${h.node} heartbeat lost, with ${others} other host(s): see ${MULTI_NODE_ALARM}`,
    }, at, out);
  }

  hostState(node: string): HostState | undefined { return this.hosts.get(node)?.state; }

  /** The hosts whose heartbeat state must be persisted (see `changed`), forgotten once taken. */
  takeChanged(): Set<string> {
    const hosts = new Set(this.changed);
    this.changed.clear();
    return hosts;
  }

  snapshot(owns: Owns): HeartbeatSnapshot {
    const has = ownsPredicate(owns);
    const hosts = typeof owns === 'function'
      ? [...this.hosts.values()].filter((h) => owns(h.node))
      : [...owns].flatMap((n) => this.hosts.get(n) ?? []);
    return { hosts: hosts.map((h) => ({ ...h })), multi: [...this.multi].filter(has) };
  }

  restore(s: HeartbeatSnapshot, resumeAt?: number): void {
    for (const h of s.hosts) {
      this.hosts.set(h.node, { ...h, last_at: Math.max(h.last_at, resumeAt ?? -Infinity) });
      this.unheardSinceRestore.add(h.node);
    }
    for (const n of s.multi) this.multi.add(n);
    // A restored 710.010 names the hosts it was raised for: judged again only when they change.
    const multi = this.table.get(alarmKey({ alarm_id: MULTI_NODE_ALARM, entity_instance_id: this.multiEntity }));
    if (multi) this.judged = multi.alarm.labels.hosts ?? '';
  }

  drop(owns: Owns): void {
    const has = ownsPredicate(owns);
    for (const node of [...this.hosts.keys()]) {
      if (has(node)) continue;
      this.hosts.delete(node);
      this.changed.delete(node);
      this.unheardSinceRestore.delete(node);
    }
    this.multi = new Set([...this.multi].filter(has));
    if (!this.table.get(alarmKey({ alarm_id: MULTI_NODE_ALARM, entity_instance_id: this.multiEntity }))) this.judged = '';
  }
}
