"""Pieces of the LA chapter built from its results: groups, titles, answer box, match counts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sofs_lib.chapters.la_outcomes import sentences as S
from sofs_lib.chapters.la_outcomes.analysis import published_a93_a94
from sofs_lib.core.rounding import round_half_up
from sofs_lib.published.a9 import table_a9_1
from sofs_lib.sources.dfe.groups import (
    default_comparators,
    default_pilots,
    load_groups,
    profile,
)
from sofs_lib.sources.dfe.names import LA_NAMES

LABELS = {
    "recovered": "comparators recovered from the report's tables",
    "sn2021": "April 2021 statistical-neighbour comparators",
    "given": "comparators given in the parameters",
    "synthetic": "synthetic comparators",
}


def resolve_groups(p: dict, kind: str, syn_pilots=None, syn_comparators=None):
    """``(pilots, comparators, which)``: the parameters' groups or the defaults for the data's
    kind; ``which`` is a key of :data:`LABELS`."""
    if kind == "synthetic":
        pil = p["pilots"] if p["pilots"] is not None else syn_pilots
        com = p["comparators"] if p["comparators"] is not None else syn_comparators
        return pil, com, ("given" if p["comparators"] is not None else "synthetic")
    pil = p["pilots"] if p["pilots"] is not None else default_pilots()
    if p["comparators"] is not None:
        return pil, p["comparators"], "given"
    return pil, default_comparators(p["comparator_rule"]), p["comparator_rule"]


def grid_title(which: str, kind: str, what: str = "pilots and comparators") -> str:
    """Title of the group-means figure: never the report's figure numbers, since the groups
    (and, for synthetic data, the values) are this edition's."""
    base = f"Re-creation of the method of Figures A9.1–A9.9 ({LABELS[which]})"
    if kind == "synthetic":
        base = "Synthetic data: " + base
    return f"{base}: {what}, group means with 95% confidence intervals"


def report_sentences(alpha: float = 0.05, pub: pd.DataFrame | None = None) -> list[str]:
    """What the report concluded, counted from its printed Tables A9.3/A9.4."""
    pub = pub if pub is not None else published_a93_a94()
    out = []
    for pre, what in (("a94_", "across all years (Table A9.4)"), ("a93_", "in 2018/19 (Table A9.3)")):
        sig = pub[pub[pre + "p"] < alpha]
        lower = int((sig[pre + "pilot"] < sig[pre + "snn"]).sum())
        out.append(
            f"The report finds pilots and their comparators differ significantly {what} on "
            f"{len(sig)} of {len(pub)} indicators, pilots lower on {lower} of them."
        )
    return out


def a95_match_counts(a95: pd.DataFrame) -> pd.DataFrame:
    """Table A9.5 cells equal to the published ones at the printed three decimals, per column."""
    rows = []
    for q in ("ss", "F", "p"):
        d = a95.dropna(subset=[f"{q}_published"])
        hit = [round_half_up(c, 3) == round_half_up(pv, 3) for c, pv in zip(d[q], d[f"{q}_published"])]
        rows.append({"column": q, "matched": int(sum(hit)), "of": len(d)})
    return pd.DataFrame(rows)


def match_table(cmp: pd.DataFrame, a95: pd.DataFrame) -> pd.DataFrame:
    """Matches per column of A9.3, A9.4 and A9.5."""
    m, of = S.match_counts(cmp)
    rows = [
        {"table": t, "column": q, "matched": int(m.at[t, q]), "of": of}
        for t in m.index
        for q in ("pilot_mean", "snn_mean", "F", "p")
    ]
    rows += [{"table": "A9.5", **r} for r in a95_match_counts(a95).to_dict("records")]
    return pd.DataFrame(rows)


def profile_table(chars: pd.DataFrame, codes) -> pd.DataFrame:
    """Table A9.1's SNN column beside the profile of ``codes``."""
    got = profile(chars, list(codes))
    t = table_a9_1().set_index(["characteristic", "level"])[["snns"]].rename(columns={"snns": "published (SNNs)"})
    t["this group"] = [int(got.get(k, 0)) for k in t.index]
    t["match"] = t["published (SNNs)"] == t["this group"]
    return t


def search_table(ev: dict, cached: dict) -> pd.DataFrame:
    """The evidence for the recovered group as a table (one row per group examined)."""
    rows = [{"group": "recovered", "councils": _names(ev["members"]), "means reproduced": ev["score"]}]
    for key, lab in (
        ("runner_up_without_profile", "best group once it is excluded (search)"),
        ("runner_up_with_profile", "the same, with Table A9.1's profile"),
    ):
        if key in cached:
            r = cached[key]
            rows.append(
                {
                    "group": lab,
                    "councils": _names(r["members"]),
                    "means reproduced": int(r.get("rows_reproduced_now", r["rows_reproduced"])),
                }
            )
    for key, lab in (("swap1", "best group one council away"), ("swap2", "best group two councils away")):
        b = ev[key].iloc[0]
        rows.append(
            {
                "group": lab,
                "councils": f"out {_names(b['out'])}; in {_names(b['in'])}",
                "means reproduced": int(b["score"]),
            }
        )
    return pd.DataFrame(rows).set_index("group")


def _names(codes) -> str:
    return ", ".join(LA_NAMES.get(c, c) for c in codes)


def evidence_sentences(ev: dict, cached: dict) -> list[str]:
    """How unique the recovered group is, from the evidence table."""
    rivals = [ev["swap1"]["score"].iloc[0], ev["swap2"]["score"].iloc[0]] + list(ev["rival_scores"])
    st = ev["stability"].set_index("rows_dropped")["stays_best"]
    kept = [d for d, ok in st.items() if ok]
    first = (
        f"{_names(ev['members'])} reproduce {ev['score']} of the {ev['n_rows']} printed "
        f"comparator means (among {ev['n_candidates']} candidate councils); no other group "
        f"examined reproduces more than {int(max(rivals))}."
    )
    out = [first]
    if kept:
        out.append(f"The group stays the best when any {' or '.join(map(str, kept))} of the printed means are dropped.")
    else:
        out.append("Dropping one printed mean can make another group as good: the recovery is not robust.")
    return out


def answer_parts(
    cmp,
    ver,
    which: str,
    kind: str,
    alpha: float,
    ev: dict | None = None,
    cached: dict | None = None,
    ver_alt: pd.DataFrame | None = None,
    alt_label: str = "",
    why_missed=(),
) -> dict:
    """The four parts of the answer box, every sentence generated from the results."""
    label = LABELS[which]
    miss = cmp[(cmp["quantity"] == "snn_mean") & ~cmp["match"]]
    not_rep = (
        [
            "Comparator means that differ from the printed ones: "
            + "; ".join(
                f"{r.report_name} ({r.table}: {r.computed:.2f} against {r.published:.1f})" for r in miss.itertuples()
            )
            + "."
        ]
        if len(miss)
        else ["Every printed comparator mean is reproduced."]
    )
    not_rep += list(why_missed)
    new = []
    if ev is not None:
        new += evidence_sentences(ev, cached or {})
    if ver_alt is not None:
        held = (ver_alt["status"] == "holds").sum()
        sig = ver_alt["significant_published"].sum()
        new.append(
            f"With the {alt_label} instead, only {held} of the report's {sig} significant "
            "differences (Tables A9.3 and A9.4 together) hold: the verdicts depend on "
            "which councils are compared."
        )
    if not new:
        new = [
            f"The analysis runs on {kind} data with the {label}; nothing here is evidence about Signs of Safety."
            if kind == "synthetic"
            else f"The analysis runs with the {label}."
        ]
    return {
        "report": report_sentences(alpha),
        "reproduced": [S.match_sentence(cmp, label)] + S.verdict_sentences(ver, alpha, kind),
        "not_reproduced": not_rep,
        "new": new,
    }


def cached_with_scores(panel: pd.DataFrame, cached: dict) -> dict:
    """The committed runner-up groups rescored on ``panel`` (the committed count stays as a
    check in the tests)."""
    from sofs_lib.chapters.la_outcomes import comparators as C
    from sofs_lib.chapters.la_outcomes.recovered import build_rows

    rows = build_rows(panel)
    out = dict(cached)
    for key in ("runner_up_without_profile", "runner_up_with_profile"):
        if key in out:
            r = dict(out[key])
            r["rows_reproduced_now"] = int(C.reproduced(rows, rows.index(r["members"])).sum())
            out[key] = r
    return out


def pairing_table() -> pd.DataFrame:
    """The committed pairing of comparators with pilots (``data/la_groups.yml``)."""
    g = load_groups()["comparators"]
    return pd.DataFrame(
        [
            {
                "pilot": c["pilot"],
                "comparator": c["name"],
                "April 2021 SN rank": c.get("sn_rank_2021", np.nan),
            }
            for c in g
        ]
    )
