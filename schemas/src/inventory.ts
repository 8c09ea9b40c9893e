import { Type, type Static } from '@sinclair/typebox';
import { EntityInstanceIdSchema, EpochMsSchema } from './common.js';

/**
 * A parent relation from inventory (Kubernetes node → pod, hypervisor → instance): the correlator
 * hides a child's alarms while its parent has an alarm that inhibits children, so a failed node's
 * pods raise one root alarm, not hundreds. `delete` forgets the child's relation.
 */
export const InventoryRecordSchema = Type.Object({
  op: Type.Union([Type.Literal('set'), Type.Literal('delete')]),
  entity_instance_id: EntityInstanceIdSchema,
  /** The entity it runs on; required for `set`. */
  parent_entity_instance_id: Type.Optional(EntityInstanceIdSchema),
  ts: EpochMsSchema,
  /** Who reported it: `collector/kubernetes@edge-1`. */
  source: Type.Optional(Type.String()),
});

export type InventoryRecord = Static<typeof InventoryRecordSchema>;
