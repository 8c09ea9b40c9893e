import { Type, type Static, type TLiteral, type TUnion } from '@sinclair/typebox';
import { DurationSchema } from '@faultline/runtime';
import { SEVERITIES } from '@faultline/schemas';

/** A union of string literals whose static type is the union of the strings (a plain `map` loses it). */
const literals = <const T extends readonly string[]>(values: T, opts: { default?: T[number]; description?: string } = {}) =>
  Type.Union(values.map((v) => Type.Literal(v)), opts) as unknown as TUnion<{ -readonly [K in keyof T]: TLiteral<T[K] & string> }>;

/** RFC 5612's documentation PEN: a placeholder until faultline registers its own (see deploy/snmp/FAULTLINE-REG-MIB). */
export const PLACEHOLDER_ENTERPRISE_OID = '1.3.6.1.4.1.32473';

/** An SNMPv3 USM user: who we are to a manager (destinations) or who may read the agent. */
export const V3UserSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 32 }),
  level: literals(['noAuthNoPriv', 'authNoPriv', 'authPriv'], { default: 'authPriv' }),
  auth_protocol: literals(['sha', 'sha224', 'sha256', 'sha384', 'sha512'], {
    default: 'sha256', description: 'HMAC for authNoPriv/authPriv; sha is SHA-1, kept for older managers',
  }),
  auth_key: Type.Optional(Type.String({ description: 'passphrase, at least 8 characters (RFC 3414)' })),
  priv_protocol: literals(['aes', 'aes256b', 'aes256r'], {
    default: 'aes', description: 'aes is AES-128 (RFC 3826); aes256b/aes256r are the Blumenthal and Reeder key extensions',
  }),
  priv_key: Type.Optional(Type.String({ description: 'passphrase, at least 8 characters' })),
}, { additionalProperties: false });

export const DestinationSchema = Type.Object({
  name: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9_.-]+$', description: 'label in logs and metrics' }),
  host: Type.String({ minLength: 1 }),
  port: Type.Integer({ minimum: 1, maximum: 65535, default: 162 }),
  version: literals(['v2c', 'v3'], { default: 'v2c' }),
  community: Type.String({ default: 'public', description: 'v2c only' }),
  user: Type.Optional(V3UserSchema),
  engine_id: Type.Optional(Type.String({
    pattern: '^(0x)?[0-9a-fA-F]{10,64}$',
    description: 'v3 traps: our (the sender\'s) authoritative engine id, which the manager must be configured with',
  })),
  mode: literals(['trap', 'inform'], { default: 'trap', description: 'inform: acknowledged, retried' }),
  inform: Type.Object({
    timeout: DurationSchema({ default: '2s', description: 'wait for the first acknowledgement' }),
    retries: Type.Integer({ minimum: 0, maximum: 10, default: 3 }),
    backoff: Type.Number({ minimum: 1, maximum: 10, default: 2, description: 'each retry waits this many times longer' }),
    max_in_flight: Type.Integer({ minimum: 1, maximum: 1000, default: 32, description: 'notifications awaiting an acknowledgement (informs) or the socket (traps)' }),
  }, { additionalProperties: false, default: {} }),
  queue_size: Type.Integer({ minimum: 1, default: 10_000, description: 'notifications waiting to be sent; the oldest is dropped (and counted) when full' }),
  filter: Type.Object({
    min_severity: literals(SEVERITIES, { default: 'warning', description: 'raise and update notifications below it are not sent; clears always are' }),
    alarm_ids: Type.Array(Type.String({ pattern: '^[0-9]{3}\\.([0-9]{3}|\\*)$' }), { default: [], description: 'only these (700.101, 700.*); empty: all' }),
    exclude_alarm_ids: Type.Array(Type.String({ pattern: '^[0-9]{3}\\.([0-9]{3}|\\*)$' }), { default: [] }),
  }, { additionalProperties: false, default: {} }),
  rate_limit: Type.Object({
    per_second: Type.Number({ minimum: 0.01, default: 50, description: 'sustained notifications per second' }),
    burst: Type.Integer({ minimum: 1, default: 200 }),
    summary_interval: DurationSchema({ default: '10s', description: 'how often a storm summary goes out while notifications are held back' }),
  }, { additionalProperties: false, default: {} }),
}, { additionalProperties: false });

export const AgentSchema = Type.Object({
  enabled: Type.Boolean({ default: true }),
  address: Type.String({ default: '127.0.0.1' }),
  port: Type.Integer({ minimum: 1, maximum: 65535, default: 11161 }),
  communities: Type.Array(Type.String({ minLength: 1 }), { default: ['faultline'], description: 'v2c read-only communities' }),
  users: Type.Array(V3UserSchema, { default: [], description: 'v3 read-only users' }),
  engine_id: Type.Optional(Type.String({ pattern: '^(0x)?[0-9a-fA-F]{10,64}$', description: 'default: random per start' })),
  event_table_size: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1000, description: 'rows kept in the event table' }),
}, { additionalProperties: false, default: {} });

export const SnmpSinkConfigSchema = Type.Object({
  enterprise_oid: Type.String({
    pattern: '^1\\.3\\.6\\.1\\.4\\.1\\.[0-9]+$', default: PLACEHOLDER_ENTERPRISE_OID,
    description: 'faultline\'s enterprise arc; a documentation placeholder (RFC 5612) until a PEN is registered. Never 731.',
  }),
  destinations: Type.Array(DestinationSchema, { default: [] }),
  agent: AgentSchema,
}, { additionalProperties: false });

export type V3User = Static<typeof V3UserSchema>;
export type Destination = Static<typeof DestinationSchema>;
export type AgentConfig = Static<typeof AgentSchema>;
export type SnmpSinkConfig = Static<typeof SnmpSinkConfigSchema>;

function userProblems(u: V3User, at: string): string[] {
  const out: string[] = [];
  if (u.level !== 'noAuthNoPriv' && (u.auth_key ?? '').length < 8) out.push(`${at}.auth_key: ${u.level} needs an auth_key of at least 8 characters`);
  if (u.level === 'authPriv' && (u.priv_key ?? '').length < 8) out.push(`${at}.priv_key: authPriv needs a priv_key of at least 8 characters`);
  return out;
}

/** Rules one field cannot express; each message names the YAML key. Empty when the config is usable. */
export function configProblems(c: SnmpSinkConfig): string[] {
  const out: string[] = [];
  if (c.enterprise_oid === '1.3.6.1.4.1.731' || c.enterprise_oid.startsWith('1.3.6.1.4.1.731.')) {
    out.push('enterprise_oid: 731 is Wind River\'s enterprise number, not ours');
  }
  const names = new Set<string>();
  c.destinations.forEach((d, i) => {
    const at = `destinations[${i}]`;
    if (names.has(d.name)) out.push(`${at}.name: "${d.name}" is used by another destination`);
    names.add(d.name);
    if (d.version === 'v3') {
      if (!d.user) out.push(`${at}.user: v3 needs a user`);
      else out.push(...userProblems(d.user, `${at}.user`));
      if (d.mode === 'trap' && !d.engine_id) out.push(`${at}.engine_id: v3 traps need the sender engine id the manager is configured with`);
    }
  });
  c.agent.users.forEach((u, i) => out.push(...userProblems(u, `agent.users[${i}]`)));
  return out;
}
