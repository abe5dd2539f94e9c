#!/usr/bin/python3
"""A real RTSP server (GStreamer's gst-rtsp-server) serving a live test pattern, for tests.

    /usr/bin/python3 tools/rtsp-test-server.py <port> [user:pass] [basic|digest]

Serves rtsp://127.0.0.1:<port>/test: H.264 (videotestsrc 640x360 @ 25 fps, x264enc zerolatency,
one keyframe a second) as pay0 and AAC (audiotestsrc 44.1 kHz mono, voaacenc or avenc_aac,
RFC 3640 mpeg4-generic) as pay1, shared between clients, over RTP/UDP or TCP interleaved.
With user:pass, every request needs credentials: Digest (default) or Basic.
Prints "READY <port>" on stdout once listening; runs until SIGTERM/SIGINT or stdin closes.
Needs Debian's gir1.2-gst-rtsp-server-1.0, python3-gi, gstreamer1.0-plugins-{base,good,ugly,bad}.
"""
import os
import signal
import stat
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

WIDTH, HEIGHT, FPS = 640, 360, 25


def pick_aac_encoder() -> str:
    for name in ("voaacenc", "avenc_aac", "fdkaacenc"):
        if Gst.ElementFactory.find(name):
            return name
    sys.exit("no AAC encoder (voaacenc/avenc_aac): install gstreamer1.0-plugins-bad or gstreamer1.0-libav")


def launch_line() -> str:
    aac = pick_aac_encoder()
    return (
        "( "
        f"videotestsrc is-live=true pattern=smpte ! video/x-raw,format=I420,width={WIDTH},height={HEIGHT},framerate={FPS}/1 "
        f"! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={FPS} bitrate=800 "
        "! video/x-h264,profile=baseline ! rtph264pay name=pay0 pt=96 config-interval=1 "
        "audiotestsrc is-live=true wave=sine freq=1000 ! audioconvert ! audioresample "
        f"! audio/x-raw,rate=44100,channels=1 ! {aac} ! aacparse ! rtpmp4gpay name=pay1 pt=97 "
        ")"
    )


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    port = int(sys.argv[1])
    creds = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] else None
    method = sys.argv[3] if len(sys.argv) > 3 else "digest"
    if method not in ("basic", "digest"):
        sys.exit(f"auth method must be basic or digest, not {method}")

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(port))

    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch_line())
    factory.set_shared(True)
    factory.set_protocols(GstRtsp.RTSPLowerTrans.UDP | GstRtsp.RTSPLowerTrans.TCP)

    if creds:
        user, _, password = creds.partition(":")
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "user")
        if method == "digest":
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
            auth.add_digest(user, password, token)
        else:
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
            auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
        if hasattr(auth, "set_realm"):
            auth.set_realm("argus-test")
        server.set_auth(auth)
        factory.add_role_from_structure(
            Gst.Structure.new_from_string(
                "user, media.factory.access=(boolean)true, media.factory.construct=(boolean)true"
            )
        )

    server.get_mount_points().add_factory("/test", factory)
    if server.attach(None) == 0:
        sys.exit(f"cannot listen on 127.0.0.1:{port}")
    bound = server.get_bound_port()

    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    # the parent going away closes our stdin: exit then too, so no server outlives its test
    if stat.S_ISFIFO(os.fstat(0).st_mode):
        GLib.io_add_watch(0, GLib.PRIORITY_DEFAULT, GLib.IO_HUP | GLib.IO_ERR | GLib.IO_IN, lambda *_: loop.quit() or False)
    print(f"READY {bound}", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
