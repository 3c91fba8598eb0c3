import math

import pandas as pd
import pytest

from sofs_lib.core import ledger
from sofs_lib.published import recon


def test_count_bounds_by_hand():
    # 82% of 51: 42/51 = 82.35% -> 82; 41/51 = 80.4, 43/51 = 84.3
    assert recon.count_bounds(82, 51) == (42, 42)
    # 50% of 200: 99/200 = 49.5 -> 50 (half up), 100 -> 50, 101/200 = 50.5 -> 51
    assert recon.count_bounds(50, 200) == (99, 100)
    with pytest.raises(recon.ReconstructionError, match="no count out of 61 gives 83"):
        recon.count_bounds(83, 61)


def test_count_options_allow_nonresponse():
    # 83% of 61 is impossible; of 60, 50/60 = 83.3% fits
    assert (50, 60) in recon.count_options(83, 61, max_missing=1)
    assert recon.count_options(83, 61, max_missing=0) == []


def test_chi2_range_matches_hand_computation():
    # Table 2, 'Family network meetings': 75% of 51, 73% of 61, 91% of 118, 60% of 61.
    # Central reconstruction (worked by hand): 38/51, 44/60, 107/118, 36/60.
    pct = pd.Series({"P1": 75, "P7": 73, "P8": 91, "P9": 60})
    ns = pd.Series({"P1": 51, "P7": 61, "P8": 118, "P9": 61})
    ct = recon.counts_table(pct, ns, max_missing=3)
    assert ct["count"].tolist() == [38, 44, 107, 36]
    assert ct["denominator"].tolist() == [51, 60, 118, 60]
    res = recon.chi2_range(pct, ns, max_missing=3)
    # Pearson chi-square by hand on [[38,44,107,36],[13,16,11,24]] = 23.391 (3 df)
    assert res["statistic"] == pytest.approx(23.391, abs=0.002)
    assert res["dof"] == 3
    assert res["stat_min"] <= res["statistic"] <= res["stat_max"]
    assert res["nonresponse_assumed"] == ["P7", "P9"]


@pytest.mark.parametrize(
    "pub, rep, dec, tol, status",
    [
        (7.6, 7.64, 1, 0, "exact"),
        (6.4, 6.46, 1, 0.05, "within rounding"),  # 6.46 prints as 6.5, but rounded inputs allow 6.4
        (6.4, 6.46, 1, 0, "differs"),
        (6.0, 3.1, 1, 0.05, "differs"),
        (0.35, 0.345, 2, 0, "exact"),  # half up
        (-12.6, -12.64, 1, 0, "exact"),
        (5.0, None, 1, 0, "not reproducible"),
        (5.0, math.nan, 1, 0, "not reproducible"),
    ],
)
def test_classify(pub, rep, dec, tol, status):
    assert ledger.classify(pub, rep, dec, tol) == status


def test_ledger_write_and_read(tmp_path):
    led = ledger.Ledger("99_demo")
    led.record("A8.1", "item", "T3", published=7.6, reproduced=7.64, decimals=1, kind="derived")
    led.record("A8.1", "item", "T1", published=6.0, reproduced=3.1, decimals=1, kind="derived")
    with pytest.raises(ledger.LedgerError, match="kind must be one of"):
        led.record("x", "r", "c", published=1, reproduced=1, kind="guess")
    path = led.write(tmp_path)
    back = ledger.read(path)
    assert back["status"].tolist() == ["exact", "differs"]
    assert list(back.columns) == ledger.COLUMNS
    assert led.summary().loc["differs", "comparisons"] == 1
    assert not list(tmp_path.glob("*.tmp"))


def test_ledger_read_rejects_unknown_status(tmp_path):
    p = tmp_path / "reproduction.csv"
    p.write_text(",".join(ledger.COLUMNS) + "\nc,1,r,c,1,1,derived,close enough,\n")
    with pytest.raises(ledger.LedgerError, match="unknown status"):
        ledger.read(p)
