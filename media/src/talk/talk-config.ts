import { z } from 'zod';

const schema = z.object({
  /** RTSP and WebSocket talk sessions end after this long without a keepalive or audio from the talker. */
  MEDIA_TALK_SESSION_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** How long a media node waits for the access plane to name a channel's device (ms). */
  MEDIA_TALK_DEVICE_TIMEOUT_MS: z.coerce.number().int().min(500).max(120_000).default(10_000),
});

export interface TalkConfig {
  sessionTimeoutSeconds: number;
  deviceTimeoutMs: number;
}

export function talkConfigFromEnv(env: NodeJS.ProcessEnv = process.env): TalkConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new Error(`invalid talk configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return { sessionTimeoutSeconds: parsed.data.MEDIA_TALK_SESSION_TIMEOUT_SECONDS, deviceTimeoutMs: parsed.data.MEDIA_TALK_DEVICE_TIMEOUT_MS };
}
