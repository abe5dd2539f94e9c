import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A mutation already carried out, by its client request id: a retry with the same id gets the
 * same answer and changes nothing; the same id with another request is a CONFLICT.
 */
@Entity({ tableName: 'billing_requests' })
export class ClientRequest {
  /** The tenant acted on, or "*" for deployment-wide operations (prices). */
  @PrimaryKey({ type: 'string', length: 40 })
  scope!: string;

  @PrimaryKey({ type: 'string', length: 64 })
  clientRequestId!: string;

  @Property({ type: 'string', length: 32 })
  operation!: string;

  @Property({ type: 'string', length: 64 })
  inputHash!: string;

  @Property({ type: 'text' })
  result!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
