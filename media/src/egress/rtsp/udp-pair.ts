/** A pair of UDP sockets on adjacent ports (RTP even, RTCP odd), as RTSP over UDP needs. */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';

export interface UdpPair {
  rtp: Socket;
  rtcp: Socket;
  ports: [number, number];
  close(): void;
}

function bind(type: 'udp4' | 'udp6', host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket({ type, reuseAddr: false });
    s.once('error', (err) => (s.close(), reject(err)));
    s.bind(port, host, () => {
      s.removeAllListeners('error');
      resolve(s);
    });
  });
}

/**
 * Binds RTP on an even port and RTCP on the next one: the first free pair in `range`, or an
 * ephemeral pair when no range is given.
 */
export async function bindUdpPair(host: string, range?: [number, number]): Promise<UdpPair> {
  const type = isIPv6(host) ? 'udp6' : 'udp4';
  const candidates: number[] = [];
  if (range && range[0] > 0) for (let p = range[0] + (range[0] % 2); p + 1 <= range[1]; p += 2) candidates.push(p);
  else for (let i = 0; i < 32; i++) candidates.push(0);
  for (const candidate of candidates) {
    let rtp: Socket | null = null;
    try {
      rtp = await bind(type, host, candidate);
      const port = rtp.address().port;
      if (port % 2 !== 0 || port === 65535) throw new Error('odd port');
      const rtcp = await bind(type, host, port + 1);
      const pair: UdpPair = {
        rtp, rtcp, ports: [port, port + 1],
        close() {
          for (const s of [rtp!, rtcp]) {
            try {
              s.close();
            } catch {
              /* already closed */
            }
          }
        },
      };
      return pair;
    } catch {
      rtp?.close();
    }
  }
  throw new Error(range ? `no free UDP port pair in ${range[0]}-${range[1]}` : 'could not bind a UDP port pair');
}

/** "::ffff:1.2.3.4" → "1.2.3.4" (IPv4 clients of a dual-stack listener). */
export function plainAddress(address: string | undefined): string {
  return (address ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}
