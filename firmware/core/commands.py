# Command handling (docs/protocol.md, "Commands"): reassembles chunked writes per link, acts,
# and answers on the link the command came from. RESEND is a job stepped from the main loop so
# a long resend never starves sampling or floods the BLE stack's buffers.
import json

from core import calib as calib_mod
from core import packets as P

_RATES_HZ = (50, 100, 125, 200)
_RAW_MIN_PAYLOAD = 24  # DATA_RAW header + one sample: ATT MTU 27
_RESEND_PACKETS_PER_STEP = 4
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
        self._resend = None  # [link, next_seq, end_seq, token, first_seq, count]
        self.unknown = 0
        self._status_body = bytearray(P.STATUS_BODY_BYTES)
        self._rw = P.PacketWriter()

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
        if self._resend is not None:
            self._step_resend()

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
            return self._start_resend(link, token, P.get_u32(payload, 0), P.get_u16(payload, 4))
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

    # --- RESEND ---------------------------------------------------------------------------
    def _start_resend(self, link, token, from_seq, count):
        ring = self.app.ring
        end = from_seq + count  # exclusive
        first = from_seq
        while first < end and ring.slot(first) < 0:
            first += 1
        if count == 0 or first >= end:
            link.send_reply(P.CMD_RESEND, token, P.S_NOT_AVAILABLE, self._resend_body(from_seq, 0))
            return
        if link is self.app.ble and link.payload_max < self._sample_bytes() + P.HEADER_BYTES:
            link.send_reply(P.CMD_RESEND, token, P.S_MTU_TOO_SMALL, self._resend_body(first, 0))
            return
        self._resend = [link, first, end, token, first, 0]

    def _sample_bytes(self):
        return P.RAW_SAMPLE_BYTES if self.app.mode == P.MODE_RAW else P.ROLL_SAMPLE_BYTES

    @staticmethod
    def _resend_body(first, count):
        body = bytearray(6)
        P.put_u32(body, 0, first)
        P.put_u16(body, 4, count)
        return body

    def _step_resend(self):
        job = self._resend
        link, seq, end = job[0], job[1], job[2]
        app = self.app
        ring = app.ring
        raw = app.mode == P.MODE_RAW
        # resent samples are not latency bound: fill the packet (still <= 255 samples)
        per = min(P.MAX_SAMPLES_PER_PACKET, (link.payload_max - P.HEADER_BYTES) // self._sample_bytes())
        buf = self._rw
        for _ in range(_RESEND_PACKETS_PER_STEP):
            while seq < end and ring.slot(seq) < 0:
                seq += 1  # overwritten or never read: stays a gap
            if seq >= end:
                break
            start = seq
            i = ring.slot(seq)
            buf.begin(P.T_DATA_RAW if raw else P.T_DATA_ROLL, P.F_RESENT | (P.F_CALIBRATED if app.calib.calibrated else 0),
                      app.rate_hz, seq, ring.t_wraps(i), ring.t_ticks(i))
            while buf.count < per and seq < end:
                i = ring.slot(seq)
                if i < 0:
                    break
                if raw:
                    buf.add_raw(ring.value(i, 2), ring.value(i, 3), ring.value(i, 4),
                                ring.value(i, 5), ring.value(i, 6), ring.value(i, 7))
                else:
                    buf.add_roll(ring.value(i, 0), ring.value(i, 1))
                seq += 1
            if not link.send_data(buf.finish()):
                seq = start  # stack busy or link gone: retry this packet on the next step
                break
            job[5] += buf.count
        job[1] = seq
        if seq >= end or (link is app.ble and not link.connected):
            self._resend = None
            link.send_reply(P.CMD_RESEND, job[3], P.S_OK if job[5] else P.S_NOT_AVAILABLE,
                            self._resend_body(job[4], job[5]))

