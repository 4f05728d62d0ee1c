"""Rotation helpers (numpy, vectorised): ZYX Euler angles, body angular rate and its integration.

Convention: R = Rz(yaw) @ Ry(pitch) @ Rx(roll) maps body-frame vectors to the world frame
(x forward at yaw 0, y left, z up). Roll positive = left side up, pitch positive = nose down.
"""

from __future__ import annotations

import numpy as np


def euler_to_matrix(roll_deg: np.ndarray, pitch_deg: np.ndarray, yaw_deg: np.ndarray) -> np.ndarray:
    """(N,) ZYX Euler angles, deg -> (N, 3, 3) body-to-world rotation matrices."""
    r, p, y = (np.radians(np.asarray(a, dtype=float)) for a in (roll_deg, pitch_deg, yaw_deg))
    cr, sr, cp, sp, cy, sy = np.cos(r), np.sin(r), np.cos(p), np.sin(p), np.cos(y), np.sin(y)
    m = np.empty(np.broadcast(r, p, y).shape + (3, 3))
    m[..., 0, 0] = cy * cp
    m[..., 0, 1] = cy * sp * sr - sy * cr
    m[..., 0, 2] = cy * sp * cr + sy * sr
    m[..., 1, 0] = sy * cp
    m[..., 1, 1] = sy * sp * sr + cy * cr
    m[..., 1, 2] = sy * sp * cr - cy * sr
    m[..., 2, 0] = -sp
    m[..., 2, 1] = cp * sr
    m[..., 2, 2] = cp * cr
    return m


def matrix_to_euler(m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(N, 3, 3) body-to-world matrices -> ZYX Euler (roll, pitch, yaw), deg."""
    roll = np.degrees(np.arctan2(m[..., 2, 1], m[..., 2, 2]))
    pitch = np.degrees(np.arcsin(np.clip(-m[..., 2, 0], -1.0, 1.0)))
    yaw = np.degrees(np.arctan2(m[..., 1, 0], m[..., 0, 0]))
    return roll, pitch, yaw


def rotvec_to_matrix(v: np.ndarray) -> np.ndarray:
    """(N, 3) rotation vectors, rad -> (N, 3, 3) matrices (Rodrigues)."""
    v = np.atleast_2d(v)
    theta = np.linalg.norm(v, axis=1)
    small = theta < 1e-12
    k = v / np.where(small, 1.0, theta)[:, None]
    kx = np.zeros((len(v), 3, 3))
    kx[:, 0, 1], kx[:, 0, 2], kx[:, 1, 2] = -k[:, 2], k[:, 1], -k[:, 0]
    kx[:, 1, 0], kx[:, 2, 0], kx[:, 2, 1] = k[:, 2], -k[:, 1], k[:, 0]
    s, c = np.sin(theta)[:, None, None], (1 - np.cos(theta))[:, None, None]
    return np.eye(3) + s * kx + c * (kx @ kx)


def matrix_to_rotvec(m: np.ndarray) -> np.ndarray:
    """(N, 3, 3) rotation matrices (angles < 180 deg) -> (N, 3) rotation vectors, rad."""
    tr = np.trace(m, axis1=-2, axis2=-1)
    theta = np.arccos(np.clip((tr - 1.0) / 2.0, -1.0, 1.0))
    vee = 0.5 * np.stack([m[..., 2, 1] - m[..., 1, 2], m[..., 0, 2] - m[..., 2, 0], m[..., 1, 0] - m[..., 0, 1]], axis=-1)
    # theta / sin(theta) -> 1 for small angles; angles per 1 ms step are tiny, so no 180 deg case.
    factor = np.where(theta < 1e-8, 1.0, theta / np.where(theta < 1e-8, 1.0, np.sin(theta)))
    return vee * factor[..., None]


def body_rate_from_matrices(m: np.ndarray, dt_s: float) -> np.ndarray:
    """Body-frame angular rate, rad/s, (N, 3) at each sample from (N, 3, 3) orientations.

    The increment between samples k and k+1 is the exact rotation vector log(R_k^T R_k+1); the
    rate at sample k is the mean of the half-step increments on either side (second-order, so
    trapezoidal integration of the result reproduces the orientation to O(dt^2))."""
    inc = matrix_to_rotvec(np.einsum("nji,njk->nik", m[:-1], m[1:])) / dt_s
    w = np.empty((len(m), 3))
    w[1:-1] = 0.5 * (inc[:-1] + inc[1:])
    w[0], w[-1] = inc[0], inc[-1]
    return w


def integrate_body_rate(m0: np.ndarray, w_rps: np.ndarray, dt_s: float) -> np.ndarray:
    """Integrate (N, 3) body rates, rad/s, from start orientation m0 (3, 3) with the trapezoidal
    rate of each step -> (N, 3, 3). A plain loop: meant for tests and short series."""
    steps = rotvec_to_matrix(0.5 * (w_rps[:-1] + w_rps[1:]) * dt_s)
    out = np.empty((len(w_rps), 3, 3))
    out[0] = m0
    for k in range(len(steps)):
        out[k + 1] = out[k] @ steps[k]
    return out
