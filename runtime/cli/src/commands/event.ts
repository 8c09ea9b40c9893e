import { Command, Option } from 'commander';
import { parseDuration } from '@faultline/runtime';
import { client, printJson, printTable, time, withApi, type ApiOptions } from './api-options.js';

/** `2026-11-25T10:00:00Z`, epoch ms, or a duration back from now (`1h`). */
function when(text: string, now: number): number {
  if (/^\d+$/.test(text)) return Number(text);
  if (/^\d+(\.\d+)?(ms|s|m|h|d)$/.test(text)) return now - parseDuration(text);
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new Error(`"${text}" is not a time (ISO 8601, epoch ms, or a duration back from now like 1h)`);
  return t;
}

export function eventCommand(): Command {
  const cmd = new Command('event').description('the event log: alarm transitions and customer logs').addHelpText('after', `
Examples:
  faultline event list                       the last 100 events
  faultline event list --since 1h --type log customer logs of the last hour
  faultline event list --since 2026-11-25T08:00:00Z --until 2026-11-25T09:00:00Z --json`);
  withApi(cmd.command('list').description('list events, oldest first'))
    .option('--since <time>', 'from (ISO 8601, epoch ms, or a duration back from now: 1h)')
    .option('--until <time>', 'to (same forms)')
    .addOption(new Option('--type <type>', 'only alarm transitions or only logs').choices(['alarm', 'log']))
    .option('--limit <n>', 'most events', '100')
    .action(async (o: ApiOptions & { since?: string; until?: string; type?: 'alarm' | 'log'; limit: string }) => {
      const now = Date.now();
      const items = await client(o).events({
        limit: Number(o.limit), ...(o.since ? { from: when(o.since, now) } : {}), ...(o.until ? { to: when(o.until, now) } : {}), ...(o.type ? { type: o.type } : {}),
      });
      if (o.json) return printJson(items);
      printTable(['TIME', 'EVENT', 'ID', 'SEVERITY', 'ENTITY', 'REASON'], items.map((e) => {
        if (e.type === 'log') return [time(e.at), 'log', e.log.log_id, e.log.severity, e.log.entity_instance_id, e.log.reason_text];
        const t = e.transition;
        if (t.kind === 'cleared_all') return [time(e.at), 'cleared_all', '*', '-', t.entity_instance_id, `${t.cleared.length} alarm(s) cleared`];
        return [time(e.at), t.kind, t.alarm.alarm_id, t.alarm.severity, t.alarm.entity_instance_id, t.alarm.reason_text];
      }));
    });
  return cmd;
}
