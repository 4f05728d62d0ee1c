# The App through IMU faults on a simulated walk: the device's roll and its FUSION_INIT flag, one
# sample per line, for a comparison with the same walk without faults.
#   t_fusion_fault.py CHIP_STREAM FS_ROOT SECONDS [FAULT_START_S FAULT_END_S ...]
import errno
import sys

from core import packets as P
from rig import Rig, out

chip_path, fs_root, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
faults = [(float(a), float(b)) for a, b in zip(sys.argv[4::2], sys.argv[5::2])]
rig = Rig(fs_root=fs_root)
rig.chip._open(chip_path)
if faults:
    windows = [(int(a * 1e6), int(b * 1e6)) for a, b in faults]
    rig.bus.fail_windows(rig.clock, windows, errno.ENODEV, on_end=rig.chip.power_on_reset)
app = rig.app
t_ms, roll, init = [], [], []
end_us = int(seconds * 1e6)
while rig.clock.now_us() < end_us:
    n = app.samples
    app.step()
    if app.samples != n:
        t_ms.append(rig.clock.now_us() // 1000)
        roll.append(app.roll_cdeg)
        init.append(1 if app.flags() & P.F_FUSION_INIT else 0)
out("t_ms", t_ms)
out("roll_cdeg", roll)
out("init", init)
