import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const schema = z.object({
  MEDIA_HOST: z.string().default('0.0.0.0'),
  MEDIA_HTTP_PORT: port.default(8080),
  MEDIA_RTMP_PORT: port.default(1935),
  MEDIA_RTSP_PORT: port.default(8554),
  /** How long a player waits for an on-demand source (ms). */
  MEDIA_ON_DEMAND_TIMEOUT_MS: z.coerce.number().int().min(500).max(120_000).default(10_000),
  /** Seconds without readers before a stream is announced idle (the access plane stops pulled sources). */
  MEDIA_IDLE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(30),
});

export interface MediaConfig {
  host: string;
  httpPort: number;
  rtmpPort: number;
  rtspPort: number;
  onDemandTimeoutMs: number;
  idleSeconds: number;
}

export function mediaConfigFromEnv(env: NodeJS.ProcessEnv = process.env): MediaConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new Error(`invalid media configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const c = parsed.data;
  return {
    host: c.MEDIA_HOST,
    httpPort: c.MEDIA_HTTP_PORT,
    rtmpPort: c.MEDIA_RTMP_PORT,
    rtspPort: c.MEDIA_RTSP_PORT,
    onDemandTimeoutMs: c.MEDIA_ON_DEMAND_TIMEOUT_MS,
    idleSeconds: c.MEDIA_IDLE_SECONDS,
  };
}
