# Command handling (docs/protocol.md, "Commands"): reassembles chunked writes per link, acts,
# and answers on the link the command came from. RESEND runs as a job (core/resend.py).
import json

from core import calib as calib_mod
from core import packets as P
from core.resend import ResendJob

_RATES_HZ = (50, 100, 125, 200)
_RAW_MIN_PAYLOAD = 24  # DATA_RAW header + one sample: ATT MTU 27
_ASSEMBLY_MAX_BYTES = 2048
_IDENTIFY_PULSE_MS = 300


class _Assembly:
    """Chunked command payload being collected for one link."""

    def __init__(self):
        self.cmd = -1
        self.token = -1
        self.next_chunk = 0
        self.data = bytearray()


class CommandHandler:
    """`poll()` drains both links' command queues; `handle(link, data)` for one write."""

    def __init__(self, app):
        self.app = app
        self._asm = {}
        self.resend = ResendJob(app)
        self.unknown = 0
        self._status_body = bytearray(P.STATUS_BODY_BYTES)

    def poll(self):
        app = self.app
        for link in (app.ble, app.serial):
            if link is None:
                continue
            if link is app.serial:
                link.poll()  # BLE was polled by the app (connection events first)
            while True:
                data = link.next_command()
                if data is None:
                    break
                self.handle(link, data)
        self.resend.step()

    def handle(self, link, data):
        parsed = P.parse_command(data)
        if parsed is None:
            return  # too short to carry cmd and token: nothing to answer to
        cmd, token, chunk, more, payload = parsed
        asm = self._asm.get(id(link))
        if more or chunk:
            if asm is None:
                asm = self._asm[id(link)] = _Assembly()
            if chunk == 0:
                asm.cmd, asm.token, asm.next_chunk, asm.data = cmd, token, 0, bytearray()
            if cmd != asm.cmd or token != asm.token or chunk != asm.next_chunk:
                asm.cmd = -1
                link.send_reply(cmd, token, P.S_BAD_LENGTH)
                return
            asm.data.extend(payload)
            asm.next_chunk += 1
            if len(asm.data) > _ASSEMBLY_MAX_BYTES:
                asm.cmd = -1
                link.send_reply(cmd, token, P.S_BAD_LENGTH)
                return
            if more:
                return
            payload = bytes(asm.data)
            asm.cmd = -1
        self.execute(link, cmd, token, bytes(payload))

    def execute(self, link, cmd, token, payload):
        app = self.app
        n = len(payload)

        def reply(status, body=b""):
            link.send_reply(cmd, token, status, body)

        if cmd == P.CMD_START or cmd == P.CMD_STOP or cmd == P.CMD_GET_INFO or cmd == P.CMD_GET_CALIB \
                or cmd == P.CMD_TARE or cmd == P.CMD_GET_STATUS:
            if n:
                return reply(P.S_BAD_LENGTH)
        if cmd == P.CMD_START:
            if not app.imu_ok:
                return reply(P.S_IMU_FAULT)
            app.start_stream()
            return reply(P.S_OK)
        if cmd == P.CMD_STOP:
            app.stop_stream()
            return reply(P.S_OK)
        if cmd == P.CMD_SET_RATE:
            if n != 1:
                return reply(P.S_BAD_LENGTH)
            rate = payload[0]
            if rate not in _RATES_HZ:
                return reply(P.S_BAD_ARG, payload)
            if app.streaming:
                return reply(P.S_BUSY, payload)  # seq slots are defined for one rate per stream
            try:
                app.imu.set_rate(rate)
            except Exception:  # IMUError or ValueError: report, keep the old rate
                return reply(P.S_IMU_FAULT, payload)
            app.set_period(rate)
            return reply(P.S_OK, payload)
        if cmd == P.CMD_SET_MODE:
            if n != 1:
                return reply(P.S_BAD_LENGTH)
            mode = payload[0]
            if mode not in (P.MODE_ROLL, P.MODE_RAW):
                return reply(P.S_BAD_ARG, payload)
            if mode == P.MODE_RAW and link is app.ble and link.payload_max < _RAW_MIN_PAYLOAD:
                return reply(P.S_MTU_TOO_SMALL, payload)
            app._close_packet()
            app.mode = mode
            return reply(P.S_OK, payload)
        if cmd == P.CMD_TARE:
            neutral = app.tare_mean_cdeg()
            if neutral is None:
                return reply(P.S_BUSY)
            app.neutral_cdeg = neutral
            app.haptic_logic.reset()
            body = bytearray(2)
            P.put_u16(body, 0, neutral & 0xFFFF)
            return reply(P.S_OK, body)
        if cmd == P.CMD_SET_HAPTIC:
            if n != 5:
                return reply(P.S_BAD_LENGTH)
            threshold = P.get_i16(payload, 1)
            debounce = P.get_u16(payload, 3)
            if payload[0] > 1 or threshold <= 0:
                return reply(P.S_BAD_ARG, payload)
            app.haptic_logic.configure(payload[0] == 1, threshold, debounce)
            return reply(P.S_OK, payload)
        if cmd == P.CMD_IDENTIFY:
            if n != 1:
                return reply(P.S_BAD_LENGTH)
            now = app.clock.ticks_ms()
            app.identify_until_ms = app.clock.ticks_add(now, payload[0] * 1000)
            app.set_led()
            if app.haptic is not None and app.power.haptic_allowed:
                app.haptic.pulse(now, _IDENTIFY_PULSE_MS)
            return reply(P.S_OK)
        if cmd == P.CMD_RESEND:
            if n != 6:
                return reply(P.S_BAD_LENGTH)
            return self.resend.start(link, token, P.get_u32(payload, 0), P.get_u16(payload, 4))
        if cmd == P.CMD_GET_INFO:
            return reply(P.S_OK, self.info_json().encode())
        if cmd == P.CMD_GET_CALIB:
            return reply(P.S_OK, json.dumps(app.calib.to_dict()).encode())
        if cmd == P.CMD_SET_CALIB:
            return self._set_calib(reply, payload)
        if cmd == P.CMD_GET_STATUS:
            app.encode_status(self._status_body, 1)
            return reply(P.S_OK, self._status_body)
        self.unknown += 1
        return reply(P.S_UNKNOWN_CMD)

    def info_json(self):
        app = self.app
        h = app.haptic_logic
        return json.dumps({
            "device_id": app.device_id, "fw": app.fw_version, "protocol": P.PROTOCOL_VERSION,
            "rate_hz": app.rate_hz, "mode": app.mode, "mount": app.mount.name,
            "calibrated": app.calib.calibrated, "calib_id": app.calib.calib_id, "mtu": app.payload_max() + 3,
            "haptic": {"enabled": h.enabled, "threshold_cdeg": h.threshold_cdeg, "debounce_ms": h.debounce_ms},
        })

    def _set_calib(self, reply, payload):
        app = self.app
        try:
            c = calib_mod.Calibration.from_dict(json.loads(payload))
        except ValueError as e:  # CalibError is a ValueError; bad JSON too
            return reply(getattr(e, "status", P.S_BAD_ARG))
        from core.mount import Mount

        old_calib, old_mount = app.calib, app.mount
        try:
            # a file without a mount means the configured one (as at the next boot)
            mount = Mount(c.mount) if c.mount else Mount(app.cfg["mount"])
            app.apply_calibration(c, mount)
        except ValueError:  # MountError, or gains the fixed-point transform cannot hold
            return reply(P.S_BAD_ARG)
        try:
            calib_mod.save(app.fs_root + "/" + calib_mod.CALIB_FILE, c)
        except calib_mod.CalibError:
            app.apply_calibration(old_calib, old_mount)  # what the flash holds stays in force
            return reply(P.S_STORAGE_ERROR)
        # the running gyro bias was learnt on data corrected by the old calibration: with the new
        # one (its own gyro_bias_dps, mount, align) it would be wrong, so it is learnt afresh
        app.fusion.reset(keep_bias=False)
        return reply(P.S_OK)
