/**
 * Online/offline tracking (spec §3: keepalive every `keepinterval` seconds). A device is online from
 * its first authenticated request (keepalive or report) and offline once `missed` keepalive
 * intervals pass without any request. Transitions are published as `device.status`.
 *
 * State is per process: with several access processes behind a balancer each tracks the devices it
 * hears from (a device is expected to stick to one).
 */
import type { Bus, BusSubscription, Logger } from '@argus/platform';
import { DEVICE_STATUS, type DeviceStatusEvent } from './alarm-payload.js';

interface Presence {
  tenantId: string;
  online: boolean;
  timer: NodeJS.Timeout | null;
}

export class PresenceTracker {
  private readonly devices = new Map<string, Presence>();
  private sub: BusSubscription | null = null;
  private closed = false;

  constructor(
    private readonly bus: Bus,
    private readonly logger: Logger,
    /** Silence after which a device is offline (ms): keepinterval × missed keepalives. */
    private readonly offlineAfterMs: number,
  ) {}

  async start(): Promise<void> {
    this.sub = await this.bus.subscribe<{ deviceId?: unknown }>('device.deleted', (e) => {
      if (typeof e.data?.deviceId === 'string') this.forget(e.data.deviceId);
    });
  }

  /** The device made an authenticated request now. */
  seen(tenantId: string, deviceId: string): void {
    if (this.closed) return;
    let p = this.devices.get(deviceId);
    if (!p) {
      p = { tenantId, online: false, timer: null };
      this.devices.set(deviceId, p);
    }
    p.tenantId = tenantId;
    if (p.timer) p.timer.refresh();
    else {
      p.timer = setTimeout(() => this.expire(deviceId), this.offlineAfterMs);
      p.timer.unref();
    }
    if (!p.online) {
      p.online = true;
      this.publish(p, deviceId, 'ONLINE');
    }
  }

  isOnline(deviceId: string): boolean {
    return this.devices.get(deviceId)?.online ?? false;
  }

  forget(deviceId: string): void {
    const p = this.devices.get(deviceId);
    if (p?.timer) clearTimeout(p.timer);
    this.devices.delete(deviceId);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.devices.values()) if (p.timer) clearTimeout(p.timer);
    this.devices.clear();
    await this.sub?.unsubscribe().catch(() => undefined);
  }

  private expire(deviceId: string): void {
    const p = this.devices.get(deviceId);
    if (!p) return;
    this.devices.delete(deviceId);
    if (p.online) this.publish(p, deviceId, 'OFFLINE');
  }

  private publish(p: Presence, deviceId: string, status: DeviceStatusEvent['status']): void {
    const event: DeviceStatusEvent = { tenantId: p.tenantId, deviceId, status, at: new Date().toISOString() };
    this.bus.publish(DEVICE_STATUS, event).then(
      () => this.logger.info({ deviceId, status }, 'device status'),
      (err) => {
        this.logger.error({ err, deviceId, status }, 'could not publish device.status');
        // ONLINE not announced: announce it with the next request
        if (status === 'ONLINE' && this.devices.get(deviceId) === p) p.online = false;
      },
    );
  }
}
