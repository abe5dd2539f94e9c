import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export { cpuSeconds, rssMB, childrenOf, hostCpu } from './proc.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Proc {
  child: ChildProcess;
  stderr(): string;
  stop(): Promise<void>;
}

/** Spawns a helper process; stop() sends SIGTERM, then SIGKILL after 3 s. */
export function spawnProc(cmd: string, args: string[]): Proc {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-8192)));
  child.on('error', (e) => (err += `\nspawn failed: ${e.message}`));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** nginx with libnginx-mod-rtmp, one `live` application, config in `dir`, in the foreground. */
export function startNginxRtmp(dir: string, port: number, workers: number): Proc {
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
worker_processes ${workers};
worker_rlimit_nofile 65536;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 20000; }
rtmp {
  server {
    listen 127.0.0.1:${port};
    application live { live on; }
  }
}
`,
  );
  return spawnProc('nginx', ['-p', dir, '-e', join(dir, 'error.log'), '-c', conf, '-g', 'daemon off;']);
}

/** Pre-encodes the test pattern once: 2 Mbit/s H.264 (+ noise so it really uses the bitrate) + AAC, GOP 50. */
export async function encodeSource(file: string, seconds: number, running: Proc[]): Promise<void> {
  const p = spawnProc('ffmpeg', [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc=size=1280x720:rate=25,noise=alls=12:allf=t+u',
    '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=44100',
    '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-pix_fmt', 'yuv420p',
    '-b:v', '2M', '-maxrate', '2M', '-bufsize', '2M', '-g', '50', '-keyint_min', '50', '-sc_threshold', '0',
    '-c:a', 'aac', '-b:a', '128k', '-ar', '44100',
    '-f', 'flv', file,
  ]);
  running.push(p);
  const code = await new Promise<number | null>((r) => p.child.once('exit', (c) => r(c)));
  running.splice(running.indexOf(p), 1);
  if (code !== 0) throw new Error(`ffmpeg encode failed: ${p.stderr()}`);
}

/** ffmpeg publishing the pre-encoded file in a loop at its native rate (-re, stream copy). */
export function publish(file: string, url: string): Proc {
  return spawnProc('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', file, '-c', 'copy', '-f', 'flv', url]);
}
