#!/usr/bin/python3
"""A real ONVIF backchannel talker: GStreamer's rtspsrc with backchannel=onvif, for talk tests.

    /usr/bin/python3 tools/onvif-backchannel-client.py <rtsp-url> [--tone HZ] [--seconds N]
                                                         [--record FILE] [--no-require]

rtspsrc DESCRIBEs with "Require: www.onvif.org/ver20/backchannel", sets up every stream over TCP
interleaved and PLAYs. On the a=sendonly audio section (the backchannel) it sends a sine of --tone
Hz (default 1000), encoded as the SDP asks (L16, PCMU, PCMA or MPEG4-GENERIC AAC, mono, at the
section's clock rate). What the other audio section brings (the device's microphone) is decoded to
S16LE 8 kHz mono and, with --record, appended to FILE.

With --no-require it is a plain rtspsrc (no backchannel, no Require header).
Prints on stdout: "STREAM <idx> <caps>" per SDP section, "BACKCHANNEL <idx>", "PLAYING",
"HEARD <samples>" (at most every 100 ms), "SENT <packets>" (every 50 packets), "DONE" after
--seconds; on an RTSP error "ERROR <message> | <debug detail>" and exit status 1.
"""
import argparse
import ctypes
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

OUT_RATE = 8000

# rtspsrc's push-backchannel-sample takes ownership of the sample it is given, and PyGObject drops
# its own reference too: give the sample one more reference first, or it is freed twice.
_libgst = ctypes.CDLL("libgstreamer-1.0.so.0")
_libgst.gst_mini_object_ref.argtypes = [ctypes.c_void_p]
_libgst.gst_mini_object_ref.restype = ctypes.c_void_p


def extra_ref(boxed) -> None:
    # a PyGBoxed is PyObject_HEAD followed by the boxed pointer
    pointer = ctypes.c_void_p.from_address(id(boxed) + ctypes.sizeof(ctypes.c_ssize_t) + ctypes.sizeof(ctypes.c_void_p)).value
    _libgst.gst_mini_object_ref(pointer)


def aac_encoder() -> str:
    for name in ("avenc_aac", "voaacenc", "fdkaacenc"):
        if Gst.ElementFactory.find(name):
            return name
    sys.exit("no AAC encoder (avenc_aac/voaacenc)")


def sender_line(s: Gst.Structure, tone: int) -> str:
    """The pipeline producing RTP for the backchannel section `s` (application/x-rtp caps)."""
    name = s.get_string("encoding-name").upper()
    ok, rate = s.get_int("clock-rate")
    ok_pt, pt = s.get_int("payload")
    src = f"audiotestsrc is-live=true wave=sine freq={tone} volume=0.5 samplesperbuffer={rate // 50}"
    if name == "PCMU":
        chain = f"audio/x-raw,rate={rate},channels=1 ! mulawenc ! rtppcmupay pt={pt}"
    elif name == "PCMA":
        chain = f"audio/x-raw,rate={rate},channels=1 ! alawenc ! rtppcmapay pt={pt}"
    elif name == "L16":
        chain = f"audioconvert ! audio/x-raw,format=S16BE,rate={rate},channels=1 ! rtpL16pay pt={pt}"
    elif name == "MPEG4-GENERIC":
        chain = f"audio/x-raw,rate={rate},channels=1 ! {aac_encoder()} ! aacparse ! rtpmp4gpay pt={pt}"
    else:
        sys.exit(f"backchannel codec {name} is not supported by this client")
    return f"{src} ! audioconvert ! audioresample ! {chain} ! appsink name=out emit-signals=true sync=false"


def receiver_line(s: Gst.Structure) -> str:
    name = s.get_string("encoding-name").upper()
    depay = {
        "PCMU": "rtppcmudepay ! mulawdec",
        "PCMA": "rtppcmadepay ! alawdec",
        "L16": "rtpL16depay",
        "MPEG4-GENERIC": "rtpmp4gdepay ! avdec_aac",
    }.get(name)
    if depay is None:
        return "fakesink async=false"
    return (
        f"{depay} ! audioconvert ! audioresample ! audio/x-raw,format=S16LE,rate={OUT_RATE},channels=1 "
        "! appsink name=heard emit-signals=true sync=false async=false"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("url")
    p.add_argument("--tone", type=int, default=1000)
    p.add_argument("--seconds", type=float, default=0)
    p.add_argument("--record", default=None)
    p.add_argument("--no-require", action="store_true")
    args = p.parse_args()

    Gst.init(None)
    loop = GLib.MainLoop()
    pipeline = Gst.Pipeline.new("talker")
    src = Gst.ElementFactory.make("rtspsrc", "src")
    src.set_property("location", args.url)
    src.set_property("protocols", "tcp")
    src.set_property("latency", 100)
    if not args.no_require:
        src.set_property("backchannel", "onvif")
    pipeline.add(src)

    state = {"backchannel": None, "sent": 0, "heard": 0, "last_heard": 0, "status": 0}
    record = open(args.record, "ab", buffering=0) if args.record else None
    senders = []

    def on_sender_sample(sink):
        sample = sink.emit("pull-sample")
        if sample is None or state["backchannel"] is None:
            return Gst.FlowReturn.OK
        extra_ref(sample)
        src.emit("push-backchannel-sample", state["backchannel"], sample)
        state["sent"] += 1
        if state["sent"] % 50 == 0:
            print(f"SENT {state['sent']}", flush=True)
        return Gst.FlowReturn.OK

    def on_heard(sink):
        sample = sink.emit("pull-sample")
        if sample is None:
            return Gst.FlowReturn.OK
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        if ok:
            data = bytes(info.data)
            buf.unmap(info)
            if record:
                record.write(data)
            state["heard"] += len(data) // 2
            if state["heard"] - state["last_heard"] >= OUT_RATE // 10:
                state["last_heard"] = state["heard"]
                print(f"HEARD {state['heard']}", flush=True)
        return Gst.FlowReturn.OK

    def start_sender(caps_str: str):
        s = Gst.Caps.from_string(caps_str).get_structure(0)
        sender = Gst.parse_launch(sender_line(s, args.tone))
        out = sender.get_by_name("out")
        out.connect("new-sample", on_sender_sample)
        sender.set_state(Gst.State.PLAYING)
        senders.append(sender)
        return False

    def on_select_stream(_src, idx, caps):
        caps_str = caps.to_string()
        print(f"STREAM {idx} {caps_str}", flush=True)
        s = caps.get_structure(0)
        if s.has_field("a-sendonly"):
            state["backchannel"] = idx
            print(f"BACKCHANNEL {idx}", flush=True)
            GLib.idle_add(start_sender, caps_str)
        return True

    def on_pad_added(_src, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        s = caps.get_structure(0)
        if s.get_string("media") != "audio":
            sink = Gst.ElementFactory.make("fakesink")
            pipeline.add(sink)
            sink.sync_state_with_parent()
            pad.link(sink.get_static_pad("sink"))
            return
        bin_ = Gst.parse_bin_from_description(receiver_line(s), True)
        pipeline.add(bin_)
        heard = bin_.get_by_name("heard")
        if heard is not None:
            heard.connect("new-sample", on_heard)
        bin_.sync_state_with_parent()
        pad.link(bin_.get_static_pad("sink"))

    src.connect("select-stream", on_select_stream)
    src.connect("pad-added", on_pad_added)

    def on_message(_bus, msg):
        t = msg.type
        if t == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            print(f"ERROR {err.message} | {(dbg or '').splitlines()[-1] if dbg else ''}", flush=True)
            state["status"] = 1
            loop.quit()
        elif t == Gst.MessageType.EOS:
            loop.quit()
        elif t == Gst.MessageType.STATE_CHANGED and msg.src == pipeline:
            _old, new, _pending = msg.parse_state_changed()
            if new == Gst.State.PLAYING:
                print("PLAYING", flush=True)

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)

    def finish():
        print("DONE", flush=True)
        loop.quit()
        return False

    if args.seconds > 0:
        GLib.timeout_add(int(args.seconds * 1000), finish)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, 15, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, 2, loop.quit)

    pipeline.set_state(Gst.State.PLAYING)
    loop.run()
    for s in senders:
        s.set_state(Gst.State.NULL)
    pipeline.set_state(Gst.State.NULL)
    sys.exit(state["status"])


if __name__ == "__main__":
    main()
