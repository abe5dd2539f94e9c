import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** Bus events already metered (redeliveries and replays are counted once); pruned after the bus keeps them. */
@Entity({ tableName: 'usage_events' })
export class UsageEvent {
  @PrimaryKey({ type: 'string', length: 96 })
  eventId!: string;

  @Property({ type: 'string', length: 40 })
  tenantId!: string;

  @Property({ type: 'datetime', index: true })
  meteredAt: Date = new Date();
}
