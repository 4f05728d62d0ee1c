"""The virtual device's pipe codec, advertising-data parser and host-side fault plan (pure units)."""

from __future__ import annotations

import json
import struct

import pytest

from hiplevel.constants import SERVICE_UUID
from hiplevel.virtual import pipe
from hiplevel.virtual.faults import AirFaults, FaultInjector

BATTERY_SERVICE = "0000180f-0000-1000-8000-00805f9b34fb"


def _ad(kind: int, value: bytes) -> bytes:
    return bytes([len(value) + 1, kind]) + value


def test_message_header_round_trip() -> None:
    msg = pipe.write_msg(7, 0x0012, b"\x09\x01\x00")
    kind, length = pipe.decode_header(msg[:3])
    assert (kind, length) == (pipe.WRITE, 7)
    assert msg[3:] == struct.pack("<HH", 7, 0x12) + b"\x09\x01\x00"


def test_unknown_kind_and_short_header_are_errors() -> None:
    with pytest.raises(pipe.PipeError):
        pipe.decode_header(b"\x55\x00\x00")
    with pytest.raises(pipe.PipeError):
        pipe.decode_header(b"\x01\x00")
    with pytest.raises(pipe.PipeError):
        pipe.parse_notify(b"\x01\x00\x02")


def test_connect_carries_the_address_most_significant_first() -> None:
    msg = pipe.connect_msg(1, "C0:FF:EE:00:00:01")
    assert msg == bytes([pipe.CONNECT, 8, 0, 1, 0, 0xC0, 0xFF, 0xEE, 0, 0, 1])


def test_device_messages_parse() -> None:
    assert pipe.parse_notify(struct.pack("<HH", 1, 14) + b"abc") == (1, 14, b"abc")
    assert pipe.parse_read_result(struct.pack("<H", 20) + b"\x5a") == (20, b"\x5a")
    assert pipe.parse_time_s(struct.pack("<I", 12_345)) == pytest.approx(12.345)
    services = pipe.parse_services(json.dumps(
        [{"service": SERVICE_UUID, "chars": [{"uuid": "2A19", "handle": 3, "props": ["read", "notify"]}]}]
    ).encode())
    assert services[0].uuid == SERVICE_UUID
    assert services[0].chars[0] == pipe.GattChar("00002a19-0000-1000-8000-00805f9b34fb", 3, ("read", "notify"))
    stopped = pipe.parse_advertise(b"{}")
    assert stopped.adv is None and stopped.resp is None


def test_advertising_data_gives_name_uuid_and_battery() -> None:
    svc_le = bytes.fromhex(SERVICE_UUID.replace("-", ""))[::-1]
    adv = _ad(pipe.AD_FLAGS, b"\x06") + _ad(pipe.AD_NAME_COMPLETE, b"hiplevel-1a2b") + _ad(pipe.AD_UUID128_COMPLETE, svc_le)
    resp = _ad(pipe.AD_SERVICE_DATA16, b"\x0f\x18" + bytes([87]))
    fields = pipe.parse_ad(adv)
    pipe.parse_ad(resp, into=fields)
    assert fields.local_name == "hiplevel-1a2b"
    assert fields.service_uuids == [SERVICE_UUID]
    assert fields.service_data == {BATTERY_SERVICE: bytes([87])}
    assert fields.flags == 0x06


def test_advertising_structure_running_past_the_end_is_ignored() -> None:
    fields = pipe.parse_ad(_ad(pipe.AD_NAME_COMPLETE, b"ok") + b"\x09\x09abc")
    assert fields.local_name == "ok"


def test_fault_plan_drops_and_corrupts_the_listed_notifications() -> None:
    inj = FaultInjector(AirFaults(drop_notify_indices=frozenset({1}), corrupt_indices=frozenset({2}), seed=3))
    packet = bytes(range(20))
    out = [inj.apply(packet) for _ in range(4)]
    assert out[0] == packet and out[3] == packet
    assert out[1] is None
    assert out[2] is not None and out[2] != packet
    assert (inj.stats.dropped, inj.stats.corrupted, inj.stats.data_notifications) == (1, 1, 4)


def test_every_corruption_changes_length_or_version() -> None:
    inj = FaultInjector(AirFaults(corrupt_probability=1.0, seed=11))
    packet = bytes([0x11]) + bytes(19)
    for _ in range(200):
        out = inj.apply(packet)
        assert out is not None
        assert len(out) != len(packet) or out[0] >> 4 != 1
    assert set(inj.stats.corrupted_by_kind) == {"truncate", "pad", "version"}


def test_fault_plan_is_reproducible_for_a_seed() -> None:
    def run(seed: int) -> list[bytes | None]:
        inj = FaultInjector(AirFaults(drop_notify_probability=0.2, corrupt_probability=0.1, seed=seed))
        return [inj.apply(bytes([i % 256]) * 16) for i in range(300)]

    assert run(5) == run(5)
    assert run(5) != run(6)


def test_fault_plan_rejects_bad_values() -> None:
    with pytest.raises(ValueError):
        AirFaults(drop_notify_probability=1.5)
    with pytest.raises(ValueError):
        AirFaults(link_loss_s=((3.0, 0.0),))
