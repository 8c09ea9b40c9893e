import { userInfo } from 'node:os';
import { Command } from 'commander';
import { client, printJson, printTable, time, withApi, type ApiOptions } from './api-options.js';

/** `key=value` pairs → matchers. */
function matchers(pairs: string[]): Record<string, string> {
  const m: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new Error(`matcher "${p}" is not key=value (host=compute-0, alarm_id=700.110, severity=minor)`);
    m[p.slice(0, i)] = p.slice(i + 1);
  }
  return m;
}

export function silenceCommand(): Command {
  const cmd = new Command('silence').description('silences: matching alarms stay active but nobody is notified').addHelpText('after', `
Examples:
  faultline silence add host=compute-0 --duration 2h --comment "kernel upgrade"
  faultline silence add alarm_id=700.110 host=compute-1 --duration 30m
  faultline silence list
  faultline silence expire 6c1d...                    end it now (the alarms are notified again)
Matcher keys: alarm_id, entity_instance_id, severity, alarm_type, probable_cause, source, host, or any alarm label.`);

  withApi(cmd.command('add').description('create a silence').argument('<matcher...>', 'key=value; every matcher must match'))
    .requiredOption('--duration <d>', 'how long: 30m, 2h, 1d')
    .option('--comment <text>', 'why', '')
    .option('--by <name>', 'who (default: your user name)')
    .action(async (pairs: string[], o: ApiOptions & { duration: string; comment: string; by?: string }) => {
      const s = await client(o).addSilence({ matchers: matchers(pairs), duration: o.duration, comment: o.comment, created_by: o.by ?? userInfo().username });
      if (o.json) return printJson(s);
      process.stdout.write(`silence ${s.id} until ${time(s.ends_at)}\n`);
    });

  withApi(cmd.command('list').description('silences, active and recently ended'))
    .action(async (o: ApiOptions) => {
      const items = await client(o).listSilences();
      if (o.json) return printJson(items);
      const now = Date.now();
      printTable(['ID', 'STATE', 'ENDS', 'BY', 'MATCHERS', 'COMMENT'], items.map((s) => [
        s.id, s.ends_at <= now ? 'expired' : s.starts_at > now ? 'pending' : 'active', time(s.ends_at), s.created_by,
        Object.entries(s.matchers).map(([k, v]) => `${k}=${v}`).join(' '), s.comment,
      ]));
    });

  withApi(cmd.command('expire').description('end a silence now').argument('<id>', 'silence id'))
    .action(async (id: string, o: ApiOptions) => {
      const s = await client(o).expireSilence(id);
      if (o.json) return printJson(s);
      process.stdout.write(`silence ${s.id} expired at ${time(s.ends_at)}\n`);
    });
  return cmd;
}
