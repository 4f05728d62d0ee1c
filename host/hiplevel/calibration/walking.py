"""Pure helpers of the walking step of the alignment (`PelvisAligner.forward`).

Frames: the input is in the mounted frame (calibrated, mounting preset applied). `level_walk`
rotates every sample into one fixed frame, the sensor's mean orientation over the walk, using the
gyro, so the pelvis' own tilting and turning while walking no longer mixes gravity or the
forward and sideways accelerations into each other.
"""

from __future__ import annotations

import numpy as np


def rotations_from_rates(gyro_dps: np.ndarray, rate_hz: float) -> np.ndarray:
    """(N, 3, 3) rotations R_k with v_0 = R_k @ v_k: sample k's frame into sample 0's, from (N, 3)
    body rates (deg/s, bias removed) integrated with the mean rate of each interval."""
    w = np.radians(np.asarray(gyro_dps, dtype=float))
    steps = 0.5 * (w[1:] + w[:-1]) / rate_hz  # rotation vector of each interval, rad
    out = np.empty((len(w), 3, 3))
    out[0] = np.eye(3)
    for k, d in enumerate(_rodrigues(steps), start=1):
        out[k] = out[k - 1] @ d
    return out


def _rodrigues(v: np.ndarray) -> np.ndarray:
    """(M, 3) rotation vectors, rad -> (M, 3, 3) matrices."""
    th = np.linalg.norm(v, axis=1)
    safe = np.where(th > 1e-12, th, 1.0)
    k = v / safe[:, None]
    kx = np.zeros((len(v), 3, 3))
    kx[:, 0, 1], kx[:, 0, 2], kx[:, 1, 2] = -k[:, 2], k[:, 1], -k[:, 0]
    kx = kx - kx.transpose(0, 2, 1)
    s, c = np.sin(th)[:, None, None], (1.0 - np.cos(th))[:, None, None]
    return np.eye(3)[None] + s * kx + c * (kx @ kx)


def mean_rotation(mats: np.ndarray) -> np.ndarray:
    """Chordal mean of (N, 3, 3) rotations: the rotation nearest their element-wise mean."""
    u, _, vt = np.linalg.svd(np.mean(mats, axis=0))
    d = np.sign(np.linalg.det(u @ vt))
    return u @ np.diag([1.0, 1.0, d]) @ vt


def level_walk(acc_g: np.ndarray, gyro_dps: np.ndarray, rate_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """(acceleration g, rate deg/s), both (N, 3), expressed in the sensor's mean orientation over
    the walk (a fixed frame) instead of each sample's own."""
    r = rotations_from_rates(gyro_dps, rate_hz)
    to_mean = np.einsum("ji,njk->nik", mean_rotation(r), r)  # R_mean^T @ R_k
    return np.einsum("nij,nj->ni", to_mean, acc_g), np.einsum("nij,nj->ni", to_mean, gyro_dps)


def horizontal_basis(up: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(e1, e2): mounted +x made horizontal (perpendicular to the unit vector up), and up x e1."""
    e1 = np.array([1.0, 0.0, 0.0]) - up[0] * up
    e1 /= np.linalg.norm(e1)
    return e1, np.cross(up, e1)


def step_frequency_hz(vertical: np.ndarray, rate_hz: float, step_hz_range: tuple[float, float]) -> float:
    """Strongest peak of the (Hann-windowed) vertical acceleration within step_hz_range, Hz; raises
    ValueError when the record is too short to resolve that range."""
    n = len(vertical)
    freqs = np.fft.rfftfreq(n, 1.0 / rate_hz)
    spec = np.abs(np.fft.rfft((vertical - vertical.mean()) * np.hanning(n)))
    search = (freqs >= step_hz_range[0]) & (freqs <= step_hz_range[1])
    if not search.any():
        raise ValueError("record too short for the step frequency range")
    return float(freqs[search][np.argmax(spec[search])])


def band_covariance(x: np.ndarray, rate_hz: float, centre_hz: float, band_rel: float) -> np.ndarray:
    """(2, 2) covariance of the (N, 2) signal x within centre_hz * (1 +- band_rel) (Hann window),
    arbitrary scale (only its shape and ratios are used)."""
    n = len(x)
    freqs = np.fft.rfftfreq(n, 1.0 / rate_hz)
    band = (freqs >= centre_hz * (1.0 - band_rel)) & (freqs <= centre_hz * (1.0 + band_rel))
    spec = np.fft.rfft((x - x.mean(axis=0)) * np.hanning(n)[:, None], axis=0)[band]
    return np.real(spec.T @ spec.conj())


def principal_axis(cov: np.ndarray) -> tuple[np.ndarray, float]:
    """(unit 2-vector of the largest eigenvalue, its first component >= 0; largest / smallest
    eigenvalue ratio, inf when the smallest is not positive)."""
    evals, evecs = np.linalg.eigh(cov)
    v = evecs[:, 1] if evecs[0, 1] >= 0 else -evecs[:, 1]
    return v, float(evals[1] / evals[0]) if evals[0] > 0 else float("inf")


def axis_angle_deg(a: np.ndarray, b: np.ndarray) -> float:
    """Angle between two axes (2-vectors, sign ignored), deg, 0..90."""
    c = abs(float(a @ b)) / (np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.degrees(np.arccos(np.clip(c, 0.0, 1.0))))
