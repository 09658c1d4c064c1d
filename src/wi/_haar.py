"""The Haar-distributed orthogonal (unitary) factor of a matrix of standard normals.

Mezzadri (2007), "How to generate random matrices from the classical compact groups": with
A = QR, the columns of Q multiplied by the phases R_jj / |R_jj| make Q Haar-distributed (for
real A the phases are the signs of R's diagonal). One definition for the engines' orthogonal
initialisers (wi.keras, wi.jax), which differ only in how they lay the normals out.
"""
import numpy as np


def haar_q(a):
    """Q of A = QR (NumPy's LAPACK, reduced) with R's diagonal made real positive."""
    q, r = np.linalg.qr(a)
    d = np.diagonal(r)
    phase = np.where(d == 0, 1, d / np.where(d == 0, 1, np.abs(d)))
    return q * phase[None, :]
