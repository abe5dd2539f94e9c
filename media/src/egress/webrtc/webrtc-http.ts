/**
 * The HTTP side shared by WHEP (RFC 9725 playback) and WHIP (RFC 9725 ingest): reading the SDP
 * body, the 201 answer with its resource URL and ICE-server Link headers, PATCH trickle fragments,
 * DELETE, and small JSON errors with a reason.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PlayRefused } from '../../access/play-authorizer.js';
import { sendRefusal } from '../../media-server.js';
import { BadOffer, addRemoteCandidates } from './peer.js';
import { SessionLimit, type WebRtcSessionKind, type WebRtcSessions } from './sessions.js';
import { iceServerLinks, type IceServer } from './webrtc-config.js';

const MAX_BODY = 32 << 10;

export const CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'location, link, etag, content-type',
};

export class HttpProblem extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** The request body as text, refusing other content types and bodies over 32 KiB. */
export async function readBody(req: IncomingMessage, contentType: string): Promise<string> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== contentType) {
    req.resume();
    throw new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', `the body must be ${contentType}, not ${type || 'missing'}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) {
      req.resume();
      throw new HttpProblem(413, 'BODY_TOO_LARGE', `the body is over ${MAX_BODY} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Refusals that are the client's doing (not logged as failures). */
export function isExpected(err: unknown): boolean {
  return err instanceof HttpProblem || err instanceof BadOffer || err instanceof SessionLimit || err instanceof PlayRefused;
}

export function sendError(res: ServerResponse, err: unknown): void {
  if (err instanceof PlayRefused) return sendRefusal(res, err);
  let status = 503;
  let code = 'UNAVAILABLE';
  let message = 'media server error';
  if (err instanceof HttpProblem) ({ status, code, message } = err);
  else if (err instanceof BadOffer) [status, code, message] = [400, 'BAD_OFFER', err.message];
  else if (err instanceof SessionLimit) [status, code, message] = [503, 'NODE_FULL', err.message];
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, { ...CORS, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** 201 Created with the SDP answer, the session's resource URL and the ICE servers. */
export function sendAnswer(res: ServerResponse, answer: string, location: string, iceServers: readonly IceServer[]): void {
  const headers: Record<string, string | string[]> = {
    ...CORS,
    'content-type': 'application/sdp',
    'content-length': String(Buffer.byteLength(answer)),
    location,
    etag: `"${location.slice(location.lastIndexOf('/') + 1)}"`,
    'cache-control': 'no-store',
  };
  const links = iceServerLinks(iceServers);
  if (links.length) headers['link'] = links;
  res.writeHead(201, headers);
  res.end(answer);
}

/**
 * PATCH (trickle ICE candidates) and DELETE on `<base>/<sessionId>`; false when `rest` is not such
 * a resource URL.
 */
export async function sessionResource(
  req: IncomingMessage, res: ServerResponse, sessions: WebRtcSessions, kind: WebRtcSessionKind, path: string, id: string,
): Promise<void> {
  const session = sessions.find(id, kind, path);
  if (!session || session.closed) throw new HttpProblem(404, 'SESSION_UNKNOWN', 'no such WebRTC session (it ended, or never existed)');
  if (req.method === 'DELETE') {
    session.close('deleted by the client');
    res.writeHead(200, CORS);
    return void res.end();
  }
  if (req.method === 'PATCH') {
    const fragment = await readBody(req, 'application/trickle-ice-sdpfrag');
    try {
      await addRemoteCandidates(session.pc, fragment);
    } catch (err) {
      throw new HttpProblem(400, 'BAD_CANDIDATE', `the candidate fragment was refused: ${(err as Error).message}`);
    }
    res.writeHead(204, CORS);
    return void res.end();
  }
  throw new HttpProblem(405, 'METHOD_NOT_ALLOWED', 'a session resource takes PATCH (trickle ICE) or DELETE');
}
