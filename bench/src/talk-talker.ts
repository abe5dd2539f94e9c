/**
 * A lean RTSP backchannel talker for bench/talk (what rtspsrc backchannel=onvif does, without
 * GStreamer, so hundreds fit in one process): OPTIONS, DESCRIBE with the ONVIF Require header,
 * SETUP of both tracks over TCP interleaved, PLAY, then RTP frames on the backchannel's channel;
 * counts the device audio coming back. Keepalive by GET_PARAMETER.
 */
import { parseSdp, sdpAttribute, serializeRtspInterleaved } from '@argus/protocols';
import { RtpAudioSender, audioFormatsOf, type AudioFormat } from '@argus/media';
import { RtspClient } from '@argus/media/ingest/rtsp-pull/index';

export class BenchTalker {
  framesBack = 0;
  private keepalive: NodeJS.Timeout | null = null;
  private constructor(readonly client: RtspClient, readonly url: string, private readonly sender: RtpAudioSender, private readonly channel: number) {}

  static async open(url: string, port: number): Promise<BenchTalker> {
    const client = await RtspClient.connect('127.0.0.1', port, null, 20_000);
    const require: [string, string] = ['Require', 'www.onvif.org/ver20/backchannel'];
    await client.expectOk('OPTIONS', url);
    const described = await client.expectOk('DESCRIBE', url, [['Accept', 'application/sdp'], require]);
    const sdp = parseSdp(described.body);
    const back = sdp.media.find((m) => m.attributes.some((a) => a.name === 'sendonly'))!;
    const format = audioFormatsOf(back)[0]!;
    await client.expectOk('SETUP', `${url}/${sdpAttribute(sdp.media[0]!.attributes, 'control')}`, [['Transport', 'RTP/AVP/TCP;unicast;interleaved=0-1;mode=play']]);
    await client.expectOk('SETUP', `${url}/${sdpAttribute(back.attributes, 'control')}`, [['Transport', 'RTP/AVP/TCP;unicast;interleaved=2-3;mode=play']]);
    await client.expectOk('PLAY', url);
    const t = new BenchTalker(client, url, new RtpAudioSender(format), 2);
    client.on('interleaved', (ch: number) => ch === 0 && t.framesBack++);
    t.keepalive = setInterval(() => void client.request('GET_PARAMETER', url).catch(() => undefined), 20_000);
    return t;
  }

  get format(): AudioFormat {
    return this.sender.format;
  }

  send(payload: Buffer, timestampMs: number): void {
    if (this.client.closed) return;
    const packets = this.sender.packets(payload, timestampMs);
    this.client.socket.write(Buffer.concat(packets.map((p) => serializeRtspInterleaved(this.channel, p))));
  }

  async close(): Promise<void> {
    if (this.keepalive) clearInterval(this.keepalive);
    await Promise.race([this.client.request('TEARDOWN', this.url).catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
    this.client.close();
  }
}
