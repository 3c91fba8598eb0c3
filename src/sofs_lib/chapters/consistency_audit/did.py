"""Checks of the difference-in-differences tables of appendix 10 and the text quoting them."""

from __future__ import annotations

import math

from sofs_lib import published as pub
from sofs_lib.chapters.consistency_audit.base import (
    Check,
    Entry,
    _c,
    _q,
    _slug,
    half_unit,
    judge,
    p_interval,
    worst,
)
from sofs_lib.chapters.consistency_audit.did_samples import (
    check_a10_5_stars,
    check_category_sums,
    check_leads,
    check_pilot_counts,
    check_rereferral_baseline,
    check_sample_sizes,
)
from sofs_lib.core.rounding import round_half_up
from sofs_lib.core.stars import stars as stars_for

# ---------------------------------------------------------------------------- DiD
DID_PAIRS = [
    # text p id, text coefficient id (or None), table, row, column, coefficient scale (text/table)
    ("did_a10_assess_p", "did_assess_days", "A10.6", "DiD", "Fixed effects model", 1),
    ("did_a10_assess_excl_p2_p", None, "A10.6", "DiD", "Excluding Pilot 2", 1),
    ("did_a10_assess_excl_p4_p", None, "A10.6", "DiD", "Excluding Pilot 4", 1),
    (None, "did_a10_assess_alt_cutoff_coef", "A10.6", "DiD", "Alternative cut-off", 1),
    (
        "did_a10_sameday_p",
        "did_a10_sameday_pp",
        "A10.7",
        "DiD (pilot LA * post settling-in period)",
        "Same day",
        100,
    ),
    (
        "did_a10_delivery_p",
        "did_a10_delivery_coef",
        "A10.7",
        "Quality of delivery * post-settling-in period",
        "Quality of delivery",
        1,
    ),
    (
        "did_a10_embedded_p",
        "did_a10_embedded_coef",
        "A10.7",
        "Embeddedness score * post settling-in period",
        "Embeddedness of SofS",
        1,
    ),
    (
        "did_a10_pm_neither_p",
        "did_a10_pm_neither_coef",
        "A10.7",
        "Comparator LA without a similar practice model * post settling-in period",
        "Alternative practice models",
        1,
    ),
    (
        "did_a10_ofsted_beta4_p",
        "did_a10_ofsted_beta4",
        "A10.7",
        "DiD (pilot LA * post settling-in period)",
        "Ofsted",
        1,
    ),
    (
        "did_a10_ofsted_beta7_p",
        "did_a10_ofsted_beta7",
        "A10.7",
        "Pilot LA * post settling-in period * Ofsted rating",
        "Ofsted",
        1,
    ),
    ("did_a10_rereferral_p", "did_a10_rereferral_pp", "A10.8", "DiD", "Linear model", 100),
    (None, "did_a10_rereferral_main_coef", "A10.8", "DiD", "Linear model", 1),
    (
        "did_a10_rereferral_pm_p",
        "did_a10_rereferral_pm_coef",
        "A10.9",
        "Comparator LA without a similar practice model * post settling-in period",
        "Alternative practice models",
        1,
    ),
    ("did_a10_kinship_p", "did_a10_kinship_pp", "A10.11", "DiD", "Linear model", 100),
    ("did_a10_kinship_excl_p2_p", None, "A10.11", "DiD", "Excluding pilot 2", 1),
    (
        "did_a10_kinship_pm_p",
        "did_a10_kinship_pm_to",
        "A10.12",
        "Comparator LA without a similar practice model * post settling-in period",
        "Alternative practice models",
        100,
    ),
    (
        "did_a10_kinship_ofsted_did_p",
        "did_a10_kinship_ofsted_did",
        "A10.12",
        "DiD (pilot LA * post settling-in period)",
        "Ofsted",
        1,
    ),
    (
        "did_a10_kinship_triple_p",
        None,
        "A10.12",
        "Pilot LA * post settling-in period * Ofsted rating",
        "Ofsted",
        1,
    ),
    # report text against appendix text
    ("did_sameday_p", "did_sameday_pp", "A10.7", "DiD (pilot LA * post settling-in period)", "Same day", 100),
    ("did_rereferral_p", "did_rereferral_pp", "A10.8", "DiD", "Linear model", 100),
    ("did_kinship_p", "did_kinship_pp", "A10.11", "DiD", "Linear model", 100),
]


def check_did_text_vs_tables() -> list[Check]:
    """DiD effects and p-values quoted in the text against the stars and coefficients of the
    Appendix 10 tables."""
    entries, bad = [], []
    for pid, cid, tid, row, col, scale in DID_PAIRS:
        cell = _c(tid, row, col)
        if pid:
            p = _q(pid)
            pl, ph = p_interval(p)
            ok_stars = {stars_for(pl), stars_for(max(ph - 1e-12, 0))}
            v = "consistent" if cell.marker in ok_stars else "inconsistent"
            entries.append(
                Entry(
                    tid,
                    row,
                    col + " (stars)",
                    p.number,
                    float(len(cell.marker)),
                    v,
                    f"text {pid} = {p.text} implies '{stars_for(p.number) or 'no star'}'; table prints {cell.text}",
                )
            )
            if v != "consistent":
                bad.append(f"{pid} {p.text} vs {tid} {cell.text}")
        if cid:
            c = _q(cid)
            txt = c.number / scale
            if cid in ("did_assess_days",):  # 'almost 3 working days'
                v = "consistent" if c.number - 0.5 <= abs(cell.number) <= c.number else "inconsistent"
            else:
                v = judge(cell, math.copysign(abs(txt), cell.number))
                if v != "consistent":
                    # the table rounds more coarsely than the text: compare at the table's decimals
                    v = (
                        "consistent"
                        if math.isclose(round_half_up(abs(txt), cell.decimals or 0), abs(cell.number))
                        else v
                    )
            entries.append(
                Entry(
                    tid,
                    row,
                    col,
                    cell.number,
                    math.copysign(abs(txt), cell.number),
                    v,
                    f"text {cid} = {c.text}{' (percentage points)' if scale == 100 else ''}; "
                    "sign as in the table (the text states direction in words)",
                )
            )
            if v != "consistent":
                bad.append(f"{cid} {c.text} vs {tid} {cell.text}")
    verdict = worst(e.verdict for e in entries)
    return [
        Check(
            "did_text_vs_tables",
            "DiD (A10)",
            "Effects and p-values quoted in the text against Tables A10.6–A10.12",
            "text did_* and did_a10_*; Tables A10.6–A10.12",
            "Stars: *p<0.1, **p<0.05, ***p<0.01 (the tables' note); a quoted 'p=0' means p < .0005; "
            "percentage points = 100 x coefficient.",
            f"{len(entries) - len(bad)} of {len(entries)} comparisons agree",
            f"{len(entries)} comparisons",
            verdict,
            "Every quoted coefficient rounds to the printed one and every quoted p-value carries "
            "the stars the table prints (e.g. "
            + "; ".join(
                f"p={_q(pid).text} → {_c(t, r, col).text}"
                for pid, _, t, r, col, _ in [DID_PAIRS[10], DID_PAIRS[13], DID_PAIRS[14]]
            )
            + ")."
            if not bad
            else "Disagreements: " + "; ".join(bad) + ".",
            entries,
        )
    ]


def check_did_counterfactuals() -> list[Check]:
    """'From X% to Y%': X = Y + effect (footnote 42: the coefficient added to the pilots' post
    mean)."""
    out = []
    for name, pp_id, frm, to in (
        ("re-referral", "did_a10_rereferral_pp", "did_rereferral_from", "did_rereferral_to"),
        ("kinship care", "did_a10_kinship_pp", "did_kinship_from", "did_kinship_to"),
    ):
        pp, a, b = _q(pp_id), _q(frm), _q(to)
        central = b.number + pp.number
        lo, hi = b.number - 0.5 + pp.number - half_unit(pp), b.number + 0.5 + pp.number + half_unit(pp)
        v = judge(a, central, lo, hi)
        rel = pp.number / central
        out.append(
            Check(
                f"did_counterfactual_{_slug(name)}",
                "DiD (A10)",
                f"{name}: 'from {a.text}% to {b.text}%'",
                f"text {pp_id}, {frm}, {to}",
                "Footnote 42: the counterfactual is the pilots' post-treatment mean plus the DiD "
                "coefficient; the post mean is the printed 'to' value (rounded).",
                f"{b.text} + {pp.text} = {central:.2f}% (rounding allows {lo:.2f}–{hi:.2f})",
                f"{a.text}%",
                v,
                f"{b.text}% + {pp.text} points = {central:.2f}%, which rounds to {round_half_up(central, 0):.0f}%. "
                f"As a relative change that is {100 * rel:.0f}% of the counterfactual.",
                [Entry("text", frm, "counterfactual", a.number, central, v, f"{to} + {pp_id}")],
            )
        )
    # 'greater than the projected 20 per cent change'
    pp, a = _q("did_a10_rereferral_pp"), _q("did_rereferral_from")
    mtm = _q("did_mtm_projected_change")
    rel = 100 * pp.number / (_q("did_rereferral_to").number + pp.number)
    v = "consistent" if rel > mtm.number else "inconsistent"
    out.append(
        Check(
            "did_rereferral_vs_mtm",
            "DiD (A10)",
            f"Re-referral decrease 'greater than the projected {mtm.text} per cent change'",
            "text did_a10_rereferral_pp, did_rereferral_from/to, did_mtm_projected_change",
            f"'{mtm.text} per cent shift' read as a relative change of the outcome.",
            f"relative decrease {rel:.0f}%",
            f"> {mtm.text}%",
            v,
            f"{pp.text} points on a counterfactual of about {a.text}% is a {rel:.0f}% relative fall, "
            f"above {mtm.text}%. "
            f"(As an absolute change, {pp.text} points would be below 20 points.)",
            [Entry("text", "did_mtm_projected_change", "relative change", mtm.number, rel, v)],
        )
    )
    # lagged re-referral effects grow
    lags = [_c("A10.8", f"DiD in year t{s}", "Lagged treatment") for s in ("", "+1", "+2")]
    grows = all(abs(lags[i + 1].number) > abs(lags[i].number) for i in range(len(lags) - 1))
    v = "consistent" if grows else "inconsistent"
    out.append(
        Check(
            "did_rereferral_grows",
            "DiD (A10)",
            "'The magnitude of the effect on re-referral rates increased over time'",
            pub.cite("A10.8"),
            "",
            " → ".join(l.text for l in lags),
            "increasing",
            v,
            "The lagged DiD coefficients grow in size year by year; only the last is significant.",
            [Entry("A10.8", "DiD in year t+2", "Lagged treatment", lags[-1].number, lags[-1].number, v)],
        )
    )
    return out


def check_did_samples() -> list[Check]:
    """Ns and pilot counts across Tables A10.1, A10.3, A10.4 and the table notes, the leads and
    the star convention of Table A10.5, and the category sums of Tables A10.3/A10.4."""
    return [
        check_pilot_counts(),
        check_sample_sizes(),
        check_leads(),
        check_rereferral_baseline(),
        check_a10_5_stars(),
    ] + check_category_sums()
