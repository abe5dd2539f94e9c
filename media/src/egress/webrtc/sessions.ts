/**
 * The WebRTC sessions of a media node (WHEP viewers, WHIP publishers, browser talk), by the
 * random id their resource URL carries: PATCH (trickle ICE) and DELETE find them here. The
 * resource URL is the capability: 128 random bits, bound to the stream path it was made for.
 */
import { randomBytes } from 'node:crypto';
import type { RTCPeerConnection } from 'werift';

export type WebRtcSessionKind = 'whep' | 'whip' | 'talk';

export interface WebRtcSession {
  readonly id: string;
  readonly kind: WebRtcSessionKind;
  readonly path: string;
  readonly pc: RTCPeerConnection;
  readonly createdAt: number;
  readonly closed: boolean;
  close(reason: string): void;
  /** Called once when the session ends, whoever ended it. */
  onClose(listener: (reason: string) => void): void;
}

export class SessionLimit extends Error {
  constructor(max: number) {
    super(`this media node holds ${max} WebRTC sessions already`);
  }
}

export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

export class WebRtcSessions {
  private readonly sessions = new Map<string, WebRtcSession>();

  constructor(private readonly max: number) {}

  /** Throws SessionLimit when the node is full. */
  reserve(): void {
    if (this.sessions.size >= this.max) throw new SessionLimit(this.max);
  }

  add(s: WebRtcSession): void {
    this.sessions.set(s.id, s);
    s.onClose(() => {
      if (this.sessions.get(s.id) === s) this.sessions.delete(s.id);
    });
  }

  /** The session `id` of this kind on this path (anything else: undefined). */
  find(id: string, kind: WebRtcSessionKind, path: string): WebRtcSession | undefined {
    const s = this.sessions.get(id);
    return s && s.kind === kind && s.path === path ? s : undefined;
  }

  count(kind?: WebRtcSessionKind): number {
    if (!kind) return this.sessions.size;
    let n = 0;
    for (const s of this.sessions.values()) if (s.kind === kind) n++;
    return n;
  }

  list(): WebRtcSession[] {
    return [...this.sessions.values()];
  }

  closeAll(reason: string): void {
    for (const s of [...this.sessions.values()]) s.close(reason);
  }
}
