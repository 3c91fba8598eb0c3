"""The wild cluster bootstrap of ``wildboottest``, with its CRV1 denominator as one array
expression (the package recompiles a numba loop for it on every call), and the regression
handed to it in compressed form (:func:`compress_clusters`)."""

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


#: Bootstrap draws whose |t*| equals |t| to this relative tolerance are ties.
TIE_RTOL = 1e-9


def p_text(p: float, draws: int, spec: str = ".3g") -> str:
    """A bootstrap p-value (the share of ``draws`` draws at least as extreme as the statistic,
    :func:`bootstrap_p` or ``wildboottest``'s) as the book shows it: ``0.178`` (format ``spec``,
    three significant figures by default), or ``< 0.001`` when no draw is as extreme. A share of
    0 out of ``draws`` says only that p is below ``1 / draws``, not that it is zero."""
    if not np.isfinite(p):
        return "–"
    if p > 0:
        return format(p, spec)
    if draws < 1:
        raise ValueError(f"a bootstrap p of 0 needs its number of draws to be shown (draws={draws})")
    return f"< {1 / draws:.1g}"


def bootstrap_p(t: float, t_boot: np.ndarray) -> float:
    """Two-tailed bootstrap p-value: the share of draws at least as extreme as ``t``,
    ``|t*| >= |t|``, a draw whose ``|t*|`` equals ``|t|`` to :data:`TIE_RTOL` counting as a
    tie (at least as extreme). With few clusters the wild bootstrap's distribution is discrete
    and such ties are exact in theory (G = 4 and Webb weights: 8 of 999 draws in the DiD
    chapter's EQ3c), so rounding in the last digits must not decide them; ``wildboottest``'s
    own ``|t| < |t*|`` leaves that to rounding."""
    t = abs(float(np.ravel(t)[0]))
    tb = np.abs(np.asarray(t_boot, dtype=float).ravel())
    return float(np.mean(tb >= t * (1 - TIE_RTOL)))


def compress_clusters(X: np.ndarray, y: np.ndarray, bounds: np.ndarray, cols: list[int] | None = None) -> tuple:
    """The regression ``(X, y)`` with rows sorted by cluster (cluster ``g`` is rows
    ``bounds[g]:bounds[g+1]``) replaced by ``k`` rows per cluster, ``(R_g, z_g)`` with
    ``R_g'R_g = X_g'X_g`` and ``R_g'z_g = X_g'y_g``: from the eigendecomposition
    ``X_g'X_g = V diag(l) V'``, ``R_g = diag(sqrt(l)) V'`` and ``z_g = diag(1/sqrt(l)) V'X_g'y_g``
    (0 where ``l`` is 0 to rounding: ``X_g'y_g`` has no part there, as with a regressor constant
    within the cluster).

    The wild cluster bootstrap of ``wildboottest`` (``WildboottestCL``: CRV1 scores, restricted
    estimates, bootstrap numerators and denominators, the CRV1 covariance) uses the data only
    through these per-cluster cross-products, so its statistics are unchanged, except the
    small-sample factor ``(N-1)/(N-k)``, for which the caller sets the bootstrap's ``N`` to the
    regression's rows. ``cols``: the columns of ``X`` in the regression.
    Returns ``(Xc, yc, cluster)``, ``cluster`` numbering the clusters ``0..G-1`` as ``bounds``."""
    Xs, ys, cl = [], [], []
    for g in range(len(bounds) - 1):
        Xg = X[bounds[g] : bounds[g + 1]]
        Xg = Xg if cols is None else Xg[:, cols]
        yg = y[bounds[g] : bounds[g + 1]]
        lam, V = np.linalg.eigh(Xg.T @ Xg)
        lam = np.clip(lam, 0.0, None)
        root = np.sqrt(lam)
        live = lam > 1e-12 * max(float(lam.max()), 1e-300)
        Xs.append(root[:, None] * V.T)
        ys.append(np.where(live, (V.T @ (Xg.T @ yg)) / np.where(live, root, 1.0), 0.0))
        cl.append(np.full(len(lam), g, dtype=np.int64))
    return np.vstack(Xs), np.concatenate(ys), np.concatenate(cl)


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


def wcr(
    X: np.ndarray,
    Y: np.ndarray,
    cluster: np.ndarray,
    R: np.ndarray,
    B: int,
    seed: int,
    kind: str = "webb",
    n: int | None = None,
    package_denominator: bool = False,
):
    """The wild cluster restricted bootstrap of ``wildboottest`` (``WildboottestCL``:
    bootstrap type 11, null imposed, small-sample adjustments on) of the contrast ``R`` in the
    regression of ``Y`` on ``X`` with clusters ``cluster`` (integer codes): ``B`` draws of
    ``kind`` weights (``"webb"``, ``"rademacher"``, ...) from ``seed``. ``n``: the regression's
    rows, where ``(X, Y)`` is its compressed form (:func:`compress_clusters`). The CRV1
    denominators are :func:`crv1_denominators` unless ``package_denominator`` (the package's
    own loop: slower, for its own p-value to the last digit). Returns the bootstrap object,
    with ``t_stat``, ``t_boot`` and ``full_enumeration`` (whether the Rademacher draws were
    enumerated in full); :func:`bootstrap_p` gives its p-value."""
    import warnings

    from wildboottest.wildboottest import WildboottestCL

    cls = WildboottestCL if package_denominator else _wild_cl()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        boot = cls(X=X, Y=Y, cluster=cluster, R=R, B=B, seed=seed, parallel=False)
        if n is not None:
            boot.N = n  # the small-sample factor's N: the regression's rows
        boot.get_scores(bootstrap_type="11", impose_null=True, adj=True, cluster_adj=True)
        _, _, boot.full_enumeration = boot.get_weights(weights_type=kind)
        boot.get_numer()
        boot.get_denom()
        boot.get_tboot()
        boot.get_vcov()
        boot.get_tstat()
    return boot
