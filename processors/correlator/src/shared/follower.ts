import { TOPICS, decode, type ActiveAlarm, type CorrelatorShared } from '@faultline/schemas';
import type { BusRecord, Follower, Logger, ProcessorContext } from '@faultline/runtime';
import { AlarmView } from '../api/view.js';
import type { FollowedAlarms } from '../state/durable.js';
import { SharedState } from './shared-state.js';

export type OperatorRecord = Exclude<CorrelatorShared, { kind: 'silent_hosts' }>;

export interface GroupFollowerOptions {
  /** This member's identity in what it writes, and the key of its own silent-host record. */
  writer: string;
  silentKey: string;
  /** A peer's silent-host record older than this no longer counts. */
  staleMs: number;
  eventLogSize: number;
  /** This member's engine's state of an alarm key (see AlarmView). */
  local?: (key: string) => ActiveAlarm | undefined;
  /** An operator record to apply to this member's engine (a peer's action, or the last of its own). */
  onOperator(rec: OperatorRecord): void;
}

/**
 * What a member of a correlator group on Kafka sees of the others (docs/alarm-api.md): it follows
 * `alarms.active` and `correlator.shared` from their start, every partition, read committed, in no
 * group (the AlarmView of the whole system, the operator actions, the peers' silent hosts), and the
 * last `eventLogSize` records of each `alarms` partition (the events).
 */
export class GroupFollower implements FollowedAlarms {
  readonly view: AlarmView;
  readonly shared: SharedState;
  private followers: Follower[] = [];
  private caught: Promise<void> | undefined;
  private done = false;
  /** The last operator record per key: applied again after a restore, whose `*` record may be older. */
  private readonly operator = new Map<string, OperatorRecord>();

  constructor(private readonly opts: GroupFollowerOptions, private readonly log: Logger) {
    this.view = new AlarmView(opts.eventLogSize, opts.local);
    this.shared = new SharedState(opts.writer, opts.silentKey, opts.staleMs);
  }

  /** Starts following; `caughtUp` tells when what the topics held at the start has been read. */
  async start(follow: NonNullable<ProcessorContext['follow']>): Promise<void> {
    let bad = 0;
    const onRecords = (records: readonly BusRecord[]) => {
      for (const r of records) if (!this.apply(r)) bad++;
      if (bad) { this.log.warn('followed records that do not decode were skipped', { count: bad }); bad = 0; }
    };
    const [state, events] = await Promise.all([
      follow({ topics: ['alarms.active', 'correlator.shared'], onRecords }),
      follow({ topics: ['alarms'], last: this.opts.eventLogSize, onRecords }),
    ]);
    this.followers = [state, events];
    const began = Date.now();
    this.caught = state.caughtUp.then(() => {
      this.done = true;
      this.log.info('group view caught up', { alarms: this.view.activeCount, ms: Date.now() - began });
    });
  }

  /** Resolves once alarms.active and correlator.shared were read up to their end at the start. */
  get caughtUp(): Promise<void> {
    if (!this.caught) throw new Error('the group follower is not started');
    return this.caught;
  }

  /** The view holds the whole system and the operator state is current. */
  get isCaughtUp(): boolean { return this.done; }

  /**
   * A restore's start: this member's alarms as the view has them, and how far into alarms.active the view
   * is. Synchronous, so no record reaches the view between the two.
   */
  take(ours?: (root: string) => boolean): ReturnType<FollowedAlarms['take']> {
    const [state] = this.followers;
    if (!state) throw new Error('the group follower is not started');
    return { ...this.view.alarmsOf(ours), from: state.positions('alarms.active') };
  }

  /** After a restore: the operator actions again, newest state of each item. */
  reapplyOperator(): void { for (const rec of this.operator.values()) this.opts.onOperator(rec); }

  private apply(r: BusRecord): boolean {
    if (r.key === null) return true;
    switch (r.topic) {
      case 'alarms.active': {
        if (r.value === null) { this.view.applyActive(r.key, null); return true; }
        const d = decode(TOPICS['alarms.active'].schema, r.headers, r.value);
        if (d.ok) this.view.applyActive(r.key, d.value);
        return d.ok;
      }
      case 'alarms': {
        if (r.value === null) return true;
        const d = decode(TOPICS.alarms.schema, r.headers, r.value);
        if (d.ok) this.view.applyTransition(d.value);
        return d.ok;
      }
      case 'correlator.shared': {
        if (r.value === null) { this.shared.peerSilentHosts(r.key, null); return true; }
        const d = decode(TOPICS['correlator.shared'].schema, r.headers, r.value);
        if (!d.ok) return false;
        const rec = d.value;
        if (rec.kind === 'silent_hosts') this.shared.peerSilentHosts(r.key, rec);
        else {
          this.operator.set(r.key, rec);
          if (this.shared.accept(r.key, rec)) this.opts.onOperator(rec);
        }
        return true;
      }
      default: return true;
    }
  }

  async stop(): Promise<void> { await Promise.all(this.followers.map((f) => f.stop())); }
}
