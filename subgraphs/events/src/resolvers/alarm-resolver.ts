import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { DEFAULT_BLOB_URL_TTL_SECONDS, badInput, busIterator, requireTenant, type BusEvent } from '@argus/platform';
import {
  AlarmEnvironment, AlarmFace, AlarmPersonCount, AlarmPicture, AlarmTemperature, AlarmVehicle,
} from '../entities/alarm-details.js';
import { environmentOf, faceOf, personCountOf, temperatureOf, vehicleOf } from '../attribute-views.js';
import { parseStoredPictures } from '../pictures.js';
import { Alarm, alarmOf } from '../entities/alarm.js';
import { ChannelRef, DeviceRef } from '../entities/refs.js';
import { ALARM_RAISED_SUBJECT, alarmFromEvent } from '../alarm-event.js';
import { matchesAlarmSubscription } from '../alarm-filter.js';
import type { AlarmRecord } from '../alarm-model.js';
import type { EventsContext } from '../context.js';
import { AlarmConnection, AlarmFilter, AlarmSubscriptionFilter, RaiseAlarmInput } from './inputs.js';

/** Ids a single subscription has already delivered: a re-sent alarm (same dedupeKey) is not shown twice. */
const RECENT_IDS_PER_SUBSCRIPTION = 10_000;

@Resolver(() => Alarm)
export class AlarmResolver {
  @Query(() => Alarm, { nullable: true, description: 'An alarm of the caller\'s tenant; null when there is none with this id.' })
  alarm(@Ctx() ctx: EventsContext, @Arg('id', () => ID) id: string): Promise<Alarm | null> {
    return ctx.alarms.get(ctx.caller, id);
  }

  @Query(() => AlarmConnection, { description: 'Alarms of the caller\'s tenant, newest first. Default page: first 50; at most 500.' })
  alarms(
    @Ctx() ctx: EventsContext,
    @Arg('filter', () => AlarmFilter, { nullable: true }) filter: AlarmFilter | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('last', () => Int, { nullable: true }) last: number | null,
    @Arg('before', () => String, { nullable: true }) before: string | null,
  ): Promise<AlarmConnection> {
    return ctx.alarms.list(ctx.caller, filter, { first, after, last, before });
  }

  @Mutation(() => Alarm, {
    description:
      'Raises a manual or external alarm on a channel of the caller\'s tenant and notifies alarmRaised subscribers. ' +
      'With a dedupeKey already used in the tenant, returns that alarm unchanged.',
  })
  raiseAlarm(@Ctx() ctx: EventsContext, @Arg('input', () => RaiseAlarmInput) input: RaiseAlarmInput): Promise<Alarm> {
    return ctx.alarms.raise(ctx.caller, input);
  }

  @Mutation(() => Alarm, { description: 'NEW → ACKNOWLEDGED. CONFLICT when the alarm is already acknowledged or cleared.' })
  acknowledgeAlarm(
    @Ctx() ctx: EventsContext,
    @Arg('id', () => ID) id: string,
    @Arg('note', () => String, { nullable: true, description: 'At most 1024 characters.' }) note: string | null,
  ): Promise<Alarm> {
    return ctx.alarms.acknowledge(ctx.caller, id, note);
  }

  @Mutation(() => Alarm, { description: 'NEW or ACKNOWLEDGED → CLEARED. CONFLICT when the alarm is already cleared.' })
  clearAlarm(@Ctx() ctx: EventsContext, @Arg('id', () => ID) id: string): Promise<Alarm> {
    return ctx.alarms.clear(ctx.caller, id);
  }

  @Subscription(() => Alarm, {
    description:
      'New alarms of the caller\'s tenant as they are raised, by devices or by raiseAlarm, from any Argus instance.',
    subscribe: ({ args, context }) => {
      const ctx = context as EventsContext;
      const tenantId = requireTenant(ctx.caller);
      const filter = (args as { filter?: AlarmSubscriptionFilter | null }).filter ?? null;
      const parsed = new WeakMap<BusEvent<unknown>, AlarmRecord>();
      const seen = new Set<string>();
      return busIterator<unknown, Alarm>(ctx.bus, ALARM_RAISED_SUBJECT, {
        filter: async (event) => {
          const r = alarmFromEvent(event.data, event);
          if (!r.ok || !matchesAlarmSubscription(r.alarm, tenantId, filter)) return false;
          // stored either way; delivered live only to channels open for MANAGE and DATAFLOW
          const scope = r.alarm.channelId ? { channelId: r.alarm.channelId } : { deviceId: r.alarm.deviceId };
          if (!(await ctx.entitlements.allows(tenantId, scope, ['MANAGE', 'DATAFLOW'])) || seen.has(r.alarm.id)) return false;
          seen.add(r.alarm.id);
          if (seen.size > RECENT_IDS_PER_SUBSCRIPTION) seen.delete(seen.values().next().value!);
          // the names Alarm.channel and Alarm.device provide, looked up here for all events side by side
          // (and in batches), not one event after the other when each event's fields are resolved
          await Promise.all([
            r.alarm.channelId ? ctx.channels.lookup(ctx.caller, r.alarm.channelId) : null,
            ctx.channels.device(ctx.caller, r.alarm.deviceId),
          ]).catch(() => undefined);
          parsed.set(event, r.alarm);
          return true;
        },
        map: (event) => alarmOf(parsed.get(event)!),
      });
    },
  })
  alarmRaised(
    @Root() alarm: Alarm,
    @Arg('filter', () => AlarmSubscriptionFilter, { nullable: true }) _filter: AlarmSubscriptionFilter | null,
  ): Alarm {
    return alarm;
  }

  @FieldResolver(() => GraphQLJSONObject, { nullable: true, description: 'Extra details (face, plate, vendor extension data, …).' })
  attributes(@Root() alarm: Alarm): Record<string, unknown> | null {
    if (!alarm.attributes) return null;
    try {
      return JSON.parse(alarm.attributes) as Record<string, unknown>;
    } catch {
      return { value: alarm.attributes };
    }
  }

  @FieldResolver(() => [AlarmPicture], {
    description: 'Pictures of the alarm (snapshots the device sent), each with a signed URL served by the gateway. Empty when there are none.',
  })
  pictures(
    @Root() alarm: Alarm,
    @Ctx() ctx: EventsContext,
    @Arg('expiresInSeconds', () => Int, { nullable: true, description: 'Lifetime of the URLs: 60 to 86400 seconds, default 3600.' })
    expiresInSeconds: number | null,
  ): AlarmPicture[] {
    const ttl = expiresInSeconds ?? DEFAULT_BLOB_URL_TTL_SECONDS;
    if (!Number.isInteger(ttl) || ttl < 60 || ttl > 86_400) throw badInput('expiresInSeconds', 'must be from 60 to 86400');
    const now = Date.now();
    const expiresAt = new Date((Math.floor(now / 1000) + ttl) * 1000);
    return parseStoredPictures(alarm.pictures).map((p) => ({
      url: ctx.pictureUrls.url(p.key, ttl, now),
      contentType: p.contentType,
      size: p.size,
      expiresAt,
      name: p.name ?? null,
    }));
  }

  @FieldResolver(() => AlarmFace, { nullable: true, description: 'Face attributes, when the device reported any.' })
  face(@Root() alarm: Alarm): AlarmFace | null {
    return faceOf(alarm.attributes, alarm.source);
  }

  @FieldResolver(() => AlarmVehicle, { nullable: true, description: 'Vehicle and plate, when the device reported them.' })
  vehicle(@Root() alarm: Alarm): AlarmVehicle | null {
    return vehicleOf(alarm.attributes, alarm.source);
  }

  @FieldResolver(() => AlarmPersonCount, { nullable: true, description: 'People counts, when the device reported them.' })
  personCount(@Root() alarm: Alarm): AlarmPersonCount | null {
    return personCountOf(alarm.attributes, alarm.source);
  }

  @FieldResolver(() => AlarmTemperature, { nullable: true, description: 'Temperature readings, when the device reported them.' })
  temperature(@Root() alarm: Alarm): AlarmTemperature | null {
    return temperatureOf(alarm.attributes, alarm.source);
  }

  @FieldResolver(() => AlarmEnvironment, { nullable: true, description: 'Environment sensor readings, when the device reported them.' })
  environment(@Root() alarm: Alarm): AlarmEnvironment | null {
    return environmentOf(alarm.attributes, alarm.source);
  }

  @FieldResolver(() => ChannelRef, { nullable: true, description: 'The channel (null for an alarm of the device itself, or once the channel is deleted).' })
  @Directive('@provides(fields: "name device { id name }")')
  async channel(@Root() alarm: Alarm, @Ctx() ctx: EventsContext): Promise<ChannelRef | null> {
    if (!alarm.channelId) return null;
    const c = await ctx.channels.lookup(ctx.caller, alarm.channelId);
    return c && { id: c.id, name: c.name, device: { id: c.device.id, name: c.device.name } };
  }

  @FieldResolver(() => DeviceRef, { nullable: true, description: 'The device (null once it is deleted).' })
  @Directive('@provides(fields: "name")')
  async device(@Root() alarm: Alarm, @Ctx() ctx: EventsContext): Promise<DeviceRef | null> {
    const d = await ctx.channels.device(ctx.caller, alarm.deviceId);
    return d && { id: d.id, name: d.name };
  }
}

@Resolver(() => ChannelRef)
export class ChannelAlarmsResolver {
  @FieldResolver(() => AlarmConnection, { description: 'Alarms of this channel, newest first.' })
  alarms(
    @Root() channel: ChannelRef,
    @Ctx() ctx: EventsContext,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => AlarmFilter, { nullable: true }) filter: AlarmFilter | null,
  ): Promise<AlarmConnection> {
    return ctx.alarms.list(ctx.caller, filter, { first, after }, { channelId: channel.id });
  }
}
