# Command handling (docs/protocol.md, "Commands"): reassembles chunked writes per link, acts,
# and answers on the link the command came from. RESEND runs as a job (core/resend.py).
import json

from core import auth
from core import calib as calib_mod
from core import packets as P
from core.resend import ResendJob

_RATES_HZ = (50, 100, 125, 200)
_RAW_MIN_PAYLOAD = 24  # DATA_RAW header + one sample: ATT MTU 27
_ASSEMBLY_MAX_BYTES = 2048
_IDENTIFY_PULSE_MS = 300
_IDENTIFY_MAX_S = 30  # long enough to find the belt in a room; 255 s of blinking was a nuisance
# Cue threshold: below 2 deg the cue fires on the measurement's own error (a single lower-back
# IMU reads frontal-plane pelvic angle within 2.7-4.5 deg RMS, Bolink et al. 2016) and on every
# normal step (3-5 deg of drop at the peak, docs: domain primer); above 30 deg it never fires.
_HAPTIC_MIN_CDEG = 200
_HAPTIC_MAX_CDEG = 3000
_HAPTIC_MAX_DEBOUNCE_MS = 5000
# Commands handled per loop iteration (all links together): a flood of writes then waits in the
# links' queues (and the BLE queue drops what does not fit) while every iteration still takes its
# sample first.
COMMANDS_PER_STEP = 2


class _Assembly:
    """Chunked command payload being collected for one link."""

    def __init__(self):
        self.cmd = -1
        self.token = -1
        self.next_chunk = 0
        self.data = bytearray()


class CommandHandler:
    """`poll()` takes up to COMMANDS_PER_STEP writes from the links' queues (the links take turns
    first); `handle(link, data)` for one write. `unknown` counts unknown commands, `errors`
    commands that raised (each answered BAD_ARG; the loop goes on)."""

    def __init__(self, app):
        self.app = app
        self._asm = {}
        self.resend = ResendJob(app)
        self.unknown = 0
        self.errors = 0
        self._turn = 0
        self._status_body = bytearray(P.STATUS_BODY_BYTES)

    def poll(self):
        app = self.app
        serial = app.serial
        if serial is not None:
            serial.poll()  # BLE was polled by the app (connection events first)
        first, second = (app.ble, serial) if self._turn else (serial, app.ble)
        self._turn ^= 1
        budget = COMMANDS_PER_STEP
        while budget:
            data = first.next_command() if first is not None else None
            if data is not None:
                budget -= 1
                self.handle(first, data)
            data2 = second.next_command() if second is not None and budget else None
            if data2 is not None:
                budget -= 1
                self.handle(second, data2)
            if data is None and data2 is None:
                break
        if self.resend.active:
            try:
                self.resend.step()
            except Exception:  # noqa: BLE001 - a failing resend ends, sampling goes on
                self.errors += 1
                self.resend.cancel()

    def handle(self, link, data):
        """One command write from `link`: assembled, executed, answered on `link`."""
        self.app.arm_watchdog()
        try:
            self._handle(link, data)
        except Exception:  # noqa: BLE001 - any bad input or bug: one error reply, never a dead belt
            self.errors += 1
            if len(data) >= P.COMMAND_HEADER_BYTES:
                link.send_reply(data[0] & 0x7F, data[1], P.S_BAD_ARG)

    def _handle(self, link, data):
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
                link.send_reply(cmd & 0x7F, token, P.S_BAD_LENGTH)
                return
            asm.data.extend(payload)
            asm.next_chunk += 1
            if len(asm.data) > _ASSEMBLY_MAX_BYTES:
                asm.cmd = -1
                link.send_reply(cmd & 0x7F, token, P.S_BAD_LENGTH)
                return
            if more:
                return
            payload = bytes(asm.data)
            asm.cmd = -1
        app = self.app
        code, payload, refusal = app.access.admit(link, cmd, bytes(payload))
        if refusal is not None:
            link.send_reply(code, token, refusal)
            if not link.trusted and link.session.failures >= auth.MAX_FAILURES:
                app.drop_ble()  # someone is guessing: hang up (advertising resumes)
            return
        self.execute(link, code, token, payload)

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
            if payload[0] > 1 or not _HAPTIC_MIN_CDEG <= threshold <= _HAPTIC_MAX_CDEG \
                    or debounce > _HAPTIC_MAX_DEBOUNCE_MS:
                return reply(P.S_BAD_ARG, payload)
            app.haptic_logic.configure(payload[0] == 1, threshold, debounce)
            return reply(P.S_OK, payload)
        if cmd == P.CMD_IDENTIFY:
            if n != 1:
                return reply(P.S_BAD_LENGTH)
            if payload[0] > _IDENTIFY_MAX_S:
                return reply(P.S_BAD_ARG, payload)
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
        if cmd == P.CMD_AUTH_BEGIN:
            if n:
                return reply(P.S_BAD_LENGTH)
            return reply(*app.access.begin(link))
        if cmd == P.CMD_AUTH_PROVE:
            status, body = app.access.prove(link, payload)
            reply(status, body)
            if status == P.S_OK:
                app.on_authenticated(link)
            elif not link.trusted and link.session.failures >= auth.MAX_FAILURES:
                app.drop_ble()
            return
        if cmd == P.CMD_SET_KEY:
            if n not in (0, auth.KEY_BYTES):
                return reply(P.S_BAD_LENGTH)
            try:
                app.set_device_key(payload if n else None)
            except OSError:
                return reply(P.S_STORAGE_ERROR)
            return reply(P.S_OK, app.access.key_id or b"")
        self.unknown += 1
        return reply(P.S_UNKNOWN_CMD)

    def info_json(self):
        app = self.app
        h = app.haptic_logic
        return json.dumps({
            "device_id": app.device_id, "fw": app.fw_version, "protocol": P.PROTOCOL_VERSION,
            "rate_hz": app.rate_hz, "mode": app.mode, "mount": app.mount.name,
            "calibrated": app.calib.calibrated, "calib_id": app.calib.calib_id, "calib_pending": app.calib_file.pending,
            "mtu": app.payload_max() + 3,
            "haptic": {"enabled": h.enabled, "threshold_cdeg": h.threshold_cdeg, "debounce_ms": h.debounce_ms},
            "security": app.security_info(),
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
            # on flash now, or (after a recent write) within the file's interval: see flashfile.py
            app.calib_file.put(json.dumps(c.to_dict()))
        except OSError:
            app.apply_calibration(old_calib, old_mount)  # what the flash holds stays in force
            return reply(P.S_STORAGE_ERROR)
        # the running gyro bias was learnt on data corrected by the old calibration: with the new
        # one (its own gyro_bias_dps, mount, align) it would be wrong, so it is learnt afresh
        app.fusion.reset(keep_bias=False)
        return reply(P.S_OK)
