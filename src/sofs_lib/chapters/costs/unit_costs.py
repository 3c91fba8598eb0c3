"""The committed unit-cost file (``data/unit_costs.yml``): schema check, uprating, draws.

Every entry must give a label, a value (a number, or ``{published: <id>}`` for a number the report
prints), a unit, a price year (``"n/a"`` for quantities that are not prices), a source with its
document and table, whether it is an assumption, and the distribution the Monte Carlo draws from.
A file that breaks any rule is rejected with :class:`UnitCostError` naming the file and entry.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sofs_lib import published as pub
from sofs_lib.core import paths, yamlio

REQUIRED = ("label", "value", "unit", "price_year", "source", "assumption", "distribution")
DISTRIBUTIONS = {
    "fixed": (),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("sd",),
}
_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


class UnitCostError(ValueError):
    """The unit-cost file is missing, malformed, or an entry breaks the schema."""


@dataclass(frozen=True)
class UnitCost:
    id: str
    label: str
    value: float
    unit: str
    price_year: str
    document: str
    table: str
    url: str
    assumption: bool
    dist: str
    dist_args: tuple
    note: str
    published_id: str = ""

    @property
    def monetary(self) -> bool:
        return self.unit.upper().startswith("GBP")

    @property
    def citation(self) -> str:
        return f"{self.document}; {self.table}"


def default_path() -> Path:
    return paths.data_dir() / "unit_costs.yml"


def _year_end(py: str, where: str) -> int:
    m = _YEAR.match(py)
    if not m:
        raise UnitCostError(f"{where}: price_year {py!r} is not a financial year like '2018/19'")
    return int(m.group(1)) + 1


def _entry(eid: str, e, where: str) -> UnitCost:
    w = f"{where}, entry '{eid}'"
    if not isinstance(e, dict):
        raise UnitCostError(f"{w}: expected a mapping of fields")
    missing = [k for k in REQUIRED if k not in e or e[k] in (None, "")]
    if missing:
        raise UnitCostError(f"{w}: missing {', '.join(missing)}")
    src = e["source"]
    if not isinstance(src, dict) or not src.get("document") or not src.get("table"):
        raise UnitCostError(f"{w}: source needs a document and a table")
    value, pid = e["value"], ""
    if isinstance(value, dict):
        pid = value.get("published", "")
        if not pid:
            raise UnitCostError(f"{w}: value must be a number or {{published: <id>}}")
        value = pub.quote(pid).number
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(float(value)):
        raise UnitCostError(f"{w}: value {e['value']!r} is not a number")
    py = str(e["price_year"])
    if py != "n/a":
        _year_end(py, w)
    elif str(e["unit"]).upper().startswith("GBP"):
        raise UnitCostError(f"{w}: a price (unit {e['unit']!r}) needs a price_year")
    if not isinstance(e["assumption"], bool):
        raise UnitCostError(f"{w}: assumption must be true or false")
    d = e["distribution"]
    kind = d.get("type") if isinstance(d, dict) else None
    if kind not in DISTRIBUTIONS:
        raise UnitCostError(f"{w}: distribution type must be one of {', '.join(DISTRIBUTIONS)}")
    args = []
    for k in DISTRIBUTIONS[kind]:
        if not isinstance(d.get(k), (int, float)):
            raise UnitCostError(f"{w}: {kind} distribution needs a number '{k}'")
        args.append(float(d[k]))
    if kind in ("uniform", "triangular") and not (args[0] <= float(value) <= args[-1]):
        raise UnitCostError(f"{w}: value {value} lies outside its distribution [{args[0]}, {args[-1]}]")
    if kind == "triangular" and not args[0] <= args[1] <= args[2]:
        raise UnitCostError(f"{w}: triangular needs low <= mode <= high")
    return UnitCost(
        eid,
        str(e["label"]),
        float(value),
        str(e["unit"]),
        py,
        str(src["document"]),
        str(src["table"]),
        str(src.get("url", "")),
        e["assumption"],
        kind,
        tuple(args),
        str(e.get("note", "")),
        pid,
    )


def load_unit_costs(path: str | Path | None = None) -> tuple[str, dict[str, UnitCost]]:
    """Read and check the file; returns (price year, {id: UnitCost})."""
    p = Path(path) if path is not None else default_path()
    where = paths.relative(p) if p.is_absolute() else str(p)
    if not p.exists():
        raise UnitCostError(f"{where}: unit-cost file not found")
    try:
        doc = yamlio.load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise UnitCostError(f"{where}: not valid YAML ({exc})") from None
    if not isinstance(doc, dict) or "entries" not in doc or "price_year" not in doc:
        raise UnitCostError(f"{where}: needs top-level 'price_year' and 'entries'")
    _year_end(str(doc["price_year"]), where)
    if not isinstance(doc["entries"], dict) or not doc["entries"]:
        raise UnitCostError(f"{where}: 'entries' must be a non-empty mapping")
    return str(doc["price_year"]), {k: _entry(k, v, where) for k, v in doc["entries"].items()}


def uprate_factor(uc: UnitCost, price_year: str, growth: float) -> float:
    """Multiplier taking a monetary entry from its price year to ``price_year``."""
    if not uc.monetary or uc.price_year == "n/a":
        return 1.0
    return (1 + growth) ** (_year_end(price_year, "price year") - _year_end(uc.price_year, uc.id))


def with_overrides(costs: dict[str, UnitCost], overrides: dict[str, float | None]) -> dict[str, UnitCost]:
    """Replace the central values of assumption entries (``None`` keeps the file's value); the
    distribution is shifted to stay centred on the new value."""
    out = dict(costs)
    for k, v in overrides.items():
        if v is None:
            continue
        if k not in costs:
            raise UnitCostError(f"override for unknown unit-cost entry '{k}'")
        uc = costs[k]
        shift = float(v) - uc.value
        args = uc.dist_args if uc.dist == "normal" else tuple(a + shift for a in uc.dist_args)
        out[k] = UnitCost(
            **{
                **uc.__dict__,
                "value": float(v),
                "dist_args": args,
                "note": (uc.note + " " if uc.note else "") + "Value set by parameter.",
            }
        )
    return out


def draw(uc: UnitCost, rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` draws of one entry (its central value when fixed)."""
    a = uc.dist_args
    if uc.dist == "fixed":
        return np.full(n, uc.value)
    if uc.dist == "uniform":
        return rng.uniform(a[0], a[1], n)
    if uc.dist == "triangular":
        return rng.triangular(a[0], a[1], a[2], n) if a[0] < a[2] else np.full(n, uc.value)
    return rng.normal(uc.value, a[0], n)


def quantile_range(uc: UnitCost, q: float = 0.05) -> tuple[float, float]:
    """The q and 1-q quantiles of an entry's distribution (for the tornado chart)."""
    a = uc.dist_args
    if uc.dist == "fixed":
        return uc.value, uc.value
    if uc.dist == "uniform":
        return a[0] + q * (a[1] - a[0]), a[1] - q * (a[1] - a[0])
    if uc.dist == "normal":
        from scipy import stats

        z = stats.norm.ppf(1 - q)
        return uc.value - z * a[0], uc.value + z * a[0]
    from scipy import stats

    lo, mode, hi = a
    if hi == lo:
        return lo, hi
    c = (mode - lo) / (hi - lo)
    d = stats.triang(c, loc=lo, scale=hi - lo)
    return float(d.ppf(q)), float(d.ppf(1 - q))


def table(costs: dict[str, UnitCost], price_year: str, growth: float) -> pd.DataFrame:
    """The unit costs as a table for the chapter (value in its own and the chapter's price year)."""
    rows = []
    for uc in costs.values():
        f = uprate_factor(uc, price_year, growth)
        spread = "fixed" if uc.dist == "fixed" else f"{uc.dist} [" + ", ".join(f"{x:g}" for x in uc.dist_args) + "]"
        rows.append(
            {
                "entry": uc.id,
                "label": uc.label,
                "value": uc.value,
                "unit": uc.unit,
                "price year": uc.price_year,
                f"value at {price_year} prices": uc.value * f if uc.monetary else float("nan"),
                "distribution": spread,
                "assumption": "assumption" if uc.assumption else "sourced",
                "source": uc.citation,
            }
        )
    return pd.DataFrame(rows).set_index("entry")
