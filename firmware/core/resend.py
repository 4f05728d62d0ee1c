# RESEND (docs/protocol.md): a job stepped from the main loop, a few packets per step, so a long
# resend never starves sampling or floods the BLE stack's buffers.
from core import packets as P

_PACKETS_PER_STEP = 4


class ResendJob:
    """At most one resend at a time (a new RESEND replaces the running one)."""

    def __init__(self, app):
        self.app = app
        self._job = None  # [link, next_seq, end_seq, token, first_seq, count]
        self.active = False  # a job is running (an attribute: the loop checks it every iteration)
        self._rw = P.PacketWriter()

    def cancel(self):
        self._job = None
        self.active = False

    def start(self, link, token, from_seq, count):
        """Begin answering RESEND (from_seq, count) on `link`; replies at once when nothing is held."""
        ring = self.app.ring
        end = from_seq + count  # exclusive
        # only what the ring can hold is scanned: a request far outside it (a tail request from
        # the newest slot on, a stale or hostile one) costs nothing and never stalls the loop
        first = max(from_seq, ring.oldest())
        end = min(end, ring.newest + 1)
        while first < end and ring.slot(first) < 0:
            first += 1
        if count == 0 or first >= end:
            link.send_reply(P.CMD_RESEND, token, P.S_NOT_AVAILABLE, self._resend_body(from_seq, 0))
            return
        if link is self.app.ble and link.payload_max < self._sample_bytes() + P.HEADER_BYTES:
            link.send_reply(P.CMD_RESEND, token, P.S_MTU_TOO_SMALL, self._resend_body(first, 0))
            return
        self._job = [link, first, end, token, first, 0]
        self.active = True

    def _sample_bytes(self):
        return P.RAW_SAMPLE_BYTES if self.app.mode == P.MODE_RAW else P.ROLL_SAMPLE_BYTES

    @staticmethod
    def _resend_body(first, count):
        body = bytearray(6)
        P.put_u32(body, 0, first)
        P.put_u16(body, 4, count)
        return body

    def step(self):
        """Send up to a few packets of the running job (from the main loop)."""
        job = self._job
        if job is None:
            return
        link, seq, end = job[0], job[1], job[2]
        app = self.app
        ring = app.ring
        raw = app.mode == P.MODE_RAW
        # resent samples are not latency bound: fill the packet (still <= 255 samples)
        per = min(P.MAX_SAMPLES_PER_PACKET, (link.payload_max - P.HEADER_BYTES) // self._sample_bytes())
        buf = self._rw
        for _ in range(_PACKETS_PER_STEP):
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
            self._job = None
            self.active = False
            link.send_reply(P.CMD_RESEND, job[3], P.S_OK if job[5] else P.S_NOT_AVAILABLE,
                            self._resend_body(job[4], job[5]))

