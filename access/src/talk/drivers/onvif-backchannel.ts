/**
 * Talk to a camera with an ONVIF audio backchannel (ONVIF Streaming Specification §5.3), the way
 * appendix 5.6 of cmiot-video-northbound-api.txt has a client do it, from the media node:
 * DESCRIBE the camera's RTSP URL with "Require: www.onvif.org/ver20/backchannel", take the
 * a=sendonly audio section (the backchannel: the client sends) and the camera's own audio
 * (a=recvonly or no direction), SETUP both over TCP interleaved, PLAY, then send the talker's
 * audio as RTP on the backchannel's channel and pass the camera's RTP back. Keepalive with
 * GET_PARAMETER (or OPTIONS) at half the session timeout; TEARDOWN at the end. Video is not set up.
 *
 * The backchannel format is the talker's when the camera offers it (no transcoding), else the
 * first the camera lists among PCMU, PCMA, L16, AAC and Opus.
 */
import {
  parseRtspPublic, parseRtspTransport, parseSdp, resolveSdpControl, rtspHeader, sdpAttribute, serializeRtspInterleaved,
  type SdpMedia,
} from '@argus/protocols';
import type { Logger } from '@argus/platform';
import { DeviceTalkUnavailable, RtpAudioReceiver, RtpAudioSender, audioFormatsOf, describeFormat, type DeviceTalk, type EncodedAudio } from '@argus/media';
import { RtspClient } from '@argus/media/ingest/rtsp-pull/rtsp-client';
import { SourceUnavailable } from '../../channel-source.js';
import { rtspDeviceSource } from '../../drivers/rtsp/rtsp-source.js';
import type { TalkDriver, TalkDeviceTarget } from '../types.js';

export const ONVIF_BACKCHANNEL_REQUIRE = 'www.onvif.org/ver20/backchannel';
const REQUIRE: [string, string] = ['Require', ONVIF_BACKCHANNEL_REQUIRE];
/** Talker audio waiting in the socket beyond this is dropped. */
const MAX_SOCKET_BACKLOG = 64 * 1024;

const direction = (m: SdpMedia) => m.attributes.find((a) => ['sendonly', 'recvonly', 'sendrecv', 'inactive'].includes(a.name))?.name ?? 'sendrecv';

export const onvifBackchannelDriver: TalkDriver = {
  name: 'ONVIF',

  resolve(source) {
    try {
      // the camera's stream URL (the device address), credentials out of it
      const pull = rtspDeviceSource(source, 'primary');
      return { driver: 'ONVIF', url: pull.url, channel: source.channelIndex, username: pull.username, password: pull.password };
    } catch (err) {
      if (err instanceof SourceUnavailable) throw new DeviceTalkUnavailable(err.message);
      throw err;
    }
  },

  async open(target, request, options) {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const url = new URL(target.url);
    const where = `${url.host}${url.pathname}`;
    let client: RtspClient;
    try {
      client = await RtspClient.connect(url.hostname, Number(url.port || 554), target.username ? { username: target.username, password: target.password ?? '' } : null, timeoutMs);
    } catch (err) {
      throw new DeviceTalkUnavailable(`camera ${url.host} cannot be reached: ${(err as Error).message}`);
    }
    try {
      return await setUp(client, target, request.preferred, where, options.logger);
    } catch (err) {
      client.close();
      if (err instanceof DeviceTalkUnavailable) throw err;
      throw new DeviceTalkUnavailable(`camera ${where}: ${(err as Error).message}`);
    }
  },
};

async function setUp(client: RtspClient, target: TalkDeviceTarget, preferred: { codec: string; sampleRate: number }, where: string, log: Logger): Promise<DeviceTalk> {
  const url = target.url;
  const options = await client.request('OPTIONS', url);
  const methods = parseRtspPublic(rtspHeader(options.headers, 'Public') ?? '');
  const described = await client.request('DESCRIBE', url, [['Accept', 'application/sdp'], REQUIRE]);
  if (described.status === 551) throw new DeviceTalkUnavailable(`camera ${where} has no ONVIF audio backchannel (551 Option not supported)`);
  if (described.status === 401) throw new DeviceTalkUnavailable(`camera ${where} refused the credentials`);
  if (described.status !== 200) throw new DeviceTalkUnavailable(`camera ${where} answered DESCRIBE with ${described.status} ${described.reason}`);
  const base = rtspHeader(described.headers, 'Content-Base') ?? rtspHeader(described.headers, 'Content-Location') ?? url;
  const sdp = parseSdp(described.body);
  const audio = sdp.media.filter((m) => m.type === 'audio');
  const backchannel = audio.find((m) => direction(m) === 'sendonly');
  if (!backchannel) throw new DeviceTalkUnavailable(`camera ${where} offers no backchannel (no a=sendonly audio section)`);
  const offered = audioFormatsOf(backchannel);
  const order = ['PCMU', 'PCMA', 'L16', 'AAC', 'OPUS'];
  const uplink =
    offered.find((f) => f.codec === preferred.codec && f.sampleRate === preferred.sampleRate) ??
    offered.filter((f) => order.includes(f.codec))[0];
  if (!uplink) throw new DeviceTalkUnavailable(`camera ${where} wants a backchannel codec Argus cannot send (${backchannel.formats.join(' ')})`);
  const micSection = audio.find((m) => m !== backchannel && (direction(m) === 'recvonly' || direction(m) === 'sendrecv'));
  const mic = micSection ? audioFormatsOf(micSection)[0] ?? null : null;

  const setup = async (m: SdpMedia, channels: [number, number]): Promise<number> => {
    const res = await client.expectOk('SETUP', resolveSdpControl(base, sdpAttribute(m.attributes, 'control')), [
      ['Transport', `RTP/AVP/TCP;unicast;interleaved=${channels[0]}-${channels[1]}`], REQUIRE,
    ]);
    return parseRtspTransport(rtspHeader(res.headers, 'Transport') ?? '')[0]?.interleaved?.[0] ?? channels[0];
  };
  const micChannel = mic && micSection ? await setup(micSection, [0, 1]) : null;
  const backChannel = await setup(backchannel, [2, 3]);
  // no Range: a live camera may refuse to seek (GStreamer answers 503)
  await client.expectOk('PLAY', resolveSdpControl(base, sdpAttribute(sdp.attributes, 'control')), [REQUIRE]);

  const sender = new RtpAudioSender(uplink);
  const receiver = mic ? new RtpAudioReceiver(mic, mic.fmtp) : null;
  const audioListeners: Array<(f: EncodedAudio) => void> = [];
  const closeListeners: Array<(reason: string) => void> = [];
  let closed = false;
  let dropped = 0;
  if (receiver && micChannel !== null) {
    client.on('interleaved', (channel: number, payload: Buffer) => {
      if (channel !== micChannel || closed) return;
      for (const f of receiver.receive(payload)) for (const l of audioListeners) l(f);
    });
  }
  const keepalive = methods.includes('GET_PARAMETER') ? 'GET_PARAMETER' : 'OPTIONS';
  const timer = setInterval(() => {
    void client.request(keepalive, url).catch(() => client.close());
  }, Math.max(2, client.sessionTimeout / 2) * 1000);
  timer.unref();
  const finish = (reason: string) => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    for (const l of closeListeners.splice(0)) l(reason);
  };
  client.once('close', () => finish('camera connection closed'));
  const description = `ONVIF backchannel ${describeFormat(uplink)}${mic ? `, microphone ${describeFormat(mic)}` : ''} (${where})`;
  log.debug({ camera: where, uplink: describeFormat(uplink), mic: mic ? describeFormat(mic) : null }, 'onvif talk: playing');

  return {
    uplink,
    downlink: mic,
    description,
    send(frame) {
      if (closed) return;
      const socket = client.socket;
      if (socket.destroyed) return;
      const packets = sender.packets(frame.payload, frame.timestamp);
      if (socket.writableLength > MAX_SOCKET_BACKLOG) return void dropped++;
      if (packets.length) socket.write(Buffer.concat(packets.map((p) => serializeRtspInterleaved(backChannel, p))));
    },
    onAudio(listener) {
      audioListeners.push(listener);
    },
    close() {
      if (closed) return;
      finish('closed');
      // TEARDOWN, then hang up whether or not it was answered
      const bye = client.request('TEARDOWN', url).catch(() => undefined);
      void Promise.race([bye, new Promise((r) => setTimeout(r, 500))]).then(() => client.close());
    },
    onClose(listener) {
      if (closed) listener('closed');
      else closeListeners.push(listener);
    },
  };
}
