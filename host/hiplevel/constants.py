"""Frames, axes, signs and names shared by every layer of the host.

Body (pelvis) frame: x forward, y left, z up (right-handed); the sensor sits at the back of the
pelvis over the sacrum. Roll (pelvic obliquity) is rotation about +x: **positive roll = left side
higher**, so a drop of the left side is negative roll. Pitch is rotation about +y: positive = front
of the pelvis down (anterior tilt, hip hinge). Say "left side dropped 6 deg", never "roll = -6".
"""

from typing import Final, Literal

Side = Literal["left", "right"]
LEFT: Final[Side] = "left"
RIGHT: Final[Side] = "right"

STANDARD_GRAVITY_MS2: Final[float] = 9.80665

# IMU CSV columns (docs/analysis.md): body frame, SI-ish units named in the column.
CSV_TIME = "t_s"
CSV_ACC_G = ("ax_g", "ay_g", "az_g")
CSV_ACC_MS2 = ("ax_ms2", "ay_ms2", "az_ms2")
CSV_GYR_DPS = ("gx_dps", "gy_dps", "gz_dps")
CSV_GYR_RPS = ("gx_rps", "gy_rps", "gz_rps")

# BLE GATT (docs/protocol.md).
SERVICE_UUID: Final[str] = "7e1a0001-5c2b-4a8e-9f4d-6b1e0c3a2d10"
DATA_CHAR_UUID: Final[str] = "7e1a0002-5c2b-4a8e-9f4d-6b1e0c3a2d10"
COMMAND_CHAR_UUID: Final[str] = "7e1a0003-5c2b-4a8e-9f4d-6b1e0c3a2d10"
REPLY_CHAR_UUID: Final[str] = "7e1a0004-5c2b-4a8e-9f4d-6b1e0c3a2d10"
BATTERY_LEVEL_UUID: Final[str] = "00002a19-0000-1000-8000-00805f9b34fb"
FIRMWARE_REV_UUID: Final[str] = "00002a26-0000-1000-8000-00805f9b34fb"
MODEL_NUMBER_UUID: Final[str] = "00002a24-0000-1000-8000-00805f9b34fb"
SERIAL_NUMBER_UUID: Final[str] = "00002a25-0000-1000-8000-00805f9b34fb"
MANUFACTURER_UUID: Final[str] = "00002a29-0000-1000-8000-00805f9b34fb"

EXERCISES: Final[tuple[str, ...]] = (
    "walking",
    "band-walk",
    "single-leg-stance",
    "step-down",
    "single-leg-squat",
    "clamshell",
)


def side_of_roll(roll_deg: float) -> Side:
    """The side that is *lower* for a roll angle (deg, positive = left side higher)."""
    return RIGHT if roll_deg > 0 else LEFT


def other_side(side: Side) -> Side:
    """The opposite leg/side."""
    return RIGHT if side == LEFT else LEFT


# The side vocabulary: one meaning everywhere (docs/sides.md), every screen, report,
# export and sentence derives its words from these (hiplevel.scoring.words).
# - The TESTED LEG is the stance leg: the leg bearing the weight in single-leg support, whose hip
#   abductors (gluteus medius) hold the pelvis level. `Rep.side` and `Phase.stance` name it, for every
#   exercise; in the side-lying clamshell it is the working (top) leg.
# - The SIDE THAT DROPPED is the unsupported side, the other one. `drop_deg` is how far it fell below
#   the standing neutral; negative = it rose (hip hike). A drop is attributed to the stance leg.
# - A band-walk rep (one lateral step) tests both legs: `Rep.phases` holds both single-support
#   phases (lead swing, then trail swing), the rep's own side/drop being its worse phase's.
TESTED_LEG_LABEL: Final[str] = "stance leg"
WORKING_LEG_LABEL: Final[str] = "working leg"
SIDE_DROPPED_LABEL: Final[str] = "side that dropped"


def side_dropped(stance: Side) -> Side:
    """The side that drops (or rises) while `stance` bears the weight: the unsupported side."""
    return other_side(stance)


def tested_leg_label(exercise: str) -> str:
    """'stance leg', or 'working leg' for the side-lying clamshell: what a rep's side is called."""
    return WORKING_LEG_LABEL if exercise == "clamshell" else TESTED_LEG_LABEL



# The board axes of the simulated chip as mounted on the belt (`sim.imu_model`, `hiplevel simulate
# --mount-axes`): here, so that the CLI's parser reads it without importing the simulator.
DEFAULT_MOUNT_AXES: Final[tuple[str, str, str]] = ("-z", "y", "x")
