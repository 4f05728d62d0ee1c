# The sample stream, a part of the App (app.py: `class App(SampleStream)`): each data-ready sample is
# read, calibrated, fused and put in the ring and in DATA packets; STATUS packets; START/STOP; the
# tare window. It works on the App's objects (imu, xform, fusion, ring, writer, the links, power).
from array import array

from micropython import const

from core import packets as P
from drivers.mpu6050 import IMUError

_HAPTIC_PULSE_MS = const(200)
_TARE_WINDOW = const(200)  # 1 s at the highest rate


class SampleStream:
    """The App's sample path and stream control (not made alone: App.__init__ builds its parts)."""

    def _init_sample_stream(self):
        # body-frame sample (quarter counts) and the tare window, allocated once
        self._q = [0] * 6
        self._tare = array("h", [0] * _TARE_WINDOW)
        self._tare_i = 0
        self._tare_n = 0
        self._pkt_open = False
        self._pkt_last_seq = -1
        self._last_stamp = 0
        self._have_last = False
        self.roll_cdeg = 0
        self.pitch_cdeg = 0
        self.raw_wire = [0] * 6
        self.temp_cdegc = 0

    # --- sample path -------------------------------------------------------------------------
    def _sample(self, stamp):
        period = self.period_us
        slots = 1
        if self._have_last:
            slots = (self.clock.ticks_diff(stamp, self._last_stamp) + period // 2) // period
            if slots < 1:
                slots = 1
        self._last_stamp = stamp
        self._watch_stamp = stamp
        self._have_last = True
        wraps = self.ticks.extend(stamp)
        imu = self.imu
        try:
            imu.read_raw()
        except IMUError as e:
            self._imu_fault(e)
            if self.streaming:
                self.seq += slots  # the slot exists, its sample does not
                self._close_packet()
            return
        # calibration, mount and alignment in integers; floats only where the fusion needs them
        q = self._q
        xf = self.xform
        xf.apply(imu.raw, q)
        ka = xf.accel_g_per_q
        kg = xf.gyro_dps_per_q
        fu = self.fusion
        fu.update(q[0] * ka, q[1] * ka, q[2] * ka, q[3] * kg, q[4] * kg, q[5] * kg,
                  self._dt1_s if slots == 1 else slots * period / 1000000)
        roll = int(fu.roll_deg * 100)
        pitch = int(fu.pitch_deg * 100)
        self.roll_cdeg = roll
        self.pitch_cdeg = pitch
        self.temp_cdegc = imu.temp_cdegc()
        self.samples += 1
        self._tare[self._tare_i] = roll
        self._tare_i = (self._tare_i + 1) % _TARE_WINDOW
        if self._tare_n < _TARE_WINDOW:
            self._tare_n += 1
        if self.haptic_logic.update(roll, self.neutral_cdeg, slots * period) and self.haptic is not None \
                and self.power.haptic_allowed:
            self.haptic.pulse(self.clock.ticks_ms(), _HAPTIC_PULSE_MS)
        if not self.streaming:
            return
        seq = self.seq + slots
        self.seq = seq
        # DATA_RAW: the static calibration only; the fusion's running bias never enters it
        w = self.raw_wire
        n, d = self._aw_num, self._aw_den
        h = d >> 1
        w[0] = (q[0] * n + h) // d
        w[1] = (q[1] * n + h) // d
        w[2] = (q[2] * n + h) // d
        n, d = self._gw_num, self._gw_den
        h = d >> 1
        w[3] = (q[3] * n + h) // d
        w[4] = (q[4] * n + h) // d
        w[5] = (q[5] * n + h) // d
        self.ring.put(seq, wraps, stamp, roll, pitch, w[0], w[1], w[2], w[3], w[4], w[5])
        self._add_to_packet(seq, wraps, stamp, imu.saturated)

    def _add_to_packet(self, seq, wraps, stamp, saturated):
        wr = self.writer
        if self._pkt_open and seq != self._pkt_last_seq + 1:
            self._close_packet()  # a gap: samples in one packet are evenly spaced
        raw = self.mode == P.MODE_RAW
        if not self._pkt_open:
            wr.begin(P.T_DATA_RAW if raw else P.T_DATA_ROLL, self.flags(), self.rate_hz, seq, wraps, stamp)
            self._fault_flag = 0
            self._pkt_open = True
        else:
            wr.add_flags(self.flags())
        if saturated:
            wr.add_flags(P.F_SATURATED)
        if raw:
            w = self.raw_wire
            wr.add_raw(w[0], w[1], w[2], w[3], w[4], w[5])
        else:
            wr.add_roll(self.roll_cdeg, self.pitch_cdeg)
        self._pkt_last_seq = seq
        size = P.RAW_SAMPLE_BYTES if raw else P.ROLL_SAMPLE_BYTES
        if wr.count >= P.samples_per_packet(self.payload_max(), size, self.rate_hz):
            self._close_packet()

    def _close_packet(self):
        if not self._pkt_open:
            return
        self._pkt_open = False
        link = self.data_link()
        if link is None or self.writer.n > link.payload_max:
            return  # kept in the ring for RESEND
        if link.send_data(self.writer.finish()):
            self.sent_packets += 1
            self.ring.mark_sent(self._pkt_last_seq)

    def send_status(self):
        """STATUS packet on the data link (skipped when it does not fit one notification)."""
        link = self.data_link()
        if link is None or len(self.status_buf) > link.payload_max:
            return False
        wraps = self.ticks.extend(self.clock.ticks_us())
        n = self.encode_status(self.status_buf, 0, wraps)
        return link.send_data(memoryview(self.status_buf)[:n])

    def encode_status(self, buf, body_only, wraps=0):
        bat = self.battery
        pct = bat.pct if bat is not None else 255
        mv = bat.mv if bat is not None else 0
        mode = self.mode if self.streaming else P.MODE_STOPPED
        args = (pct, mode, mv, self.temp_cdegc, self.neutral_cdeg, self.imu_errors,
                self.ring.overwritten_unsent, self.payload_max())
        if body_only:
            return P.encode_status_body(buf, 0, *args)
        t = self.clock.ticks_us()
        return P.encode_status(buf, self.flags(), self.rate_hz, self.seq + 1, wraps, t, *args)

    # --- stream control (used by commands) ----------------------------------------------------
    def start_stream(self):
        self._pkt_open = False
        self.ring.clear()
        self.seq = -1
        self.streaming = True

    def stop_stream(self):
        self._close_packet()
        self.streaming = False

    def tare_mean_cdeg(self):
        """Mean roll of the last second, or None when the device is not still."""
        n = min(self._tare_n, self.rate_hz)
        if n < self.rate_hz or not self.fusion.still or self.fusion.initialising:
            return None
        total = 0
        for k in range(1, n + 1):
            total += self._tare[(self._tare_i - k) % _TARE_WINDOW]
        return (total + n // 2) // n if total >= 0 else -((-total + n // 2) // n)
