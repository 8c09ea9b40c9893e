import { newOutput, type Engine } from '@faultline/processor-correlator';

/** 200 active alarms per host: a busy edge node. */
export const hostsFor = (alarms: number) => Math.max(1, Math.round(alarms / 200));

/** Raises `n` alarms on `engine`, half interface carrier losses and half disk I/O faults, spread over `hosts` hosts. */
export function raiseOnBusyHosts(engine: Engine, n: number, hosts: number): void {
  for (let i = 0; i < n; i += 10_000) {
    const out = newOutput();
    for (let j = i; j < Math.min(n, i + 10_000); j++) {
      engine.fault({
        op: 'set', alarm_id: j % 2 ? '700.110' : '700.106', ts: 1_764_000_000_000 + j, severity: 'major',
        entity_instance_id: j % 2 ? `host=h${j % hosts}.interface=eth${Math.floor(j / hosts)}` : `host=h${j % hosts}.disk=sd${Math.floor(j / hosts)}`,
      }, out);
    }
  }
}
