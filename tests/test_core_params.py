import pytest

from sofs_lib.build.registry import ChapterNotFound, spec_for
from sofs_lib.core.params import Param, ParameterError, Spec, parse_override

SPEC = Spec(
    "99_demo",
    (
        Param("alpha", (float,), 0.05, "level", minimum=0.001, maximum=0.2),
        Param("seed", (int,), 1, "seed", minimum=0),
        Param("mode", (str,), "a", "mode", choices=("a", "b")),
        Param("data_dir", (str, type(None)), None, "folder"),
    ),
)


def test_defaults_and_coercion():
    eff = SPEC.resolve({"alpha": 0.1})
    assert eff == {"alpha": 0.1, "seed": 1, "mode": "a", "data_dir": None}
    with pytest.raises(ParameterError):
        SPEC.resolve({"alpha": 0})  # an int is accepted as a float, but 0 is below the minimum
    assert isinstance(SPEC.resolve({"alpha": 0.1})["alpha"], float)


@pytest.mark.parametrize(
    "values, words",
    [
        ({"alpah": 0.1}, ["Unknown parameter 'alpah'", "99_demo", "alpha, seed, mode, data_dir"]),
        ({"alpha": "high"}, ["'alpha'", "a number", "'high'"]),
        ({"alpha": 0.5}, ["'alpha'", "from 0.001 to 0.2", "0.5"]),
        ({"seed": -1}, ["'seed'", "at least 0"]),
        ({"seed": 1.5}, ["'seed'", "a whole number"]),
        ({"seed": True}, ["'seed'"]),
        ({"mode": "c"}, ["'mode'", "one of 'a', 'b'"]),
    ],
)
def test_bad_values_give_one_clear_sentence(values, words):
    with pytest.raises(ParameterError) as exc:
        SPEC.resolve(values)
    msg = str(exc.value)
    for w in words:
        assert w in msg
    assert msg.count(".") >= 1 and "\n" not in msg


def test_validate_reads_namespace_and_papermill_injected_names():
    ns = {
        "alpha": 0.05,
        "seed": 1,
        "mode": "a",
        "data_dir": None,
        "In": ["", "# Parameters\nalpha = 0.1\nbogus = 3\n"],
    }
    with pytest.raises(ParameterError, match="Unknown parameter 'bogus'"):
        SPEC.validate(ns)
    ns["In"] = ["", "# Parameters\nalpha = 0.1\n"]
    assert SPEC.validate(ns)["alpha"] == 0.05  # the namespace holds the effective value


def test_validate_missing_parameter():
    with pytest.raises(ParameterError, match="no value for parameter"):
        SPEC.validate({"alpha": 0.05})


@pytest.mark.parametrize(
    "text, expected",
    [
        ("alpha=0.01", ("alpha", 0.01)),
        ("seed=3", ("seed", 3)),
        ("flag=true", ("flag", True)),
        ("data_dir=null", ("data_dir", None)),
        ("years=[2015, 2016]", ("years", [2015, 2016])),
        ("mode=b", ("mode", "b")),
    ],
)
def test_parse_override(text, expected):
    assert parse_override(text) == expected


@pytest.mark.parametrize("text", ["alpha", "1x=3", "a=[1,"])
def test_parse_override_rejects(text):
    with pytest.raises(ParameterError):
        parse_override(text)


def test_registered_chapter_specs_load():
    spec = spec_for("01_implementation")
    assert spec is not None and "alpha" in spec.names and "output_dir" in spec.names
    with pytest.raises(ChapterNotFound):
        spec_for("99_no_such_chapter")
