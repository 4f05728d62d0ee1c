# Serial link resync byte: after the line was idle (> 100 ms) a frame starts with an extra 0x00,
# so a host decoder that joined during the silence (it drops bytes up to the first 0x00) decodes
# that very frame. While frames follow each other closely, no extra byte is sent.
import sys

from core import packets as P
from rig import Rig as _Rig, out

fs_root = sys.argv[2] if len(sys.argv) > 2 else "/tmp"
rig = _Rig(ble=False, fs_root=fs_root)
fr = P.Framer()


def command(cmd, token):
    rig.uart_state.feed(bytes(fr.frame(P.CH_COMMAND, P.encode_command(cmd, token))))


rig.app.run(max_ms=500)
rig.uart_state.take()
command(P.CMD_GET_STATUS, 1)  # first frame ever: the line was idle since boot
rig.app.run(max_ms=50)
out("first_reply", rig.uart_state.take().hex())
command(P.CMD_GET_STATUS, 2)  # 50 ms later: not idle
rig.app.run(max_ms=300)
out("close_reply", rig.uart_state.take().hex())
command(P.CMD_START, 3)  # 300 ms of silence, then the reply and a stream of data frames
rig.app.run(max_ms=1000)
out("stream", rig.uart_state.take().hex())
