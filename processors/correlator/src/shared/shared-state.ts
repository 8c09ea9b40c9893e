import type { CorrelatorShared } from '@faultline/schemas';

export const silenceKey = (id: string) => `silence/${id}`;
export const suppressionKey = (alarmId: string) => `suppression/${alarmId}`;
export const silentHostsKey = (member: string) => `silent/${member}`;

type SilentHosts = Extract<CorrelatorShared, { kind: 'silent_hosts' }>;

/**
 * The bookkeeping of `correlator.shared` for one member (docs/alarm-api.md), pure: which followed
 * records to apply, and what the other members report about their silent hosts.
 *
 * Every member applies every operator record in the topic's order, its own included, so all converge
 * on the last write of each item. A member has already applied its own action when it published it:
 * the echo of an older own write is skipped while a newer own write of the same key is in flight, so
 * the member never flips back and forth.
 */
export class SharedState {
  /** Own writes per key not yet seen back. */
  private readonly inFlight = new Map<string, number>();
  private readonly peers = new Map<string, SilentHosts>();

  /**
   * @param writer this member's identity in the records it writes (node/component/start id)
   * @param silentKey the key of this member's own silent-host record, never counted as a peer's
   * @param staleMs a peer's silent-host record older than this is ignored (the peer is gone)
   */
  constructor(readonly writer: string, readonly silentKey: string, private readonly staleMs: number) {}

  /** This member is about to publish a record under `key`. */
  wrote(key: string): void { this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1); }

  /** A followed operator record: whether to apply it. */
  accept(key: string, rec: CorrelatorShared): boolean {
    if (rec.writer !== this.writer) return true;
    const n = (this.inFlight.get(key) ?? 0) - 1;
    if (n > 0) { this.inFlight.set(key, n); return false; }
    this.inFlight.delete(key);
    return true;
  }

  /** A followed silent-host record (or its tombstone). */
  peerSilentHosts(key: string, rec: SilentHosts | null): void {
    if (key === this.silentKey) return;
    if (rec === null || (!rec.failing.length && !rec.in_multi.length)) this.peers.delete(key);
    else this.peers.set(key, rec);
  }

  /** Every fresh peer's failing hosts and hosts in the multi-node failure. */
  peerHosts(now: number): { failing: Set<string>; inMulti: Set<string> } {
    const failing = new Set<string>(), inMulti = new Set<string>();
    for (const p of this.peers.values()) {
      if (now - p.at > this.staleMs) continue;
      for (const h of p.failing) failing.add(h);
      for (const h of p.in_multi) inMulti.add(h);
    }
    return { failing, inMulti };
  }
}
