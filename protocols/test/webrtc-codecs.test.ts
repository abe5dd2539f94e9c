import { describe, expect, it } from 'vitest';
import { buildSdp, keepPayloadTypes, offeredCodecs, parseSdp, pickAudio, pickH264, pickH265 } from '../src/index.js';

// the video and audio sections of a Chromium recvonly offer (abridged)
const OFFER = [
  'v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0 1',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 106 107 45',
  'a=mid:0', 'a=recvonly',
  'a=rtpmap:96 VP8/90000', 'a=rtcp-fb:96 nack', 'a=rtpmap:97 rtx/90000', 'a=fmtp:97 apt=96',
  'a=rtpmap:102 H264/90000', 'a=rtcp-fb:102 nack pli', 'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
  'a=rtpmap:103 rtx/90000', 'a=fmtp:103 apt=102',
  'a=rtpmap:104 H264/90000', 'a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f',
  'a=rtpmap:105 rtx/90000', 'a=fmtp:105 apt=104',
  'a=rtpmap:106 H264/90000', 'a=rtcp-fb:106 nack', 'a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f',
  'a=rtpmap:107 rtx/90000', 'a=fmtp:107 apt=106',
  'a=rtpmap:45 AV1/90000',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 0 8',
  'a=mid:1', 'a=recvonly', 'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;useinbandfec=1', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000',
].join('\r\n');

describe('WebRTC codec choice in an offer', () => {
  const sdp = parseSdp(OFFER);
  const video = offeredCodecs(sdp.media[0]!);
  const audio = offeredCodecs(sdp.media[1]!);

  it('lists the offered codecs in order with their RTX partners', () => {
    expect(video.map((c) => [c.payloadType, c.encoding, c.rtxPayloadType])).toEqual([
      [96, 'VP8', 97], [102, 'H264', 103], [104, 'H264', 105], [106, 'H264', 107], [45, 'AV1', undefined],
    ]);
    expect(audio.map((c) => c.encoding)).toEqual(['OPUS', 'PCMU', 'PCMA']);
  });

  it('picks the H.264 with packetization-mode=1 and the stream profile, else another mode-1 one', () => {
    expect(pickH264(video, 77)?.payloadType).toBe(106);
    expect(pickH264(video, 66)?.payloadType).toBe(102);
    expect(pickH264(video, 100)?.payloadType).toBe(102);
    expect(pickH264(video.filter((c) => c.payloadType === 104), 66)).toBeUndefined();
    expect(pickH265(video)).toBeUndefined();
    expect(pickAudio(audio, 'PCMA')?.payloadType).toBe(8);
    expect(pickAudio(audio, 'OPUS')?.payloadType).toBe(111);
  });

  it('narrows a section to the chosen payload types and their RTX', () => {
    const narrowed = keepPayloadTypes(sdp.media[0]!, [pickH264(video, 77)!]);
    expect(narrowed.formats).toEqual(['106', '107']);
    const text = buildSdp({ ...sdp, media: [narrowed] });
    expect(text).toContain('a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f');
    expect(text).toContain('a=fmtp:107 apt=106');
    expect(text).not.toMatch(/a=(rtpmap|fmtp|rtcp-fb):(96|97|102|103|104|105|45) /);
    expect(text).toContain('a=mid:0');
    expect(text).toContain('a=recvonly');
  });
});
