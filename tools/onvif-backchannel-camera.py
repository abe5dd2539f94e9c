#!/usr/bin/python3
"""A fake camera with an ONVIF audio backchannel: GStreamer's RTSPOnvifServer, for talk tests.

    /usr/bin/python3 tools/onvif-backchannel-camera.py <port> [--codec PCMU|PCMA|L16] [--tone HZ]
                                                        [--record-dir DIR] [--auth user:pass]

Serves rtsp://127.0.0.1:<port>/test, a new media per client (not shared):
- the camera's microphone: a sine of --tone Hz (default 440) in --codec at 8 kHz mono (pay0);
- an ONVIF backchannel (ONVIF Streaming Specification §5.3: clients DESCRIBE with
  "Require: www.onvif.org/ver20/backchannel" and get an extra a=sendonly audio section), which
  takes RTP in --codec at 8 kHz mono. What a talker sends is decoded to S16LE, 8 kHz mono
  and, with --record-dir, appended to DIR/backchannel-<n>.s16le (n counts clients from 1).

Prints "READY <port>" once listening, then one line per event on stdout:
    CLIENT <n>                         a client's media was built (it DESCRIBEd with the Require header)
    HEARD <n> <samples> <unix-ms>      backchannel audio decoded so far for client n (at most every 100 ms)
Runs until SIGTERM/SIGINT or stdin closes. Needs Debian's gir1.2-gst-rtsp-server-1.0, python3-gi,
gstreamer1.0-plugins-{base,good}.
"""
import argparse
import os
import signal
import stat
import sys
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

RATE = 8000

# codec -> (encoder chain from S16 raw, payloader, depayloader chain back to S16, static pt, encoding-name)
CODECS = {
    "PCMU": ("mulawenc", "rtppcmupay", "rtppcmudepay ! mulawdec", 0, "PCMU"),
    "PCMA": ("alawenc", "rtppcmapay", "rtppcmadepay ! alawdec", 8, "PCMA"),
    "L16": ("audioconvert ! audio/x-raw,format=S16BE", "rtpL16pay", "rtpL16depay", 97, "L16"),
}


def launch_lines(codec: str, tone: int):
    enc, pay, depay, pt, name = CODECS[codec]
    media = (
        "( "
        f"audiotestsrc is-live=true wave=sine freq={tone} volume=0.5 samplesperbuffer={RATE // 50} "
        f"! audio/x-raw,format=S16LE,rate={RATE},channels=1 ! {enc} ! {pay} name=pay0 pt={pt} "
        ")"
    )
    backchannel = (
        "( "
        f'capsfilter caps="application/x-rtp, media=(string)audio, payload=(int){pt}, clock-rate=(int){RATE}, '
        f'encoding-name=(string){name}" name=depay_backchannel '
        f"! {depay} ! audioconvert ! audio/x-raw,format=S16LE,rate={RATE},channels=1 "
        "! appsink name=heard emit-signals=true sync=false async=false "
        ")"
    )
    return media, backchannel


class Recorder:
    """Collects what one client's backchannel carries."""

    def __init__(self, n: int, record_dir):
        self.n = n
        self.samples = 0
        self.last_report = 0.0
        self.file = open(os.path.join(record_dir, f"backchannel-{n}.s16le"), "ab", buffering=0) if record_dir else None

    def on_sample(self, sink):
        sample = sink.emit("pull-sample")
        if sample is None:
            return Gst.FlowReturn.OK
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        if ok:
            data = bytes(info.data)
            buf.unmap(info)
            if self.file:
                self.file.write(data)
            self.samples += len(data) // 2
            now = time.time()
            if now - self.last_report >= 0.1:
                self.last_report = now
                print(f"HEARD {self.n} {self.samples} {int(now * 1000)}", flush=True)
        return Gst.FlowReturn.OK


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("port", type=int)
    p.add_argument("--codec", default="PCMU", choices=sorted(CODECS))
    p.add_argument("--tone", type=int, default=440)
    p.add_argument("--record-dir", default=None)
    p.add_argument("--auth", default=None, help="user:pass (Digest)")
    args = p.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPOnvifServer.new()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))

    factory = GstRtspServer.RTSPOnvifMediaFactory.new()
    media_line, backchannel_line = launch_lines(args.codec, args.tone)
    factory.set_launch(media_line)
    factory.set_backchannel_launch(backchannel_line)
    factory.set_shared(False)
    factory.set_media_gtype(GstRtspServer.RTSPOnvifMedia)
    factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP | GstRtsp.RTSPLowerTrans.UDP)

    recorders = []

    def on_media_constructed(_factory, media):
        sink = media.get_element().get_by_name("heard")
        if sink is None:  # DESCRIBE without the Require header: no backchannel in this media
            return
        rec = Recorder(len(recorders) + 1, args.record_dir)
        recorders.append(rec)
        sink.connect("new-sample", rec.on_sample)
        print(f"CLIENT {rec.n}", flush=True)

    factory.connect("media-constructed", on_media_constructed)

    if args.auth:
        user, _, password = args.auth.partition(":")
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "user")
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        auth.add_digest(user, password, token)
        server.set_auth(auth)
        factory.add_role_from_structure(
            Gst.Structure.new_from_string(
                "user, media.factory.access=(boolean)true, media.factory.construct=(boolean)true"
            )
        )

    server.get_mount_points().add_factory("/test", factory)
    if server.attach(None) == 0:
        sys.exit(f"cannot listen on 127.0.0.1:{args.port}")

    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    # the parent going away closes our stdin: exit then too, so no camera outlives its test
    if stat.S_ISFIFO(os.fstat(0).st_mode):
        GLib.io_add_watch(0, GLib.PRIORITY_DEFAULT, GLib.IO_HUP | GLib.IO_ERR | GLib.IO_IN, lambda *_: loop.quit() or False)
    print(f"READY {server.get_bound_port()}", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
