/**
 * The WHEP send path's SRTP (srtp-out.ts) against werift's own: for random keys, payloads and
 * sequence numbers across a rollover, both profiles werift negotiates give the same bytes as
 * werift's SrtpSession.encrypt, RTX packets are what werift's wrapRtx + encrypt make, and the
 * receiving side (werift's decrypt) gets the payloads back. AES-CM also against RFC 3711 B.2.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ProtectionProfileAeadAes128Gcm, ProtectionProfileAes128CmHmacSha1_80, RtpHeader, RtpPacket, SrtpSession, unwrapRtx, wrapRtx,
} from 'werift';
import { SrtpSealer, ntpTimestamp } from '../src/egress/webrtc/srtp-out.js';

const PROFILES = [
  { name: 'AEAD_AES_128_GCM', profile: ProtectionProfileAeadAes128Gcm, key: 16, salt: 12 },
  { name: 'AES_CM_128_HMAC_SHA1_80', profile: ProtectionProfileAes128CmHmacSha1_80, key: 16, salt: 14 },
];

function sessions(p: (typeof PROFILES)[number]) {
  const keys = { localMasterKey: randomBytes(p.key), localMasterSalt: randomBytes(p.salt), remoteMasterKey: randomBytes(p.key), remoteMasterSalt: randomBytes(p.salt) };
  const sender = new SrtpSession({ keys, profile: p.profile });
  const receiver = new SrtpSession({
    keys: { localMasterKey: keys.remoteMasterKey, localMasterSalt: keys.remoteMasterSalt, remoteMasterKey: keys.localMasterKey, remoteMasterSalt: keys.localMasterSalt },
    profile: p.profile,
  });
  const sealer = SrtpSealer.of({ srtp: sender } as never);
  if (!sealer) throw new Error('no sealer');
  return { sender, receiver, sealer };
}

describe.each(PROFILES)('SRTP $name', (p) => {
  it('seals RTP packets byte for byte as werift does, across a sequence-number rollover', () => {
    for (let round = 0; round < 4; round++) {
      // werift keeps its own rollover state per SSRC: a fresh session per run, packets in order
      const { sender, sealer } = sessions(p);
      const ssrc = randomInt(0, 2 ** 32);
      const pt = randomInt(96, 128);
      let index = 0xffff - randomInt(0, 200);
      for (let i = 0; i < 400; i++, index++) {
        const payload = randomBytes(randomInt(1, 1200));
        const ts = randomInt(0, 2 ** 32);
        const marker = Math.random() < 0.2;
        const ours = sealer.seal(pt, marker, index, ts, ssrc, payload);
        const theirs = sender.encrypt(payload, new RtpHeader({ payloadType: pt, marker, sequenceNumber: index & 0xffff, timestamp: ts, ssrc }));
        expect(ours.equals(theirs), `packet ${i} (seq ${index & 0xffff}, roc ${Math.floor(index / 0x10000)})`).toBe(true);
      }
    }
  });

  it('seals RTX packets as werift wraps them, and the receiver gets the original back', () => {
    const { sender, receiver, sealer } = sessions(p);
    const rtxSsrc = randomInt(0, 2 ** 32);
    for (let i = 0; i < 50; i++) {
      const payload = randomBytes(randomInt(1, 1200));
      const original = new RtpPacket(new RtpHeader({ payloadType: 96, marker: i % 7 === 0, sequenceNumber: randomInt(0, 0x10000), timestamp: randomInt(0, 2 ** 32), ssrc: 1234 }), payload);
      const rtx = wrapRtx(original, 97, 500 + i, rtxSsrc);
      const osn = Buffer.alloc(2);
      osn.writeUInt16BE(original.header.sequenceNumber, 0);
      const ours = sealer.seal(97, original.header.marker, 500 + i, original.header.timestamp, rtxSsrc, payload, osn);
      expect(ours.equals(sender.encrypt(rtx.payload, rtx.header))).toBe(true);
      const back = unwrapRtx(RtpPacket.deSerialize(receiver.decrypt(ours)), 96, 1234);
      expect(back.header.sequenceNumber).toBe(original.header.sequenceNumber);
      expect(back.payload.equals(payload)).toBe(true);
    }
  });
});

describe('AES-CM keystream', () => {
  it('is RFC 3711 B.2 for the session key, salt, SSRC 0 and index 0', () => {
    const sealer = new SrtpSealer(
      ProtectionProfileAes128CmHmacSha1_80,
      Buffer.from('2B7E151628AED2A6ABF7158809CF4F3C', 'hex'),
      Buffer.from('F0F1F2F3F4F5F6F7F8F9FAFBFCFD', 'hex'),
      randomBytes(20),
    );
    // a zero payload encrypts to the keystream
    const out = sealer.seal(0, false, 0, 0, 0, Buffer.alloc(48));
    expect(out.subarray(12, 60).toString('hex').toUpperCase()).toBe(
      'E03EAD0935C95E80E166B16DD92B4EB4' + 'D23513162B02D0F72A43A2FE4A5F97AB' + '41E95B3BB0A2E8DD477901E4FCA894C0',
    );
  });
});

describe('NTP time of sender reports', () => {
  it('counts seconds from 1900 and a binary fraction', () => {
    const ntp = ntpTimestamp(Date.UTC(2026, 0, 1, 0, 0, 0, 500));
    expect(Number(ntp >> 32n)).toBe(Date.UTC(2026, 0, 1) / 1000 + 2_208_988_800);
    expect(Number(ntp & 0xffffffffn)).toBe(0x80000000);
  });
});
