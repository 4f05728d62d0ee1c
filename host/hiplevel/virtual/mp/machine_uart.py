# Stand-in for ESP32 MicroPython's machine.UART (re-exported by machine.py).
#
# Simulation hook: uart_state(uart_id) (documented in machine.py).
try:
    import select as _select
except ImportError:  # pragma: no cover - unix port has select
    _select = None


class _UartState:
    def __init__(self, uart_id):
        self.id = uart_id
        self.rx = bytearray()  # host -> device
        self.tx = bytearray()  # device -> host
        self.rx_stream = None
        self.tx_stream = None
        self.tx_dropped = 0  # bytes a stream refused (a cable with nobody reading at the other end)
        self._poll = None

    def feed(self, data):
        self.rx.extend(data)

    def take(self):
        out = bytes(self.tx)
        self.tx = bytearray()
        return out

    def attach_fds(self, rx_stream, tx_stream):
        self.rx_stream = rx_stream
        self.tx_stream = tx_stream
        if rx_stream is not None and _select is not None:
            self._poll = _select.poll()
            self._poll.register(rx_stream, _select.POLLIN)

    def _pull(self):
        if self._poll is None:
            return
        while self._poll.poll(0):
            try:
                chunk = self.rx_stream.read(1)
            except OSError:  # the other end hung up: it may open the port again
                return
            if chunk is None:
                return  # nothing after all (a non-blocking stream)
            if not chunk:
                self._poll = None  # end of file: a stream that is gone for good
                return
            self.rx.extend(chunk)


_uarts = {}


def uart_state(uart_id):
    st = _uarts.get(uart_id)
    if st is None:
        st = _UartState(uart_id)
        _uarts[uart_id] = st
    return st


class UART:
    def __init__(self, id, baudrate=115200, **kw):
        self._st = uart_state(id)
        self.baudrate = baudrate

    def init(self, baudrate=115200, **kw):
        self.baudrate = baudrate

    def deinit(self):
        pass

    def any(self):
        self._st._pull()
        return len(self._st.rx)

    def read(self, nbytes=-1):
        self._st._pull()
        if not self._st.rx:
            return None
        n = len(self._st.rx) if nbytes < 0 else min(nbytes, len(self._st.rx))
        out = bytes(self._st.rx[:n])
        self._st.rx = self._st.rx[n:]  # MicroPython bytearrays do not support slice deletion
        return out

    def readinto(self, buf, nbytes=-1):
        self._st._pull()
        if not self._st.rx:
            return None
        n = len(buf) if nbytes < 0 else min(nbytes, len(buf))
        n = min(n, len(self._st.rx))
        for i in range(n):
            buf[i] = self._st.rx[i]
        self._st.rx = self._st.rx[n:]
        return n

    def write(self, buf):
        st = self._st
        if st.tx_stream is not None:
            # A UART sends whether or not anyone listens: a stream that is full (nobody reads
            # the USB port) or gone loses the bytes instead of stopping the firmware.
            data = bytes(buf)
            try:
                n = st.tx_stream.write(data)
                if hasattr(st.tx_stream, "flush"):
                    st.tx_stream.flush()
            except OSError:
                n = 0
            if n is None:
                n = 0
            if n < len(data):
                st.tx_dropped += len(data) - n
        else:
            self._st.tx.extend(buf)
        return len(buf)

    def flush(self):
        pass

    def txdone(self):
        return True
