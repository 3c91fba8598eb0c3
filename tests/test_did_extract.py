"""The DiD chapter on an extract read from a folder (data_dir), as a real one would be.

A small synthetic extract is written to CSV in the CIN census / SSDA903 layout with its design
file; the chapter notebook is executed on it with papermill. Everything it computes must then be
labelled real (it came from data_dir), and the run must finish with its ledger written.
"""

from pathlib import Path

import nbformat
import papermill as pm
import pytest

from sofs_lib.chapters.did.data import load_design, write_design
from sofs_lib.core import ledger
from sofs_lib.sources import npd
from sofs_lib.synthetic import npd as synth_npd

ROOT = Path(__file__).resolve().parents[1]


def test_design_round_trip(tmp_path):
    design = npd.default_design()
    back = load_design(write_design(design, tmp_path / "design.yml"))
    assert back.groups == design.groups
    assert back.settling_years == design.settling_years
    assert back.sofs_start == design.sofs_start


@pytest.mark.parametrize(
    "text, says",
    [
        (None, "not found"),
        ("sofs_start: [unclosed", "not valid YAML"),
        ("- a list\n", "must be a mapping"),
        ("sofs_start: {}\ngroups: {}\n", "lacks 'settling_in_years'"),
        ("sofs_start: {Pilot 1: not-a-date}\nsettling_in_years: {}\ngroups: {}\n", "'sofs_start'"),
        ("sofs_start: {}\nsettling_in_years: {Pilot 1: long}\ngroups: {}\n", "'settling_in_years'"),
        ("sofs_start: {}\nsettling_in_years: {}\ngroups: [eq3a]\n", "'groups'"),
        ("sofs_start: {}\nsettling_in_years: {}\ngroups: {}\ndata_window: {start: 2008-04-01}\n", "'data_window'"),
    ],
)
def test_bad_design_file_named(tmp_path, text, says):
    """A design file that is missing, not YAML or not in the documented layout stops with an
    error naming the file and the key, not a bare TypeError or KeyError."""
    from sofs_lib.chapters.did.data import DidDataError

    path = tmp_path / "design.yml"
    if text is not None:
        path.write_text(text)
    with pytest.raises(DidDataError, match="design file") as exc:
        load_design(path)
    assert says in str(exc.value)


@pytest.mark.slow
def test_chapter_runs_on_a_data_dir_extract(tmp_path):
    ex = synth_npd.generate(seed=5, scale=0.3)
    data_dir = ex.write_csv(tmp_path / "extract")
    design = write_design(ex.design, tmp_path / "design.yml")
    out = tmp_path / "out"
    pm.execute_notebook(
        str(ROOT / "notebooks" / "05_did.ipynb"),
        str(tmp_path / "run.ipynb"),
        parameters={"data_dir": str(data_dir), "design_file": str(design), "output_dir": str(out)},
        cwd=str(ROOT),
        kernel_name="python3",
        progress_bar=False,
    )
    led = ledger.read(out / "reproduction.csv")
    assert len(led) > 100
    assert set(led["kind"]) == {"real"}
    nb = nbformat.read(tmp_path / "run.ipynb", as_version=4)
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells for o in c.get("outputs", []))
    assert "computed from the extract in data_dir" in html
    assert 'class="sofs-synthetic"' not in html.split("Table 8")[-1].split("</table>")[0]
