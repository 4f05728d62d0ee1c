# Device configuration: config.json on the flash merged over the defaults (firmware/config.json
# is the shipped copy).
import json

DEFAULT_CONFIG = {
    "rate_hz": 100,
    "mode": "roll",
    "mount": "standard",
    "link": "auto",
    "autostart": False,
    "accel_range_g": 4,
    "gyro_range_dps": 500,
    "dlpf_cfg": 3,
    "ring_slots": 2048,
    "haptic": {"enabled": True, "threshold_cdeg": 600, "debounce_ms": 250},
    "fusion": {},
    "device_name": None,
    "auth_timeout_ms": 10000,
    "ble_bond": True,
    "ble_encrypted_only": False,
}


def load_config(fs_root):
    """config.json from the device's flash merged over the defaults."""
    cfg = {}
    for k in DEFAULT_CONFIG:
        cfg[k] = DEFAULT_CONFIG[k]
    try:
        with open(fs_root + "/config.json") as f:
            user = json.loads(f.read())
        for k in user:
            cfg[k] = user[k]
    except OSError:
        pass
    return cfg
