"""Revisions between releases (LA chapter, last section)."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest
from scipy import stats

from sofs_lib.chapters.la_outcomes import revisions as R

PILOTS, COMPS = ["001", "002"], ["009", "010"]


def panel(pilot_2019_first=10.0):
    rows = []
    for y in range(2015, 2020):
        for code, v in (("001", 10.0), ("002", 12.0), ("009", 20.0), ("010", 22.0)):
            if code == "001" and y == 2019:
                v = pilot_2019_first
            rows.append(
                {
                    "indicator_id": "cin_rate",
                    "year": y,
                    "la_code": code,
                    "value": v,
                    "release": "2022" if pilot_2019_first == 10.0 else "2024",
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def table():
    return R.revisions(panel(), panel(16.0), (2015, 2019), PILOTS, COMPS)


def test_pilot_means_move_by_hand(table):
    t = table.set_index("table")
    # A9.3 (2018/19): pilots (10+12)/2 = 11 -> (16+12)/2 = 14
    assert t.at["A9.3", "pilot_old"] == 11 and t.at["A9.3", "pilot_new"] == 14
    assert t.at["A9.3", "pilot_change"] == pytest.approx(3.0)
    # A9.4 (all years): (4*10 + 16 + 5*12)/10 = 11.6
    assert t.at["A9.4", "pilot_new"] == pytest.approx(11.6) and t.at["A9.4", "pilot_change"] == pytest.approx(0.6)
    assert t.at["A9.3", "release_old"] == "2022" and t.at["A9.3", "release_new"] == "2024"


def test_verdict_change_worked_by_hand(table):
    t = table.set_index("table")
    # old 2018/19: groups {10,12} vs {20,22}: MS between 100, MS within 2, F = 50 on (1, 2)
    assert t.at["A9.3", "p_old"] == pytest.approx(stats.f.sf(50, 1, 2))
    # new: {16,12} vs {20,22}: MS between 49, MS within 5, F = 9.8
    assert t.at["A9.3", "p_new"] == pytest.approx(stats.f.sf(9.8, 1, 2))
    assert t.at["A9.3", "significant_old"] and not t.at["A9.3", "significant_new"]
    assert t.at["A9.3", "verdict_changed"]


def test_summary_says_what_moved_and_which_verdict_changed(table):
    s = R.revision_summary(table)
    assert "Pilot means move for 1 of 1 in Table A9.3 and 1 of 1 in Table A9.4" in s
    assert "11.00 in release 2022, 14.00 in release 2024 (+3.00)" in s
    assert "The verdict changes for 1" in s and "p 0.019 → 0.089" in s


def test_summary_counter_examples():
    same = R.revisions(panel(), panel(), (2015, 2019), PILOTS, COMPS)
    s = R.revision_summary(same)
    assert s.startswith("None of the 1 pilot means") and "No verdict changes" in s
    small = R.revisions(panel(), panel(10.5), (2015, 2019), PILOTS, COMPS)
    s = R.revision_summary(small)
    assert "Pilot means move" in s and "No verdict changes" in s


def test_committed_table_is_rebuilt_from_the_raw_folders(dfe_dir, tmp_path):
    newer = dfe_dir.parent / "dfe-data-2024"
    if not (newer / "ees").is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{newer} not found")
        pytest.skip(f"{newer} not found")
    out = R.write_table(R.build_revisions_table(dfe_dir, newer), tmp_path / "rev.csv")
    assert out.read_bytes() == R.committed_path().read_bytes()
    t = R.read_committed()
    # the 2024 release re-based every CIN rate: the children-in-need pilot mean moves
    cin = t[(t["indicator_id"] == "cin_rate") & (t["table"] == "A9.3")].iloc[0]
    assert cin["release_old"] == "2022" and cin["release_new"] == "2024" and abs(cin["pilot_change"]) > 1


def test_chapter_runs_on_a_mixed_2022_2024_folder(dfe_dir, tmp_path, root):
    """The LA chapter on a folder where the 2024 files replace their 2022 versions."""
    import papermill as pm

    from sofs_lib.sources.dfe.tables import mixed_folder

    newer = dfe_dir.parent / "dfe-data-2024"
    if not (newer / "ees").is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{newer} not found")
        pytest.skip(f"{newer} not found")
    mixed = tmp_path / "mixed"
    rep = mixed_folder(dfe_dir, newer, mixed)
    assert set(rep["table_id"]) == {"b1", "c1", "d3", "d5", "cla_rates", "cla_ceased"}
    out = tmp_path / "out"
    nb_out = tmp_path / "la.ipynb"
    env = {"PYTHONPATH": str(root / "src")}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        pm.execute_notebook(
            str(root / "notebooks" / "04_la_outcomes.ipynb"),
            str(nb_out),
            cwd=str(root),
            parameters={"dfe_data_dir": str(mixed), "later_years": "2018/19-2023/24", "output_dir": str(out)},
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
        )
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    # long ids in tables carry <wbr> break opportunities (sofs_lib.display.tables.wrap_html)
    text = json.dumps(json.loads(nb_out.read_text(encoding="utf-8"))).replace("<wbr>", "")
    assert "computed now, the committed extract (2022 release) against the folder read here" in text
    assert "b1_children_in_need_2013_to_2024.csv" in text
    rev = pd.read_csv(out / "revisions_between_releases.csv", dtype={"release_old": str, "release_new": str})
    cin = rev[(rev["indicator_id"] == "cin_rate") & (rev["table"] == "A9.3")].iloc[0]
    assert cin["release_new"] == "2024" and abs(cin["pilot_change"]) > 1
    assert "Revised indicators: group means from the report" in text
