"""The wild cluster bootstrap of ``wildboottest``, with its CRV1 denominator as one array
expression (the package recompiles a numba loop for it on every call)."""

from __future__ import annotations

import numpy as np


def crv1_denominators(Cg: np.ndarray, H: np.ndarray, v: np.ndarray, ssc: float) -> np.ndarray:
    """The CRV1 bootstrap denominators of ``wildboottest`` (``WildboottestCL.get_denom``), as
    one array expression: for draw b, ``ssc * sum_g (Cg_g v_gb - sum_h H_gh v_hb)^2``.
    ``wildboottest`` 0.3.2 compiles this loop with numba anew on every call (about 5 s each);
    the arithmetic is the same (tested against it)."""
    Cg = np.asarray(Cg, dtype=float).ravel()
    Z = Cg[:, None] * v - H @ v
    return ssc * np.sum(Z**2, axis=0)


def _wild_cl():
    """``WildboottestCL`` with :func:`crv1_denominators` as its CRV1 denominator."""
    from wildboottest.wildboottest import WildboottestCL

    class _CL(WildboottestCL):
        def get_denom(self):
            if self.crv_type != "crv1":
                return super().get_denom()
            G = self.G
            H = np.zeros((G, G))
            for ixg in range(G):
                left = self.R @ self.tXXinv @ self.tXgXg_list[ixg] @ self.tXXinv
                H[ixg, :] = left @ self.scores_mat
            self.denom = crv1_denominators(self.Cg, H, np.asarray(self.v, dtype=float), self.ssc)

    return _CL
