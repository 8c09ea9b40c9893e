import { Type, type Static } from '@sinclair/typebox';
import { DurationSchema, PathSchema } from '@faultline/runtime';

const Strict = { additionalProperties: false } as const;

/** POST of a signed JSON body (see README: body, signature scheme, retries). */
export const WebhookActionSchema = Type.Object({
  type: Type.Literal('webhook'),
  url: Type.String({ pattern: '^https?://', description: 'http:// or https:// endpoint' }),
  /** The HMAC key is read from this environment variable at start, so it never sits in a rules file. */
  secret_env: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'environment variable holding the HMAC-SHA256 key' }),
  attempt_timeout: DurationSchema({ default: '10s', description: 'one HTTP attempt; a timeout is retried' }),
  retries: Type.Integer({ minimum: 0, maximum: 10, default: 3, description: 'extra attempts after a 5xx or a timeout; never after a 4xx' }),
  backoff: DurationSchema({ default: '500ms', description: 'first retry delay, doubled each time (with jitter)' }),
  max_backoff: DurationSchema({ default: '10s' }),
  headers: Type.Record(Type.String(), Type.String(), { default: {}, description: 'extra request headers' }),
}, Strict);

/** An argv array run without a shell; the alarm arrives as FAULTLINE_* variables and as JSON on stdin. */
export const CommandActionSchema = Type.Object({
  type: Type.Literal('command'),
  argv: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'program and arguments; never passed to a shell' }),
  env: Type.Record(Type.String(), Type.String(), { default: {}, description: 'extra environment variables' }),
  cwd: Type.Optional(PathSchema({ description: 'working directory of the command' })),
  max_output: Type.Integer({ minimum: 0, default: 65536, description: 'bytes of stdout+stderr kept in the audit record (the tail)' }),
  kill_grace: DurationSchema({ default: '2s', description: 'after SIGTERM to the process group at the timeout, SIGKILL follows this much later' }),
}, Strict);

/** Where a Kubernetes API server is and how to authenticate to it. */
const KubernetesApi = {
  api_server: Type.String({ pattern: '^https?://' }),
  token_env: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'environment variable with a bearer token' }),
  ca_file: Type.Optional(PathSchema()),
  /** The node name; default: the rule's target (the host of the alarm). */
  node: Type.Optional(Type.String()),
};

export const KubernetesCordonSchema = Type.Object({ type: Type.Literal('kubernetes.cordon'), ...KubernetesApi }, Strict);
export const KubernetesDrainSchema = Type.Object({
  type: Type.Literal('kubernetes.drain'), ...KubernetesApi,
  grace_period: DurationSchema({ default: '30s', description: 'pod termination grace period' }),
  ignore_daemonsets: Type.Boolean({ default: true }),
}, Strict);
export const KubernetesDeletePodSchema = Type.Object({
  type: Type.Literal('kubernetes.delete_pod'), ...KubernetesApi,
  namespace: Type.String({ minLength: 1 }),
  /** Delete the pods matching this selector on the node (`app=sriov-agent`). */
  label_selector: Type.String({ minLength: 1 }),
}, Strict);

/** Keystone v3 password authentication; the password is read from the environment. */
const OpenStackApi = {
  auth_url: Type.String({ pattern: '^https?://', description: 'Keystone v3 endpoint' }),
  username: Type.String({ minLength: 1 }),
  password_env: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
  project: Type.String({ minLength: 1 }),
  user_domain: Type.String({ default: 'Default' }),
  project_domain: Type.String({ default: 'Default' }),
  region: Type.Optional(Type.String()),
};

export const OpenStackRebootSchema = Type.Object({
  type: Type.Literal('openstack.reboot_server'), ...OpenStackApi,
  /** Server id or name; default: the rule's target. */
  server: Type.Optional(Type.String()),
  hard: Type.Boolean({ default: false }),
}, Strict);
export const OpenStackEvacuateSchema = Type.Object({
  type: Type.Literal('openstack.evacuate_host'), ...OpenStackApi,
  /** The failed compute host whose servers move; default: the rule's target. */
  host: Type.Optional(Type.String()),
  /** Destination host; default: let the scheduler choose. */
  to_host: Type.Optional(Type.String()),
}, Strict);
export const OpenStackDisableServiceSchema = Type.Object({
  type: Type.Literal('openstack.disable_compute_service'), ...OpenStackApi,
  host: Type.Optional(Type.String()),
  reason: Type.String({ default: 'disabled by faultline remediation' }),
}, Strict);

export const ActionConfigSchema = Type.Union([
  WebhookActionSchema, CommandActionSchema,
  KubernetesCordonSchema, KubernetesDrainSchema, KubernetesDeletePodSchema,
  OpenStackRebootSchema, OpenStackEvacuateSchema, OpenStackDisableServiceSchema,
]);

export type WebhookActionConfig = Static<typeof WebhookActionSchema>;
export type CommandActionConfig = Static<typeof CommandActionSchema>;
export type ActionConfig = Static<typeof ActionConfigSchema>;
export type ActionType = ActionConfig['type'];
