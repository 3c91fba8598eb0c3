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


def _layout(df: pd.DataFrame, terms: list[str], pos: np.ndarray, intercept: bool) -> list[tuple]:
    """The model matrix's columns as ``(name, values, level)``: ``values`` the term's column
    (a categorical's integer codes) at rows ``pos``, ``level`` the code a dummy is 1 at."""
    out: list[tuple] = [("Intercept", None, None)] if intercept else []
    for t in dict.fromkeys(terms):
        m = _CAT.match(t)
        v = m.group(1) if m else t
        if m:
            s = df[v]
            if isinstance(s.dtype, pd.CategoricalDtype):
                levels, codes = list(s.cat.categories), s.cat.codes.to_numpy()[pos]
            else:
                codes, levels = pd.factorize(s.to_numpy()[pos], sort=True)
                levels = list(levels)
            if (codes < 0).any():
                raise DesignError(f"column {v!r} has {int((codes < 0).sum()):,} missing values")
            out += [(f"C({v})[T.{lev}]", codes, j) for j, lev in enumerate(levels[1:], start=1)]
        else:
            x = df[v].to_numpy(dtype=np.float64, na_value=np.nan)[pos]
            if np.isnan(x).any():
                raise DesignError(f"column {v!r} has {int(np.isnan(x).sum()):,} missing values")
            out.append((v, x, None))
    return out


def model_matrix(df: pd.DataFrame, terms: list[str], intercept: bool = True) -> pd.DataFrame:
    """The model matrix of ``terms`` on every row of ``df`` (the same coding and names as a
    :class:`Design`), as a frame: for models fitted by other libraries (the logit)."""
    layout = _layout(df, terms, np.arange(len(df)), intercept)
    out = np.empty((len(df), len(layout)), order="F")
    _fill(out, layout)
    return pd.DataFrame(out, columns=[name for name, _, _ in layout], index=df.index)


def _fill(out: np.ndarray, layout: list[tuple]) -> None:
    """Write the columns of ``layout`` (:func:`_layout`) into the first columns of ``out``."""
    for j, (_, values, level) in enumerate(layout):
        if values is None:
            out[:, j] = 1.0
        elif level is None:
            out[:, j] = values
        else:
            np.equal(values, level, out=out[:, j], casting="unsafe")


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
            {
                "estimate": self.beta,
                "se": self.se,
                "p": p,
                "lo": self.beta - z * self.se,
                "hi": self.beta + z * self.se,
            },
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
        self.term_list = list(dict.fromkeys(terms))
        self.terms = set(self.term_list)
        self.fe, self.cluster = fe, cluster
        pos, cl = self._rows(df, weights, cluster, fe)
        self.pos = pos
        self.n = n = int(len(pos))
        self.w = df[weights].to_numpy(dtype=np.float64)[pos] if weights is not None else np.ones(n)
        for y in ys:
            if y not in df:
                raise DesignError(f"the outcome {y!r} is not a column of the frame")
        layout = _layout(df, terms, pos, intercept=fe is None)
        self.names = [name for name, _, _ in layout]
        k = len(layout)
        A = np.empty((n, k + len(ys)), order="F")  # column-major: each column one block
        _fill(A, layout)
        del layout
        for i, y in enumerate(ys):
            A[:, k + i] = df[y].to_numpy(dtype=np.float64, na_value=np.nan)[pos]
            if np.isnan(A[:, k + i]).any():
                raise DesignError(f"outcome {y!r} has {int(np.isnan(A[:, k + i]).sum()):,} missing values")
        self.ys_raw = {y: A[:, k + i].copy() for i, y in enumerate(ys)}  # for R-squared
        self.k_fe = 0
        if fe is not None:
            self.g, uniq = pd.factorize(df[fe].to_numpy()[pos])
            self.k_fe = int(len(uniq))
            _group_demean(A, self.g, self.w, self.k_fe)
        A *= np.sqrt(self.w)[:, None]
        self.X = A[:, :k]
        self.Y = {y: A[:, k + i] for i, y in enumerate(ys)}
        self._set_clusters(cl if cluster is not None else None)
        self.gram = self.X.T @ self.X
        self.xy = {y: self.X.T @ v for y, v in self.Y.items()}

    def _rows(self, df, weights, cluster, fe) -> tuple[np.ndarray, np.ndarray | None]:
        """The frame's rows in the design, in cluster order (weights > 0, singletons out), and
        their cluster codes; sets the counts of rows dropped and whether ``fe`` nests in the
        clusters."""
        pos = np.arange(len(df))
        if weights is not None:
            w_all = df[weights].to_numpy(dtype=np.float64)
            if (w_all < 0).any() or np.isnan(w_all).any():
                raise DesignError(f"weights column {weights!r} has negative or missing values")
            pos = np.flatnonzero(w_all > 0)
        self.n_input = int(len(pos))
        self.n_singletons = 0
        if fe is not None:
            single = detect_singletons(pd.factorize(df[fe].to_numpy()[pos])[0].astype(np.uintp).reshape(-1, 1))
            self.n_singletons = int(single.sum())
            pos = pos[~single]
        if len(pos) == 0:
            raise DesignError("no rows left to fit (after weights and singletons)")
        self.fe_nested = False
        if cluster is None:
            return pos, None
        cl = pd.factorize(df[cluster].to_numpy()[pos])[0]
        if (cl < 0).any():
            raise DesignError(f"cluster column {cluster!r} has {int((cl < 0).sum()):,} missing labels")
        cl = cl.astype(np.uintp)
        if fe is not None:
            _, n_nested = count_fixef_fully_nested_all(
                all_fixef_array=np.array([fe], dtype=str),
                cluster_colnames=np.array([cluster], dtype=str),
                cluster_data=cl.reshape(-1, 1),
                fe_data=pd.factorize(df[fe].to_numpy()[pos])[0].astype(np.uintp).reshape(-1, 1),
            )
            self.fe_nested = bool(n_nested)
        order = np.argsort(cl, kind="stable")
        return pos[order], cl[order]

    def _set_clusters(self, cl: np.ndarray | None) -> None:
        self.cl = cl
        if cl is not None:
            self.bounds = np.flatnonzero(np.r_[True, cl[1:] != cl[:-1], True])
            self.G = int(len(self.bounds) - 1)

    def subset(self, mask: np.ndarray, terms: list[str] | None = None) -> Design | None:
        """The design of the frame's rows ``mask`` (a boolean array over the frame), taken from
        this one without building it again (``terms``: only their columns, one copy of the
        rows they need); ``None`` when that would not be exact: with fixed effects, when
        ``mask`` splits a group's rows (its demeaning would change)."""
        keep = np.asarray(mask, dtype=bool)[self.pos]
        if self.fe is not None:
            inside = np.bincount(self.g, weights=keep.astype(np.float64), minlength=self.k_fe)
            total = np.bincount(self.g, minlength=self.k_fe)
            if ((inside > 0) & (inside < total)).any():
                return None
        if not keep.any():
            raise DesignError("no rows left to fit in the subset")
        sel = np.flatnonzero(keep)  # the parent's rows, in the subset's order (below)
        cl = None
        if self.cl is not None:
            # clusters numbered by first appearance in the frame's order, as a fresh design would
            first = np.full(self.G, np.iinfo(np.int64).max)
            np.minimum.at(first, self.cl[sel], self.pos[sel])
            present = np.flatnonzero(first < np.iinfo(np.int64).max)
            rank = np.empty(self.G, dtype=np.uintp)
            rank[present[np.argsort(first[present])]] = np.arange(len(present), dtype=np.uintp)
            cl = rank[self.cl[sel]]
            order = np.argsort(cl, kind="stable")
            sel, cl = sel[order], cl[order]
        cols = self.index(terms) if terms is not None else list(range(len(self.names)))
        new = object.__new__(Design)
        new.__dict__.update(self.__dict__)
        new.pos = self.pos[sel]
        new.n_input = new.n = int(len(sel))
        new.n_singletons = 0
        new.w = self.w[sel]
        new.ys_raw = {y: v[sel] for y, v in self.ys_raw.items()}
        if self.fe is not None:
            new.g, uniq = pd.factorize(self.g[sel])
            new.k_fe = int(len(uniq))
        new.names = [self.names[i] for i in cols]
        if terms is not None:
            new.term_list = list(dict.fromkeys(terms))
            new.terms = set(new.term_list)
        new.X = np.empty((len(sel), len(cols)), order="F")
        for j, c in enumerate(cols):  # column by column: one gather each, no temporary
            np.take(self.X[:, c], sel, out=new.X[:, j])
        new.Y = {y: v[sel] for y, v in self.Y.items()}
        new._set_clusters(cl)
        new.gram = new.X.T @ new.X
        new.xy = {y: new.X.T @ v for y, v in new.Y.items()}
        return new

    def _in_frame_order(self, v: np.ndarray) -> np.ndarray:
        return v[np.argsort(self.pos, kind="stable")]

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

    def _vcov(self, bread, u, idx, E, vcov) -> tuple[np.ndarray, float]:
        """The covariance of a fit (bread, residuals ``u``, the design's columns ``idx`` and
        extra columns ``E``) with pyfixest's small-sample factor, and its t degrees of freedom."""
        k = bread.shape[0]
        n_fe = 1 if self.fe is not None else 0
        common = {"ssc_dict": ssc(), "N": self.n, "k": k, "k_fe": self.k_fe, "n_fe": n_fe}
        if vcov == "iid":
            adj, _, df_t = get_ssc(**common, k_fe_nested=0, n_fe_fully_nested=0, G=1, vcov_sign=1, vcov_type="iid")
            return float(adj[0]) * bread * (float(u @ u) / (self.n - 1)), float(df_t)
        if vcov != "CRV1":
            raise DesignError(f"vcov must be 'CRV1' or 'iid', not {vcov!r}")
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
        if E is not None:
            S = np.hstack([S, np.stack([E[b[g] : b[g + 1]].T @ u[b[g] : b[g + 1]] for g in range(self.G)])])
        return float(adj[0]) * (bread @ (S.T @ S) @ bread), float(df_t)

    def to_design_order(self, v: np.ndarray) -> np.ndarray:
        """An array over the design's rows in the frame's order, in the design's row order."""
        return np.asarray(v, dtype=np.float64)[np.argsort(np.argsort(self.pos, kind="stable"), kind="stable")]

    def fit(
        self,
        y: str,
        terms: list[str],
        vcov: str = "CRV1",
        keep_resid: bool = False,
        extra: dict[str, np.ndarray] | None = None,
        y_values: np.ndarray | None = None,
    ) -> Result:
        """Weighted least squares of outcome ``y`` on ``terms`` (plus the intercept without
        fixed effects); ``vcov``: ``"CRV1"`` (clustered on the design's cluster) or ``"iid"``.

        ``extra``: more regressors, ``{name: values}``, and ``y_values``: the outcome (named
        ``y``) as values rather than a column of the design; both over the design's rows in
        the frame's order (as :attr:`Result.resid`), designs without fixed effects only. Their
        cross-products with the design's columns are computed here; nothing is rebuilt."""
        if (extra or y_values is not None) and self.fe is not None:
            raise DesignError("extra regressors and outcome values need a design without fixed effects")
        idx = self.index(terms)
        sq = np.sqrt(self.w)
        E = np.column_stack([self.to_design_order(v) * sq for v in extra.values()]) if extra else None
        if y_values is not None:
            yw, yr = self.to_design_order(y_values) * sq, self.to_design_order(y_values)
            xy = self.X.T @ yw
        else:
            yw, yr, xy = self.Y[y], self.ys_raw[y], self.xy[y]
        names_all = [self.names[i] for i in idx] + list(extra or [])
        XtX = self.gram[np.ix_(idx, idx)]
        rhs = xy[idx]
        if E is not None:
            XE = (self.X.T @ E)[idx]
            XtX = np.block([[XtX, XE], [XE.T, E.T @ E]])
            rhs = np.r_[rhs, E.T @ yw]
        id_excl, _, all_removed = find_collinear_variables(np.ascontiguousarray(XtX), COLLIN_TOL)
        if all_removed:
            raise DesignError("every variable of the model is collinear")
        keep = ~np.asarray(id_excl, dtype=bool).ravel()
        collinear = [n for n, k in zip(names_all, keep) if not k]
        XtX, rhs = XtX[np.ix_(keep, keep)], rhs[keep]
        beta = np.linalg.solve(XtX, rhs)
        kx = int(keep[: len(idx)].sum())
        idx = [c for c, k in zip(idx, keep[: len(idx)]) if k]
        full = np.zeros(self.X.shape[1])
        full[idx] = beta[:kx]
        u = yw - self.X @ full
        if E is not None:
            E = E[:, keep[len(names_all) - E.shape[1] :]]
            u -= E @ beta[kx:]
        V, df_t = self._vcov(np.linalg.inv(XtX), u, idx, E, vcov)
        ssu = float(u @ u)
        ssy = float(np.sum(self.w * (yr - np.average(yr, weights=self.w)) ** 2))
        r2_within = 1 - ssu / float(yw @ yw) if self.fe is not None else np.nan
        return Result(
            names=[n for n, k in zip(names_all, keep) if k],
            beta=beta,
            se=np.sqrt(np.diagonal(V)),
            df_t=df_t,
            n=self.n,
            r2=1 - ssu / ssy,
            r2_within=r2_within,
            collinear=collinear,
            vcov=V,
            resid=self._in_frame_order(u / np.sqrt(self.w)) if keep_resid else None,
        )
