/**
 * The player page a media node serves at /play/<channelId>/<stream>?token=…: one <video>, plain
 * browser JavaScript (no build step), hls.js and mpegts.js served by the node itself. It tries
 * WebRTC (WHEP), then LL-HLS (hls.js), then HTTP-FLV (mpegts.js), moving on when a protocol is
 * refused or shows no picture in time, and shows which one plays with its statistics. It can be
 * embedded in an <iframe> (allow="autoplay"); `window.argusPlayerState` exposes the same state to
 * the embedding page's scripts and to tests.
 */

export interface PlayerPageConfig {
  /** Play URLs with the page's ticket. */
  whep: string;
  llhls: string;
  flv: string;
  iceServers: Array<{ urls: string | string[]; username?: string; credential?: string }>;
  order: Array<'webrtc' | 'llhls' | 'flv'>;
  /** How long each protocol gets to show a first picture (ms). */
  startTimeoutMs: number;
  title: string;
}

/** JSON safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function playerPageHtml(config: PlayerPageConfig, assetBase: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(config.title)}</title><link rel="icon" href="data:,">
<style>
html,body{margin:0;height:100%;background:#000;color:#eee;font:12px/1.4 system-ui,sans-serif;overflow:hidden}
video{width:100%;height:100%;object-fit:contain;background:#000}
#bar{position:absolute;left:0;right:0;bottom:0;display:flex;gap:8px;align-items:center;padding:4px 8px;background:rgba(0,0,0,.55)}
#state{flex:1;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
button{background:#333;color:#eee;border:1px solid #555;border-radius:3px;padding:2px 8px;cursor:pointer}
</style></head>
<body>
<video id="v" muted autoplay playsinline></video>
<div id="bar"><span id="state">starting…</span><button id="sound" type="button">unmute</button></div>
<script type="application/json" id="argus-config">${scriptJson(config)}</script>
<script src="${assetBase}/hls.min.js"></script>
<script src="${assetBase}/mpegts.js"></script>
<script src="${assetBase}/player.js"></script>
</body></html>
`;
}

/** Runs in the browser (plain ES2020). */
export const PLAYER_JS = `'use strict';
(function () {
  const cfg = JSON.parse(document.getElementById('argus-config').textContent);
  for (const k of ['whep', 'llhls', 'flv']) cfg[k] = new URL(cfg[k], location.href).toString();
  const video = document.getElementById('v');
  const label = document.getElementById('state');
  const sound = document.getElementById('sound');
  const t0 = performance.now();
  const state = window.argusPlayerState = { mode: null, state: 'starting', tried: [], errors: [], stats: {}, firstFrameMs: null, events: [] };
  const ev = (e) => { if (state.events.length < 300) state.events.push(Math.round(performance.now() - t0) + ' ' + e); };
  let stop = () => {};
  let statsTimer = null;

  sound.addEventListener('click', () => { video.muted = !video.muted; sound.textContent = video.muted ? 'unmute' : 'mute'; video.play().catch(() => {}); });

  function render() {
    const s = state.stats;
    const parts = [(state.mode || '-').toUpperCase(), state.state];
    if (s.width) parts.push(s.width + 'x' + s.height);
    if (s.fps) parts.push(s.fps + ' fps');
    if (s.kbps) parts.push(s.kbps + ' kbit/s');
    if (s.latencyMs != null) parts.push('latency ' + s.latencyMs + ' ms');
    if (s.lost) parts.push('lost ' + s.lost);
    label.textContent = parts.join(' · ');
  }
  function set(mode, st) { state.mode = mode; state.state = st; ev(mode + ' ' + st); render(); }

  // a first picture on screen, or false after the timeout / a failure reported through fail()
  function firstPicture(timeoutMs, onFail) {
    return new Promise((resolve) => {
      let done = false;
      const finish = (ok) => { if (done) return; done = true; clearTimeout(timer); resolve(ok); };
      const timer = setTimeout(() => finish(false), timeoutMs);
      onFail(() => finish(false));
      const check = () => { if (video.videoWidth > 0 && video.readyState >= 2) finish(true); };
      video.addEventListener('loadeddata', check, { once: true });
      video.addEventListener('playing', check);
      if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(() => finish(true));
    });
  }

  async function webrtc() {
    const pc = new RTCPeerConnection({ iceServers: cfg.iceServers });
    let resource = null;
    let failed = () => {};
    stop = () => { if (statsTimer) clearInterval(statsTimer); if (resource) fetch(resource, { method: 'DELETE' }).catch(() => {}); pc.close(); video.srcObject = null; };
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    const ms = new MediaStream();
    pc.ontrack = (e) => { ms.addTrack(e.track); video.srcObject = ms; video.play().catch(() => {}); };
    pc.onconnectionstatechange = () => {
      ev('webrtc connection ' + pc.connectionState);
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') failed();
    };
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((r) => { if (pc.iceGatheringState === 'complete') return r(); const t = setTimeout(r, 1000); pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') { clearTimeout(t); r(); } }; });
    const res = await fetch(cfg.whep, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: pc.localDescription.sdp });
    if (res.status !== 201) throw new Error('WHEP answered ' + res.status + ' ' + (await res.text()).slice(0, 200));
    resource = new URL(res.headers.get('location'), cfg.whep).toString();
    await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
    let last = null;
    statsTimer = setInterval(async () => {
      const report = await pc.getStats();
      report.forEach((s) => {
        if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
        const now = { t: s.timestamp, bytes: s.bytesReceived, frames: s.framesDecoded };
        if (last) {
          const dt = (now.t - last.t) / 1000;
          state.stats.kbps = Math.round(((now.bytes - last.bytes) * 8) / 1000 / dt);
          state.stats.fps = Math.round((now.frames - last.frames) / dt);
        }
        last = now;
        state.stats.width = s.frameWidth; state.stats.height = s.frameHeight;
        state.stats.framesDecoded = s.framesDecoded; state.stats.lost = s.packetsLost;
        state.stats.latencyMs = s.jitterBufferEmittedCount ? Math.round((s.jitterBufferDelay / s.jitterBufferEmittedCount) * 1000) : null;
      });
      render();
    }, 1000);
    return firstPicture(cfg.startTimeoutMs, (f) => { failed = () => { f(); lost(); }; });
  }

  async function llhls() {
    if (!window.Hls || !Hls.isSupported()) throw new Error('hls.js cannot play in this browser');
    const hls = new Hls({ lowLatencyMode: true });
    stop = () => { if (statsTimer) clearInterval(statsTimer); hls.destroy(); };
    let failed = () => {};
    hls.on(Hls.Events.ERROR, (_e, d) => { ev('hls ' + d.details); if (d.fatal) failed(); });
    hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => {}));
    hls.loadSource(cfg.llhls);
    hls.attachMedia(video);
    statsTimer = setInterval(() => {
      const q = video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : null;
      state.stats.width = video.videoWidth; state.stats.height = video.videoHeight;
      state.stats.framesDecoded = q ? q.totalVideoFrames : null;
      state.stats.latencyMs = hls.latency ? Math.round(hls.latency * 1000) : null;
      const level = hls.levels && hls.levels[hls.currentLevel];
      state.stats.kbps = level ? Math.round(level.bitrate / 1000) : null;
      render();
    }, 1000);
    return firstPicture(cfg.startTimeoutMs, (f) => { failed = () => { f(); lost(); }; });
  }

  async function flv() {
    if (!window.mpegts || !mpegts.getFeatureList().mseLivePlayback) throw new Error('mpegts.js cannot play in this browser');
    const player = mpegts.createPlayer({ type: 'flv', isLive: true, url: cfg.flv }, { enableWorker: false, liveBufferLatencyChasing: true });
    stop = () => { if (statsTimer) clearInterval(statsTimer); player.destroy(); };
    let failed = () => {};
    player.on(mpegts.Events.ERROR, (type, detail) => { ev('flv ' + type + '/' + detail); failed(); });
    player.on(mpegts.Events.STATISTICS_INFO, (i) => { state.stats.kbps = Math.round(i.speed * 8); });
    player.attachMediaElement(video);
    player.load();
    video.play().catch(() => {});
    statsTimer = setInterval(() => {
      const q = video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : null;
      state.stats.width = video.videoWidth; state.stats.height = video.videoHeight;
      state.stats.framesDecoded = q ? q.totalVideoFrames : null;
      render();
    }, 1000);
    return firstPicture(cfg.startTimeoutMs, (f) => { failed = () => { f(); lost(); }; });
  }

  const players = { webrtc, llhls, flv };
  let running = false;
  let playing = false;

  // a protocol that played and then broke: start over after a pause
  function lost() {
    if (!playing) return;
    playing = false;
    set(state.mode, 'lost; retrying');
    stop();
    setTimeout(run, 2000);
  }

  async function run() {
    if (running) return;
    running = true;
    for (const mode of cfg.order) {
      state.stats = {};
      set(mode, 'connecting');
      state.tried.push(mode);
      let ok = false;
      try {
        ok = await players[mode]();
      } catch (e) {
        state.errors.push(mode + ': ' + (e && e.message ? e.message : String(e)));
      }
      if (ok) {
        playing = true;
        if (state.firstFrameMs === null) state.firstFrameMs = Math.round(performance.now() - t0);
        set(mode, 'playing');
        running = false;
        return;
      }
      if (!state.errors.some((e) => e.startsWith(mode + ':'))) state.errors.push(mode + ': no picture within ' + cfg.startTimeoutMs + ' ms');
      stop();
      stop = () => {};
    }
    running = false;
    set(null, 'failed: ' + state.errors.join('; '));
  }
  run();
})();
`;
