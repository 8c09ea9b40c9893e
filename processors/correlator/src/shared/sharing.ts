import { randomUUID } from 'node:crypto';
import type { CorrelatorShared } from '@faultline/schemas';
import type { ProcessorContext } from '@faultline/runtime';
import type { Engine } from '../engine/engine.js';
import { newOutput, type EngineOutput, type Silence } from '../engine/types.js';
import { GroupFollower, type OperatorRecord } from './follower.js';
import { silenceKey, silentHostsKey, suppressionKey } from './shared-state.js';

/** A member republishes its silent hosts this often while it has any, so a peer that died stops counting soon. */
const SILENT_REFRESH_MS = 1_000;
/** ... and a silent-host record older than this is ignored. */
const SILENT_STALE_MS = 3_000;

export interface SharingDeps {
  eventLogSize: number;
  /** Publishes what applying an operator record changed (transitions of this member's alarms, state records). */
  apply(out: EngineOutput): void;
  /** Whether this member owns input partition `p` now; the owner of 0 judges 710.010. */
  ownsPartition(p: number): boolean;
}

/**
 * A correlator member's side of scale-out (docs/alarm-api.md): it follows the group (GroupFollower),
 * shares its operator actions and silent hosts through `correlator.shared`, applies its peers', and
 * feeds the peers' silent hosts to the engine's multi-node judgement.
 */
export class GroupSharing {
  readonly follower: GroupFollower;
  private readonly writer: string;
  private readonly silentKey: string;
  private lastSilent = '';
  private lastSilentAt = 0;

  constructor(private readonly ctx: ProcessorContext, private readonly engine: Engine, private readonly deps: SharingDeps) {
    this.writer = `${ctx.node}/${ctx.id}/${randomUUID()}`;
    // Stable across restarts of this member: a restarted member replaces its own record.
    this.silentKey = silentHostsKey(`${ctx.node}/${ctx.id}`);
    this.follower = new GroupFollower({
      writer: this.writer, silentKey: this.silentKey, staleMs: SILENT_STALE_MS, eventLogSize: deps.eventLogSize,
      local: (key) => engine.table.get(key),
      onOperator: (rec) => this.applyOperator(rec),
    }, ctx.log);
  }

  start(follow: NonNullable<ProcessorContext['follow']>): Promise<void> { return this.follower.start(follow); }

  /** A silence created or expired on this member (already applied to its engine): the others apply it too. */
  silence(s: Silence): void { this.write(silenceKey(s.id), { kind: 'silence', writer: this.writer, at: Date.now(), silence: s }); }

  suppression(alarmId: string, suppressed: boolean): void {
    this.write(suppressionKey(alarmId), { kind: 'suppression', writer: this.writer, at: Date.now(), alarm_id: alarmId, suppressed });
  }

  /**
   * After a restore: every operator action again (the `*` record restored may be older than the last one in
   * correlator.shared), then the restored alarms' suppression and silences set from it.
   */
  afterRestore(): void {
    this.follower.reapplyOperator();
    const out = newOutput();
    this.engine.reconcileOperatorFlags(Date.now(), out);
    this.deps.apply(out);
  }

  /** Before the engine's tick: the peers' silent hosts count with this member's. */
  beforeTick(now: number): void {
    const peers = this.follower.shared.peerHosts(now);
    this.engine.setHeartbeatPeers(peers.failing, peers.inMulti, this.deps.ownsPartition(0));
  }

  /** After the tick: this member's silent hosts, when they changed or are due for a refresh. */
  afterTick(now: number): void {
    const s = this.engine.silentHosts();
    const sig = `${s.failing.join(',')}|${s.in_multi.join(',')}`;
    const any = s.failing.length > 0 || s.in_multi.length > 0;
    if (sig === this.lastSilent && !(any && now - this.lastSilentAt >= SILENT_REFRESH_MS)) return;
    if (!any && this.lastSilent === '') return; // nothing to say, never said anything
    this.ctx.emit('correlator.shared', { kind: 'silent_hosts', writer: this.writer, at: now, ...s }, { key: this.silentKey });
    this.lastSilent = any ? sig : '';
    this.lastSilentAt = now;
  }

  async stop(): Promise<void> {
    if (this.lastSilent !== '') this.ctx.emit('correlator.shared', null, { key: this.silentKey });
    await this.follower.stop();
  }

  private write(key: string, rec: CorrelatorShared) {
    this.follower.shared.wrote(key);
    this.ctx.emit('correlator.shared', rec, { key });
  }

  private applyOperator(rec: OperatorRecord) {
    const out = newOutput();
    if (rec.kind === 'silence') this.engine.addSilence(rec.silence, Date.now(), out);
    else this.engine.setSuppressed(rec.alarm_id, rec.suppressed, Date.now(), out);
    this.deps.apply(out);
  }
}
