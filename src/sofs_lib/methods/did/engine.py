"""Weighted least squares shared across the DiD chapter's specifications, on pyfixest's own parts.

``pyfixest.feols`` builds its model matrix through formulaic on every call: at the published
size about 0.3 s a model, and the chapter fits about fifty, so the model matrices, not the
algebra, were most of the chapter's run time, and at national scale each call's copies of a
million-row matrix set the peak memory. Here a question's model matrix is built **once per
sample and fixed-effect structure** (:class:`Design`): the categorical covariates are coded
once, the child fixed effects demeaned once (one-way weighted demeaning: weighted child means
subtracted, which is exact), the CEM weights applied once, and the cross-products
``X'X`` and ``X'y`` computed once. Every specification on that sample (main model, event
study, secondary specifications, a second outcome) is then a subset of the columns
(:meth:`Design.fit`): its ``X'X`` a sub-matrix, one pass over the rows for its residuals.

What is not written here is pyfixest's: the collinearity check
(``pyfixest.core.collinear.find_collinear_variables``, the same tolerance), singleton
detection, the nesting of fixed effects in clusters and the small-sample adjustments
(``pyfixest.utils.utils.get_ssc`` with pyfixest's default ``ssc()``), so the results are
pyfixest's to rounding error (the CRV1 meat, the sum over clusters of ``s_g s_g'`` with
``s_g = X_g' u_g``, is computed on rows sorted by cluster, one slice per cluster). ``tests/test_did_engine.py`` holds them to ``pf.feols`` on
linear and child fixed-effects models, with weights, clusters, collinear and unused levels,
singletons and subsets; every coefficient, SE, p-value, interval, N and R-squared must agree
to 1e-8 (relative).

Terms are written as in the formulas of :mod:`sofs_lib.methods.did.spec`: a numeric column
``x``, or ``C(x)`` for a categorical one (treatment coding against its first level, levels in
formulaic's order: a categorical's categories, otherwise the sorted values; coefficient names
``C(x)[T.level]``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pyfixest.core.collinear import find_collinear_variables
from pyfixest.core.detect_singletons import detect_singletons
from pyfixest.core.nested_fixed_effects import count_fixef_fully_nested_all
from pyfixest.utils.utils import get_ssc, ssc
from scipy import stats

#: pyfixest's default tolerance of its collinearity check (``feols(collin_tol=...)``).
COLLIN_TOL = 1e-9
_CAT = re.compile(r"^C\(([A-Za-z_][A-Za-z0-9_]*)\)$")


class DesignError(ValueError):
    """A model the data cannot support (no rows, a missing column, every variable collinear)."""


def _levels(s: pd.Series) -> tuple[list, np.ndarray]:
    """Levels (formulaic's order) and integer codes (-1 for missing) of a categorical term."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return list(s.cat.categories), s.cat.codes.to_numpy()
    codes, uniq = pd.factorize(s, sort=True)
    return list(uniq), codes


def _columns(df: pd.DataFrame, terms: list[str], intercept: bool) -> tuple[list[str], list[np.ndarray]]:
    names: list[str] = ["Intercept"] if intercept else []
    cols: list[np.ndarray] = [np.ones(len(df))] if intercept else []
    for t in dict.fromkeys(terms):
        m = _CAT.match(t)
        v = m.group(1) if m else t
        if v not in df:
            raise DesignError(f"the model's term {t!r} names a column the frame does not have ({v!r})")
        if m:
            levels, codes = _levels(df[v])
            if (codes < 0).any():
                raise DesignError(f"column {v!r} has {int((codes < 0).sum()):,} missing values")
            for j, lev in enumerate(levels[1:], start=1):
                names.append(f"C({v})[T.{lev}]")
                cols.append((codes == j).astype(np.float64))
        else:
            x = df[v].to_numpy(dtype=np.float64, na_value=np.nan)
            if np.isnan(x).any():
                raise DesignError(f"column {v!r} has {int(np.isnan(x).sum()):,} missing values")
            names.append(v)
            cols.append(x)
    return names, cols


def _group_demean(a: np.ndarray, g: np.ndarray, w: np.ndarray, n_groups: int) -> np.ndarray:
    """``a`` (rows x columns) minus its weighted mean within each group ``g`` (in place)."""
    sw = np.bincount(g, weights=w, minlength=n_groups)
    for j in range(a.shape[1]):
        col = a[:, j]
        col -= (np.bincount(g, weights=w * col, minlength=n_groups) / sw)[g]
    return a


@dataclass
class Result:
    """One fitted specification, in the form the chapter's tables read (as pyfixest's tidy)."""

    names: list[str]
    beta: np.ndarray
    se: np.ndarray
    df_t: float
    n: int
    r2: float
    r2_within: float
    collinear: list[str] = field(default_factory=list)
    resid: np.ndarray | None = None
    vcov: np.ndarray | None = None

    def tidy(self, alpha: float = 0.05) -> pd.DataFrame:
        with np.errstate(divide="ignore", invalid="ignore"):
            tstat = self.beta / self.se
        p = 2 * (1 - stats.t.cdf(np.abs(tstat), self.df_t))
        z = np.abs(stats.t.ppf(alpha / 2, self.df_t))
        return pd.DataFrame(
            {"estimate": self.beta, "se": self.se, "p": p, "lo": self.beta - z * self.se, "hi": self.beta + z * self.se},
            index=pd.Index(self.names),
        )


class Design:
    """The weighted (and, with ``fe``, demeaned) model matrix of one sample, built once.

    ``terms``: every right-hand-side term any specification on this sample uses; ``ys``: the
    outcomes; ``weights``: a column of non-negative weights (rows of weight 0 are dropped, as
    everywhere in the chapter); ``cluster``: the column clustered on (``None``: iid errors only);
    ``fe``: the column of one absorbed fixed effect (singletons dropped, as pyfixest's default).
    """

    def __init__(
        self,
        df: pd.DataFrame,
        terms: list[str],
        ys: list[str],
        weights: str | None = None,
        cluster: str | None = None,
        fe: str | None = None,
    ):
        need = [_CAT.match(t).group(1) if _CAT.match(t) else t for t in terms]
        need = [c for c in dict.fromkeys([*need, *ys, weights, cluster, fe]) if c is not None]
        missing = [c for c in need if c not in df]
        if missing:
            raise DesignError(f"the model needs columns the frame does not have: {missing}")
        d = df[need]
        self.term_list = list(dict.fromkeys(terms))
        self.terms = set(self.term_list)
        if weights is not None:
            w_all = d[weights].to_numpy(dtype=np.float64)
            if (w_all < 0).any() or np.isnan(w_all).any():
                raise DesignError(f"weights column {weights!r} has negative or missing values")
            if not (w_all > 0).all():
                d = d[w_all > 0]
        self.n_input = int(len(d))
        self.fe = fe
        if fe is not None:
            fcodes = pd.factorize(d[fe])[0].astype(np.uintp)
            single = detect_singletons(fcodes.reshape(-1, 1))
            if single.any():
                d = d[~single]
            self.n_singletons = int(single.sum())
        else:
            self.n_singletons = 0
        if len(d) == 0:
            raise DesignError("no rows left to fit (after weights and singletons)")
        self.n = int(len(d))
        w = d[weights].to_numpy(dtype=np.float64) if weights is not None else np.ones(self.n)
        names, cols = _columns(d, terms, intercept=fe is None)
        for y in ys:
            if y not in d:
                raise DesignError(f"the outcome {y!r} is not a column of the frame")
        ycols = [d[y].to_numpy(dtype=np.float64, na_value=np.nan) for y in ys]
        for y, c in zip(ys, ycols):
            if np.isnan(c).any():
                raise DesignError(f"outcome {y!r} has {int(np.isnan(c).sum()):,} missing values")
        A = np.column_stack(cols + ycols) if cols else np.column_stack(ycols)
        del cols, ycols
        if fe is not None:
            g, uniq = pd.factorize(d[fe])
            self.k_fe = int(len(uniq))
            _group_demean(A, g, w, self.k_fe)
        else:
            self.k_fe = 0
        ys_raw = np.column_stack([d[y].to_numpy(dtype=np.float64) for y in ys])  # for R-squared
        cl = pd.factorize(d[cluster])[0].astype(np.uintp) if cluster is not None else None
        self.fe_nested = False
        if cluster is not None and fe is not None:
            _, n_nested = count_fixef_fully_nested_all(
                all_fixef_array=np.array([fe], dtype=str),
                cluster_colnames=np.array([cluster], dtype=str),
                cluster_data=cl.reshape(-1, 1),
                fe_data=pd.factorize(d[fe])[0].astype(np.uintp).reshape(-1, 1),
            )
            self.fe_nested = bool(n_nested)
        # rows in cluster order, so that each cluster's scores are one slice (order: the
        # frame's row of each design row, for residuals in the frame's order)
        self.order = np.argsort(cl, kind="stable") if cl is not None else np.arange(self.n)
        if cl is not None:
            A, w, ys_raw, cl = A[self.order], w[self.order], ys_raw[self.order], cl[self.order]
            self.bounds = np.flatnonzero(np.r_[True, cl[1:] != cl[:-1], True])
            self.G = int(len(self.bounds) - 1)
        self.cluster = cluster
        self.cl = cl
        self.ys_raw = {y: ys_raw[:, i] for i, y in enumerate(ys)}
        self.w = w
        sq = np.sqrt(w)
        A *= sq[:, None]
        k = len(names)
        self.names = names
        self.X = A[:, :k]
        self.Y = {y: A[:, k + i] for i, y in enumerate(ys)}
        self.gram = self.X.T @ self.X
        self.xy = {y: self.X.T @ v for y, v in self.Y.items()}

    def _in_frame_order(self, v: np.ndarray) -> np.ndarray:
        out = np.empty_like(v)
        out[self.order] = v
        return out

    def index(self, terms: list[str]) -> list[int]:
        """Column positions of ``terms`` (a ``C(x)`` term: all its levels' columns)."""
        pos = {n: i for i, n in enumerate(self.names)}
        out = [0] if self.fe is None else []
        for t in dict.fromkeys(terms):
            if _CAT.match(t):
                out += [i for i, n in enumerate(self.names) if n.startswith(f"{t}[T.")]
            elif t in pos:
                out.append(pos[t])
            else:
                raise DesignError(f"term {t!r} is not in this design")
        return out

    def fit(self, y: str, terms: list[str], vcov: str = "CRV1", keep_resid: bool = False) -> Result:
        """Weighted least squares of outcome ``y`` on ``terms`` (plus the intercept without
        fixed effects); ``vcov``: ``"CRV1"`` (clustered on the design's cluster) or ``"iid"``."""
        idx = self.index(terms)
        XtX = np.ascontiguousarray(self.gram[np.ix_(idx, idx)])
        id_excl, n_excl, all_removed = find_collinear_variables(XtX, COLLIN_TOL)
        if all_removed:
            raise DesignError("every variable of the model is collinear")
        drop = np.asarray(id_excl, dtype=bool).ravel()
        collinear = [self.names[c] for c, x in zip(idx, drop) if x]
        idx = [c for c, x in zip(idx, drop) if not x]
        XtX = self.gram[np.ix_(idx, idx)]
        beta = np.linalg.solve(XtX, self.xy[y][idx])
        full = np.zeros(self.X.shape[1])
        full[idx] = beta
        u = self.Y[y] - self.X @ full
        bread = np.linalg.inv(XtX)
        k = len(idx)
        n_fe = 1 if self.fe is not None else 0
        common = {"ssc_dict": ssc(), "N": self.n, "k": k, "k_fe": self.k_fe, "n_fe": n_fe}
        if vcov == "iid":
            adj, _, df_t = get_ssc(
                **common, k_fe_nested=0, n_fe_fully_nested=0, G=1, vcov_sign=1, vcov_type="iid"
            )
            V = float(adj[0]) * bread * (float(u @ u) / (self.n - 1))
        elif vcov == "CRV1":
            if self.cluster is None:
                raise DesignError("a clustered covariance needs the design's cluster column")
            nested = self.fe_nested
            adj, _, df_t = get_ssc(
                **common,
                k_fe_nested=self.k_fe if nested else 0,
                n_fe_fully_nested=1 if nested else 0,
                G=self.G,
                vcov_sign=1,
                vcov_type="CRV",
            )
            # the CRV1 meat: sum over clusters of s_g s_g', s_g = X_g' u_g (one slice each)
            b = self.bounds
            S = np.stack([self.X[b[g] : b[g + 1]].T @ u[b[g] : b[g + 1]] for g in range(self.G)])[:, idx]
            V = float(adj[0]) * (bread @ (S.T @ S) @ bread)
        else:
            raise DesignError(f"vcov must be 'CRV1' or 'iid', not {vcov!r}")
        ssu = float(u @ u)
        yr = self.ys_raw[y]
        ssy = float(np.sum(self.w * (yr - np.average(yr, weights=self.w)) ** 2))
        r2_within = 1 - ssu / float(self.Y[y] @ self.Y[y]) if self.fe is not None else np.nan
        return Result(
            names=[self.names[i] for i in idx],
            beta=beta,
            se=np.sqrt(np.diagonal(V)),
            df_t=float(df_t),
            n=self.n,
            r2=1 - ssu / ssy,
            r2_within=r2_within,
            collinear=collinear,
            vcov=V,
            resid=self._in_frame_order(u / np.sqrt(self.w)) if keep_resid else None,
        )
