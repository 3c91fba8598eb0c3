"""Appendix 9's tables (A9.1, A9.3-A9.5) read from ``data/published`` into analysis frames.

The rows of A9.3-A9.5 are matched to the indicator catalogue (``data/indicators.csv``) passed in
by the caller; each row's label is checked against the catalogue's ``report_name``.
"""

from __future__ import annotations

import pandas as pd

from sofs_lib.published import PublishedDataError, table, wide


def table_a9_1() -> pd.DataFrame:
    """Table A9.1 (characteristics of the 8 pilots and their 8 SNNs) as
    ``characteristic, level, pilots, snns`` (characteristic: type, region or ofsted)."""
    t = table("A9.1")
    kinds = {"Authority type": "type", "Region": "region", "Ofsted rating": "ofsted"}
    t[["head", "level"]] = t["row"].str.split(": ", n=1, expand=True)
    t["characteristic"] = t["head"].map(kinds)
    if t["characteristic"].isna().any():
        raise PublishedDataError(
            f"Table A9.1: unknown row heads {sorted(set(t.loc[t['characteristic'].isna(), 'head']))}"
        )
    w = t.pivot_table(index=["characteristic", "level"], columns="column", values="number", sort=False).reset_index()
    out = w.rename(columns={"Pilot sites": "pilots", "SNNs": "snns"})
    out[["pilots", "snns"]] = out[["pilots", "snns"]].astype(int)
    return out[["characteristic", "level", "pilots", "snns"]]


def _norm(label: str) -> str:
    """Row labels compared loosely (dash variants, 'child)' for 'children)', spacing)."""
    t = label.replace("–", "-").replace("—", "-").replace("(rate per 10,000 child)", "(rate per 10,000 children)")
    return " ".join(t.lower().split())


def a93_a94(catalogue: pd.DataFrame) -> pd.DataFrame:
    """Tables A9.3 (2018/19) and A9.4 (all years) from ``data/published``, one row per
    indicator: ``indicator_id, a93_pilot, a93_snn, a93_F, a93_p, a94_pilot, ...``.

    The tables list the 29 indicators in the catalogue's order (``order`` column); each row's
    label is checked against the catalogue's ``report_name`` before it is used.
    """
    cat = catalogue.sort_values("order")
    out = pd.DataFrame({"indicator_id": cat["indicator_id"].to_numpy()})
    for tid, pre in (("A9.3", "a93_"), ("A9.4", "a94_")):
        w = wide(tid)
        if len(w) != len(cat):
            raise PublishedDataError(f"Table {tid} has {len(w)} rows; the catalogue has {len(cat)}")
        for label, name in zip(w.index, cat["report_name"]):
            if _norm(label)[:25] != _norm(name)[:25]:
                raise PublishedDataError(f"Table {tid} row {label!r} does not match catalogue indicator {name!r}")
        for col, key in (
            ("Pilot mean", "pilot"),
            ("SNN mean", "snn"),
            ("F Statistic", "F"),
            ("P-value", "p"),
        ):
            out[pre + key] = w[col].to_numpy()
    return out


def a95(catalogue: pd.DataFrame) -> dict:
    """Table A9.5 from ``data/published``: indicator -> rows (source, SS, df, MS, F, sig)."""
    cat = catalogue
    by_name = {_norm(n)[:40]: i for i, n in zip(cat["indicator_id"], cat["report_name"])}
    t = table("A9.5")
    t[["dep", "source"]] = t["row"].str.rsplit(": ", n=1, expand=True)
    out: dict = {}
    for dep, block in t.groupby("dep", sort=False):
        iid = by_name.get(_norm(dep)[:40])
        if iid is None:
            raise PublishedDataError(f"Table A9.5: no catalogue indicator for {dep!r}")
        rows = []
        for source, g in block.groupby("source", sort=False):
            v = g.set_index("column")["number"]
            get = lambda c: None if (c not in v or pd.isna(v[c])) else float(v[c])  # noqa: E731
            rows.append(
                (
                    source[:1].upper() + source[1:],
                    get("Type III sum of squares"),
                    None if get("df") is None else int(get("df")),
                    get("Mean square"),
                    get("F"),
                    get("Sig."),
                )
            )
        out[iid] = rows
    return out


def a95_frame(catalogue: pd.DataFrame) -> pd.DataFrame:
    """Table A9.5 as a tidy frame (indicator_id, source, ss, df, ms, F, p)."""
    rows = [(i, *r) for i, rs in a95(catalogue).items() for r in rs]
    return pd.DataFrame(rows, columns=["indicator_id", "source", "ss", "df", "ms", "F", "p"])
