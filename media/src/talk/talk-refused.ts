/** Why a talker is turned away; `status` is the HTTP status (RTSP uses the same numbers). */
export class TalkRefused extends Error {
  constructor(readonly status: 400 | 401 | 403 | 404 | 409 | 503, readonly code: string, message: string) {
    super(message);
    this.name = 'TalkRefused';
  }
}
