/** A channel's device as the devices subgraph hands it to the access plane (GET /internal/channels/<id>/source). */
export interface ChannelSource {
  channelId: string;
  channelIndex: number;
  tenantId: string;
  deviceId: string;
  protocol: string;
  vendor: string | null;
  address: string | null;
  username: string | null;
  password: string | null;
}

export type StreamKind = 'primary' | 'sub';

/** Where a driver says the media server can pull a channel's stream. */
export interface PullSource {
  url: string;
  transport: 'tcp' | 'udp';
  username: string | null;
  password: string | null;
}

export class SourceUnavailable extends Error {}
