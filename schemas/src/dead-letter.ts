import { Type, type Static } from '@sinclair/typebox';
import { EpochMsSchema } from './common.js';

export const DEAD_LETTER_REASONS = [
  'malformed', 'schema_violation', 'oversized', 'unknown_version', 'unknown_schema', 'processing_error',
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/** A record no stage could take, kept whole with where it came from and why. */
export const DeadLetterSchema = Type.Object({
  reason: Type.Union(DEAD_LETTER_REASONS.map((r) => Type.Literal(r))),
  detail: Type.String(),
  source: Type.Object({
    topic: Type.String(),
    partition: Type.Integer({ minimum: 0 }),
    offset: Type.String(),
  }),
  consumer: Type.String({ description: 'the component that refused it' }),
  key_base64: Type.Optional(Type.String()),
  value_base64: Type.String(),
  headers: Type.Record(Type.String(), Type.String()),
  at: EpochMsSchema,
});

export type DeadLetter = Static<typeof DeadLetterSchema>;
