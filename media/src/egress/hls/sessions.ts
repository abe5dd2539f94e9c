/**
 * HLS sessions: the playlist request that presents a play token (and consumes a use) opens a
 * session; every URI in the playlists carries its id, so reloads, segments and parts need no
 * token and no further use. Sessions end after `idleMs` without requests.
 */
import { randomBytes } from 'node:crypto';
import type { PlayTokenClaims } from '@argus/platform';
import type { LivePath } from '../../access/stream-path.js';
import type { HlsFlavour } from './playlist.js';

export interface HlsSession {
  id: string;
  claims: PlayTokenClaims;
  /** Kept to re-check revocation on playlist reloads. */
  token: string;
  path: string;
  flavour: HlsFlavour;
  lastSeen: number;
}

const MAX_SESSIONS = 100_000;

export class HlsSessions {
  private sessions = new Map<string, HlsSession>();

  constructor(private readonly idleMs: number) {}

  open(claims: PlayTokenClaims, token: string, live: LivePath, flavour: HlsFlavour): HlsSession {
    if (this.sessions.size >= MAX_SESSIONS) this.sweep(Date.now());
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    const session = { id: randomBytes(16).toString('base64url'), claims, token, path: live.path, flavour, lastSeen: Date.now() };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The session for `id` if it exists and is bound to this stream and flavour (and marks it used). */
  find(id: string | null, live: LivePath, flavour: HlsFlavour): HlsSession | undefined {
    const s = id ? this.sessions.get(id) : undefined;
    if (!s || s.path !== live.path || s.flavour !== flavour) return undefined;
    s.lastSeen = Date.now();
    return s;
  }

  end(id: string): void {
    this.sessions.delete(id);
  }

  sweep(now: number): void {
    for (const [id, s] of this.sessions) if (now - s.lastSeen > this.idleMs) this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }
}
