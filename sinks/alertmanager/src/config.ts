import { Type, type Static } from '@sinclair/typebox';
import { DurationSchema } from '@faultline/runtime';

export const AlertmanagerSinkConfigSchema = Type.Object({
  url: Type.String({ default: 'http://127.0.0.1:9093', pattern: '^https?://', description: 'Alertmanager base URL (the API is under /api/v2)' }),
  repost_interval: DurationSchema({ default: '1m', description: 'active alerts are posted again this often, so Alertmanager keeps them firing' }),
  alert_ttl: DurationSchema({
    default: '5m',
    description: 'endsAt of a firing alert is now + this: if faultline stops, Alertmanager resolves it after that long (must exceed repost_interval)',
  }),
  timeout: DurationSchema({ default: '10s', description: 'per HTTP request' }),
  max_alerts_per_request: Type.Integer({ default: 500, minimum: 1, description: 'larger sets are posted in several requests' }),
  alert_names: Type.Record(Type.String(), Type.String(), {
    default: {}, description: 'alertname per alarm id, added to (and overriding) the built-in names of faultline\'s own alarms; other ids use the id',
  }),
  labels: Type.Record(Type.String(), Type.String(), { default: {}, description: 'static labels added to every alert (cluster, region)' }),
  generator_url: Type.Optional(Type.String({ description: 'link back to the source, shown by Alertmanager' })),
}, { additionalProperties: false });

export type AlertmanagerSinkConfig = Static<typeof AlertmanagerSinkConfigSchema>;
