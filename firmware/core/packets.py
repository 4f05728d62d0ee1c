# Wire format, docs/protocol.md (version 1): packet and reply encoders, command parsing, and the
# serial framing (COBS + CRC-16/CCITT-FALSE). Little-endian. Encoders write into buffers the
# caller allocated once; nothing here allocates per sample.
try:
    from micropython import const
except ImportError:  # CPython (host tests import the core)

    def const(x):
        return x


PROTOCOL_VERSION = const(1)
T_DATA_ROLL = const(0x1)
T_DATA_RAW = const(0x2)
T_STATUS = const(0x3)
T_REPLY = const(0x4)
HEADER_BYTES = const(12)
ROLL_SAMPLE_BYTES = const(4)
RAW_SAMPLE_BYTES = const(12)
STATUS_BODY_BYTES = const(14)
REPLY_HEADER_BYTES = const(5)
COMMAND_HEADER_BYTES = const(3)
MAX_SAMPLES_PER_PACKET = const(255)
MAX_BATCH_MS = const(50)
SERIAL_MAX_PACKET_BYTES = const(509)  # 512-byte frame body minus channel and CRC

# flags (every DATA and STATUS packet)
F_RESENT = const(0x01)
F_STILL = const(0x02)
F_IMU_FAULT = const(0x04)
F_CALIBRATED = const(0x08)
F_HAPTIC = const(0x10)
F_LOW_BATTERY = const(0x20)
F_SATURATED = const(0x40)
F_FUSION_INIT = const(0x80)

# stream modes
MODE_STOPPED = const(0)
MODE_ROLL = const(1)
MODE_RAW = const(2)

# commands
CMD_START = const(0x01)
CMD_STOP = const(0x02)
CMD_SET_RATE = const(0x03)
CMD_SET_MODE = const(0x04)
CMD_TARE = const(0x05)
CMD_SET_HAPTIC = const(0x06)
CMD_IDENTIFY = const(0x07)
CMD_RESEND = const(0x08)
CMD_GET_INFO = const(0x09)
CMD_GET_CALIB = const(0x0A)
CMD_SET_CALIB = const(0x0B)
CMD_GET_STATUS = const(0x0C)
CMD_AUTH_BEGIN = const(0x0D)
CMD_AUTH_PROVE = const(0x0E)
CMD_SET_KEY = const(0x0F)
CMD_SIGNED = const(0x80)  # bit 7 of `cmd`: the payload starts with counter and tag (core/auth.py)

# reply status
S_OK = const(0)
S_UNKNOWN_CMD = const(1)
S_BAD_ARG = const(2)
S_BAD_LENGTH = const(3)
S_BUSY = const(4)
S_MTU_TOO_SMALL = const(5)
S_IMU_FAULT = const(6)
S_STORAGE_ERROR = const(7)
S_NOT_AVAILABLE = const(8)
S_BAD_VERSION = const(9)
S_AUTH_REQUIRED = const(10)
S_AUTH_FAILED = const(11)
S_USB_ONLY = const(12)

# serial channels
CH_DATA = const(1)
CH_REPLY = const(2)
CH_COMMAND = const(3)

ACCEL_LSB_PER_G = const(4096)  # DATA_RAW accel scale
GYRO_LSB_PER_DPS = const(32)  # DATA_RAW gyro scale


def put_u16(buf, off, v):
    buf[off] = v & 0xFF
    buf[off + 1] = (v >> 8) & 0xFF


def put_u32(buf, off, v):
    buf[off] = v & 0xFF
    buf[off + 1] = (v >> 8) & 0xFF
    buf[off + 2] = (v >> 16) & 0xFF
    buf[off + 3] = (v >> 24) & 0xFF


def put_time(buf, off, wraps, ticks30):
    """u32 device time from (number of 2^30 tick wraps, 30-bit ticks) without a big int."""
    buf[off] = ticks30 & 0xFF
    buf[off + 1] = (ticks30 >> 8) & 0xFF
    buf[off + 2] = (ticks30 >> 16) & 0xFF
    buf[off + 3] = ((ticks30 >> 24) & 0x3F) | ((wraps & 3) << 6)


def get_u16(buf, off):
    return buf[off] | (buf[off + 1] << 8)


def get_i16(buf, off):
    v = buf[off] | (buf[off + 1] << 8)
    return v - 0x10000 if v & 0x8000 else v


def get_u32(buf, off):
    return buf[off] | (buf[off + 1] << 8) | (buf[off + 2] << 16) | (buf[off + 3] << 24)


def sat_i16(v):
    """Clamp to int16; returns (value, saturated)."""
    if v > 32767:
        return 32767, True
    if v < -32768:
        return -32768, True
    return v, False


def put_i16_sat(buf, off, v):
    """int16 LE at buf[off], clamped; returns 1 when clamped, else 0 (no tuple: per sample)."""
    sat = 0
    if v > 32767:
        v = 32767
        sat = 1
    elif v < -32768:
        v = -32768
        sat = 1
    buf[off] = v & 0xFF
    buf[off + 1] = (v >> 8) & 0xFF
    return sat


def samples_per_packet(payload_max, sample_bytes, rate_hz):
    """Batch size: what fits in payload_max, capped at 255 samples and 50 ms of data."""
    n = (payload_max - HEADER_BYTES) // sample_bytes
    cap = rate_hz * MAX_BATCH_MS // 1000
    if n > cap:
        n = cap
    if n > MAX_SAMPLES_PER_PACKET:
        n = MAX_SAMPLES_PER_PACKET
    return n if n > 0 else 0


def write_header(buf, ptype, flags, count, rate_hz, seq, t_wraps, t_ticks):
    buf[0] = (PROTOCOL_VERSION << 4) | ptype
    buf[1] = flags & 0xFF
    buf[2] = count
    buf[3] = rate_hz
    put_u32(buf, 4, seq)
    put_time(buf, 8, t_wraps, t_ticks)


class PacketWriter:
    """Builds one DATA packet at a time in a buffer allocated once."""

    def __init__(self, max_bytes=SERIAL_MAX_PACKET_BYTES):
        self.buf = bytearray(max_bytes)
        self.mv = memoryview(self.buf)
        self.count = 0
        self.n = 0
        self.ptype = T_DATA_ROLL

    def begin(self, ptype, flags, rate_hz, seq, t_wraps, t_ticks):
        write_header(self.buf, ptype, flags, 0, rate_hz, seq, t_wraps, t_ticks)
        self.ptype = ptype
        self.count = 0
        self.n = HEADER_BYTES

    def add_flags(self, flags):
        self.buf[1] |= flags

    def add_roll(self, roll_cdeg, pitch_cdeg):
        """Append one DATA_ROLL sample (centidegrees); sets SATURATED if clamped."""
        b = self.buf
        n = self.n
        if put_i16_sat(b, n, roll_cdeg) | put_i16_sat(b, n + 2, pitch_cdeg):
            b[1] |= F_SATURATED
        self.n = n + ROLL_SAMPLE_BYTES
        self.count += 1

    def add_raw(self, ax, ay, az, gx, gy, gz):
        """Append one DATA_RAW sample already in wire units (1/4096 g, 1/32 deg/s)."""
        b = self.buf
        n = self.n
        # no tuple of the six values: this runs once per sample
        sat = put_i16_sat(b, n, ax) | put_i16_sat(b, n + 2, ay) | put_i16_sat(b, n + 4, az)
        sat |= put_i16_sat(b, n + 6, gx) | put_i16_sat(b, n + 8, gy) | put_i16_sat(b, n + 10, gz)
        if sat:
            b[1] |= F_SATURATED
        self.n = n + RAW_SAMPLE_BYTES
        self.count += 1

    def finish(self):
        """The packet so far (memoryview into the buffer)."""
        self.buf[2] = self.count
        return self.mv[: self.n]


def encode_status(buf, flags, rate_hz, seq, t_wraps, t_ticks, battery_pct, mode, battery_mv,
                  temp_cdegc, neutral_roll_cdeg, imu_errors, ring_overwritten, payload_max):
    """STATUS packet (26 bytes) into buf; returns its length."""
    write_header(buf, T_STATUS, flags, 0, rate_hz, seq, t_wraps, t_ticks)
    encode_status_body(buf, HEADER_BYTES, battery_pct, mode, battery_mv, temp_cdegc,
                       neutral_roll_cdeg, imu_errors, ring_overwritten, payload_max)
    return HEADER_BYTES + STATUS_BODY_BYTES


def encode_status_body(buf, off, battery_pct, mode, battery_mv, temp_cdegc, neutral_roll_cdeg,
                       imu_errors, ring_overwritten, payload_max):
    buf[off] = battery_pct & 0xFF
    buf[off + 1] = mode & 0xFF
    put_u16(buf, off + 2, battery_mv & 0xFFFF)
    put_u16(buf, off + 4, sat_i16(temp_cdegc)[0] & 0xFFFF)
    put_u16(buf, off + 6, sat_i16(neutral_roll_cdeg)[0] & 0xFFFF)
    put_u16(buf, off + 8, min(imu_errors, 0xFFFF))
    put_u16(buf, off + 10, min(ring_overwritten, 0xFFFF))
    put_u16(buf, off + 12, payload_max & 0xFFFF)
    return STATUS_BODY_BYTES


def encode_reply(buf, cmd, token, status, chunk, more, payload, p0=0, p1=-1):
    """REPLY packet into buf: header + payload[p0:p1]; returns its length."""
    if p1 < 0:
        p1 = len(payload)
    buf[0] = (PROTOCOL_VERSION << 4) | T_REPLY
    buf[1] = cmd
    buf[2] = token
    buf[3] = status
    buf[4] = (chunk & 0x7F) | (0x80 if more else 0)
    n = REPLY_HEADER_BYTES
    for i in range(p0, p1):
        buf[n] = payload[i]
        n += 1
    return n


def chunk_reply(buf, payload_max, send, cmd, token, status, payload):
    """REPLY packets of `payload`, chunked to payload_max, each encoded into buf and handed to
    send(buf, n) (True when taken); returns False if any chunk failed. Both links use it."""
    step = payload_max - REPLY_HEADER_BYTES
    n = len(payload)
    chunk = 0
    p0 = 0
    ok = True
    while True:
        p1 = min(n, p0 + step)
        more = p1 < n
        m = encode_reply(buf, cmd, token, status, chunk, more, payload, p0, p1)
        ok = send(buf, m) and ok
        if not more:
            return ok
        p0 = p1
        chunk += 1


def parse_command(data):
    """(cmd, token, chunk_index, more, payload) of a command, or None when shorter than 3 bytes."""
    if len(data) < COMMAND_HEADER_BYTES:
        return None
    ch = data[2]
    return data[0], data[1], ch & 0x7F, bool(ch & 0x80), data[COMMAND_HEADER_BYTES:]


def encode_command(cmd, token, payload=b"", chunk=0, more=False):
    """Host-side helper (tests, tools): one command write."""
    return bytes((cmd, token, (chunk & 0x7F) | (0x80 if more else 0))) + bytes(payload)


# --- serial framing -----------------------------------------------------------------------------
def crc16(data, n=-1, crc=0xFFFF):
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over data[:n]."""
    if n < 0:
        n = len(data)
    for i in range(n):
        crc ^= data[i] << 8
        for _ in range(8):
            if crc & 0x8000:
                crc = ((crc << 1) ^ 0x1021) & 0xFFFF
            else:
                crc = (crc << 1) & 0xFFFF
    return crc


def cobs_encode(src, n, dst, d0=0):
    """COBS of src[:n] into dst[d0:] (no delimiter); returns the end index in dst."""
    code_i = d0
    out = d0 + 1
    code = 1
    for i in range(n):
        b = src[i]
        if b == 0:
            dst[code_i] = code
            code_i = out
            out += 1
            code = 1
            continue
        dst[out] = b
        out += 1
        code += 1
        if code == 0xFF:
            dst[code_i] = code
            code_i = out
            out += 1
            code = 1
    dst[code_i] = code
    return out


def cobs_decode(src, n, dst):
    """Decode COBS src[:n] (no delimiter) into dst; returns the length or -1 if malformed."""
    i = 0
    out = 0
    while i < n:
        code = src[i]
        if code == 0 or i + code > n:
            return -1
        i += 1
        for _ in range(code - 1):
            b = src[i]
            if b == 0:
                return -1
            dst[out] = b
            out += 1
            i += 1
        if code < 0xFF and i < n:
            dst[out] = 0
            out += 1
    return out


class Framer:
    """Serial frames: COBS(channel | packet | crc16 LE) 0x00, with buffers allocated once."""

    def __init__(self, max_packet=SERIAL_MAX_PACKET_BYTES):
        self._raw = bytearray(max_packet + 3)
        # out[0] is a spare 0x00 sent before a frame after an idle line (frame(lead=True))
        self.out = bytearray(1 + max_packet + 3 + (max_packet + 3) // 254 + 3)
        self.out_mv = memoryview(self.out)

    def frame(self, channel, packet, n=-1, lead=False):
        """Frame packet[:n]; returns a memoryview of the frame including the 0x00 delimiter.
        lead: start with an extra 0x00 (an empty frame, ignored) so a receiver that joined
        mid-stream resynchronises on this frame instead of dropping it."""
        if n < 0:
            n = len(packet)
        raw = self._raw
        raw[0] = channel
        for i in range(n):
            raw[1 + i] = packet[i]
        crc = crc16(raw, n + 1)
        raw[n + 1] = crc & 0xFF
        raw[n + 2] = crc >> 8
        end = cobs_encode(raw, n + 3, self.out, 1)
        self.out[end] = 0
        self.out[0] = 0
        return self.out_mv[0 if lead else 1 : end + 1]
