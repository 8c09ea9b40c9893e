import { Type, type Static } from '@sinclair/typebox';

/** The `api` block of a correlator: the alarm service's REST API (docs/alarm-api.md). */
export const ApiConfigSchema = Type.Object({
  enabled: Type.Boolean({ default: false, description: 'serve the REST API from this correlator' }),
  listen: Type.String({ default: '127.0.0.1:8080', pattern: '^[^:]+:[0-9]+$', description: 'host:port; port 0 picks a free one' }),
  tokens: Type.Array(Type.String({ minLength: 16 }), {
    default: [],
    description: 'bearer tokens accepted on /v1 (use ${env:NAME}); FAULTLINE_API_TOKENS (comma-separated) adds more; with none, one is generated into <data dir>/api-token',
  }),
  max_page: Type.Integer({ minimum: 1, default: 1000, description: 'largest `limit` a list request may ask for' }),
}, { default: {}, additionalProperties: false });

export type ApiConfig = Static<typeof ApiConfigSchema>;

/** The tokens a server accepts: the configured ones plus FAULTLINE_API_TOKENS; empty strings never count. */
export function apiTokens(config: ApiConfig, env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = (env.FAULTLINE_API_TOKENS ?? '').split(',').map((t) => t.trim());
  return [...new Set([...config.tokens, ...fromEnv].filter((t) => t.length > 0))];
}

export function parseListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  return { host: listen.slice(0, i), port: Number(listen.slice(i + 1)) };
}

/** Where a correlator keeps the token it generated when none is configured (in its data dir, mode 0600). */
export const TOKEN_FILE = 'api-token';
