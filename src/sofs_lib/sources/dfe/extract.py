"""The LA-level extract: every indicator of ``data/indicators.csv`` for every English LA and
every year, built from a folder of raw DfE/Ofsted/ONS downloads by the project's own loaders and
committed under ``data/dfe_extract/`` so that the book runs on real data without any data folder.

* :func:`build_extract` ``(raw_dir) -> DataFrame``: the tidy long table;
* :func:`write_extract`: writes it (gzip, deterministic bytes), its data log and checksums,
  atomically (nothing is written unless everything was built);
* :func:`load_panel` ``(source=None, indicators=None, scope=None)``: the long panel from the
  committed extract (default), from a raw folder (a path), or the synthetic panel
  (``"synthetic"``);
* command line: ``python -m sofs_lib.sources.dfe.extract extract RAW_DIR [--out PATH]``.

Columns: ``la_code, la_name, year, indicator_id, value, suppression, publication, release,
file``. ``suppression`` is the code a missing (or, where the catalogue says so, zeroed) value
had in the raw file (``c``, ``x``, ``z``, ``u``, ``..``, ``-``, ``low`` ...), or ``joint`` for a
count of a joint workforce return; ``file`` names the raw file(s) a value came from and says
``(computed)`` for values this project computed (e.g. rates from the ONS population).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import io
import os
import re
import sys
import tempfile
from pathlib import Path

import pandas as pd

from sofs_lib.core import paths
from sofs_lib.sources.dfe import indicators as I
from sofs_lib.sources.dfe import tables
from sofs_lib.sources.dfe.errors import DfeDataError
from sofs_lib.sources.dfe.extra import EXTRA_METHODS
from sofs_lib.sources.dfe.names import LA_NAMES

COLUMNS = ["la_code", "la_name", "year", "indicator_id", "value", "suppression", "publication", "release", "file"]
EXTRACT_NAME = "la_panel.csv.gz"
LOG_NAME = "data_log.csv"
SUMS_NAME = "SHA256SUMS"


def extract_dir(root: Path | None = None) -> Path:
    """``data/dfe_extract/`` of the project."""
    return paths.data_dir(root) / "dfe_extract"


def default_extract_path() -> Path:
    return extract_dir() / EXTRACT_NAME


def _methods() -> dict:
    return {**I._METHODS, **EXTRA_METHODS}


def _catalogue(indicators=None, scope=None) -> pd.DataFrame:
    cat = I.load_indicator_catalogue(scope=scope)
    if indicators is not None:
        unknown = sorted(set(indicators) - set(cat["indicator_id"]))
        if unknown:
            raise KeyError(f"unknown indicators {unknown} (scope {scope!r})")
        cat = cat[cat["indicator_id"].isin(list(indicators))]
    return cat


def _files_in(src: str, names) -> list[str]:
    """The raw file names (of ``names``) a source string mentions, in order of mention."""
    hits = []
    for n in names:
        m = re.search(r"(?<![\w\-.&])" + re.escape(n), src)
        if m:
            hits.append((m.start(), n))
    return [n for _, n in sorted(hits)]


def _provenance(sources: pd.Series, inv: pd.DataFrame) -> pd.DataFrame:
    """Per distinct ``source`` string: publication, release and file(s)."""
    by_name = {Path(p).name: r for p, r in zip(inv["path"], inv.itertuples(index=False))}
    rows = {}
    for src in sources.dropna().unique():
        names = _files_in(src, by_name)
        recs = [by_name[n] for n in names]
        if not names:
            raise DfeDataError(f"cannot tell which raw file(s) {src!r} came from")
        tail = ""
        if "joint return" in src:
            tail = " (joint return " + re.search(r"joint return ([\d/]+)", src).group(1) + ")"
        if "(computed)" in src:
            tail += " (computed)"
        rows[src] = {
            "publication": " + ".join(dict.fromkeys(r.publication for r in recs)),
            "release": " + ".join(dict.fromkeys(r.release for r in recs)),
            "file": " | ".join(names) + tail,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def build_panel(raw_dir, indicators=None, scope=None, prefer: dict | None = None) -> pd.DataFrame:
    """The long table from a folder of raw downloads, read with the project's loaders. Two
    releases of one table: the newer wins (``prefer`` maps a table id to the file to use)."""
    root = Path(raw_dir)
    inv = tables.used_files(root, prefer)
    cat = _catalogue(indicators, scope)
    methods = _methods()
    parts = []
    with tables.preferring(prefer):
        for row in cat.itertuples(index=False):
            if row.method not in methods:
                raise DfeDataError(f"data/indicators.csv: {row.indicator_id} has unknown method {row.method!r}")
            d = methods[row.method](root, row)
            d = d.assign(indicator_id=row.indicator_id)
            parts.append(d)
    panel = pd.concat(parts, ignore_index=True)
    panel["year"] = panel["year"].astype(int)
    panel["la_code"] = panel["la_code"].astype(str)
    dup = panel.duplicated(["indicator_id", "la_code", "year"], keep=False)
    if dup.any():
        ex = panel[dup].head(2)
        raise DfeDataError(
            f"two values for one indicator, LA and year, e.g. {ex[['indicator_id', 'la_code', 'year', 'value', 'source']].to_dict('records')}"
        )
    prov = _provenance(panel["source"], inv)
    panel = panel.join(prov, on="source")
    panel["la_name"] = panel["la_code"].map(LA_NAMES)
    panel["suppression"] = panel["suppression"].astype("string")
    panel["value"] = panel["value"].astype(float)
    panel = panel[COLUMNS].sort_values(["indicator_id", "la_code", "year"]).reset_index(drop=True)
    panel.attrs.update(kind="real", source=f"raw folder {root.name}")
    return panel


def build_extract(raw_dir) -> pd.DataFrame:
    """Every catalogue indicator (A9 and extra), every English LA and year in the files."""
    return build_panel(raw_dir, scope=None)


def _csv_bytes(df: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8")


def _gzip_bytes(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(data)
    return buf.getvalue()


def _reference_files(raw_dir) -> dict[str, str]:
    root = Path(raw_dir)
    return {
        I._glob_one(root, "ofsted/Childrens_social_care_in_England_*.ods").name: "ofsted_inspections.csv",
        tables.resolve(
            root, "population-and-neighbours/New_Statistical_Neighbour_*.csv"
        ).name: "statistical_neighbours.csv",
    }


def data_log(raw_dir, panel: pd.DataFrame, extra_files: dict[str, str] | None = None) -> pd.DataFrame:
    """Publication, release, landing page, file and SHA-256 of every raw file the panel used
    (``extra_files``: file name -> reference table it fed); ``indicators`` lists what each fed."""
    inv = tables.used_files(Path(raw_dir))
    extra_files = extra_files or {}
    all_names = [Path(p).name for p in inv["path"]]
    names = set(extra_files)
    files = {f: _files_in(f, all_names) for f in panel["file"].dropna().unique()}
    for v in files.values():
        names |= set(v)
    log = inv[inv["path"].map(lambda p: Path(p).name).isin(names)]
    n = panel.assign(f=panel["file"].map(files)).explode("f")
    counts = n.groupby("f")["indicator_id"].agg(lambda s: " ".join(sorted(set(s))))

    def fed(p):
        name = Path(p).name
        return " ".join(x for x in (counts.get(name, ""), extra_files.get(name, "")) if x)

    log = log.assign(indicators=log["path"].map(fed))
    return (
        log[["path", "table_id", "publication", "release", "landing_page", "sha256", "size", "indicators"]]
        .rename(columns={"path": "file"})
        .reset_index(drop=True)
    )


#: small reference tables committed beside the extract (file name -> builder); they let the LA
#: chapter's group choices (Ofsted grades and authority types, statistical neighbours) run
#: without a raw folder
REFERENCE_TABLES = ("ofsted_inspections.csv", "statistical_neighbours.csv")
_REF_COLUMNS = {
    "ofsted_inspections.csv": [
        "la_code",
        "la_name",
        "source_la_name",
        "authority_type",
        "ofsted_region",
        "table",
        "framework",
        "published",
        "judgement",
    ],
    "statistical_neighbours.csv": [
        "la_code",
        "la_name",
        "region",
        "rank",
        "neighbour_code",
        "neighbour_name",
        "closeness",
        "section",
    ],
}


def build_reference(raw_dir) -> dict[str, pd.DataFrame]:
    """The reference tables (every Ofsted inspection judgement per LA; the April 2021
    statistical-neighbour groups), read with the project's loaders."""
    from sofs_lib.sources.dfe.loaders import load_statistical_neighbours
    from sofs_lib.sources.dfe.ofsted import load_ofsted_inspections

    root = Path(raw_dir)
    ins = load_ofsted_inspections(I._glob_one(root, "ofsted/Childrens_social_care_in_England_*.ods"))
    ins = ins.assign(published=ins["published"].dt.strftime("%Y-%m-%d"))
    sn = load_statistical_neighbours(tables.resolve(root, "population-and-neighbours/New_Statistical_Neighbour_*.csv"))
    out = {"ofsted_inspections.csv": ins, "statistical_neighbours.csv": sn}
    for name, cols in _REF_COLUMNS.items():
        d = out[name][cols]
        keys = ["la_code", "framework", "published"] if name.startswith("ofsted") else ["la_code", "section", "rank"]
        out[name] = d.sort_values(
            keys + ["source_la_name"] if name.startswith("ofsted") else keys, na_position="last"
        ).reset_index(drop=True)
    return out


def load_reference(name: str, source=None) -> pd.DataFrame:
    """A reference table from the committed folder (``source=None``) or built from a raw folder:
    ``"ofsted_inspections"`` (as :func:`sofs_lib.sources.dfe.load_ofsted_inspections` returns it) or
    ``"statistical_neighbours"`` (as :func:`sofs_lib.sources.dfe.load_statistical_neighbours`)."""
    fname = name if name.endswith(".csv") else f"{name}.csv"
    if fname not in _REF_COLUMNS:
        raise KeyError(f"unknown reference table {name!r} (known: {sorted(_REF_COLUMNS)})")
    if source is not None:
        d = build_reference(source)[fname]
    else:
        path = extract_dir() / fname
        if not path.is_file():
            raise DfeDataError(f"the committed reference table {fname} is missing", path)
        d = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    d = d.copy()
    for c in d.columns:
        if c == "rank":
            d[c] = d[c].astype(int)
        elif c == "published":
            d[c] = pd.to_datetime(d[c])
        else:
            d[c] = d[c].astype("string")
    return d


def write_extract(raw_dir, out: str | os.PathLike | None = None) -> dict:
    """Build the extract and write, atomically, ``<out>`` (gzip CSV), the data log and the
    checksums beside it. Returns the paths and checksums. On any error nothing is written."""
    out = Path(out) if out is not None else default_extract_path()
    panel = build_extract(raw_dir)
    csv = _csv_bytes(panel)
    gz = _gzip_bytes(csv)
    refs = {name: _csv_bytes(d) for name, d in build_reference(raw_dir).items()}
    log = data_log(raw_dir, panel, extra_files=_reference_files(raw_dir))
    log_bytes = _csv_bytes(log)
    sums = (
        f"{hashlib.sha256(gz).hexdigest()}  {out.name}\n"
        f"{hashlib.sha256(csv).hexdigest()}  {out.name} (decompressed CSV)\n"
        f"{hashlib.sha256(log_bytes).hexdigest()}  {LOG_NAME}\n"
        + "".join(f"{hashlib.sha256(b).hexdigest()}  {n}\n" for n, b in refs.items())
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    targets = {
        out: gz,
        out.parent / LOG_NAME: log_bytes,
        **{out.parent / n: b for n, b in refs.items()},
        out.parent / SUMS_NAME: sums.encode(),
    }
    tmp = {}
    try:
        for path, data in targets.items():
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(name, 0o644)
            tmp[path] = Path(name)
        for path, t in tmp.items():
            os.replace(t, path)
    finally:
        for t in tmp.values():
            if t.exists():
                t.unlink()
    return {
        "extract": out,
        "rows": len(panel),
        "size": len(gz),
        "sha256": hashlib.sha256(gz).hexdigest(),
        "csv_sha256": hashlib.sha256(csv).hexdigest(),
    }


def recorded_checksum(folder: Path | None = None) -> str:
    """SHA-256 of the decompressed committed extract, as recorded in ``SHA256SUMS``."""
    folder = folder or extract_dir()
    for line in (folder / SUMS_NAME).read_text().splitlines():
        if line.endswith("(decompressed CSV)"):
            return line.split()[0]
    raise DfeDataError(f"{folder / SUMS_NAME}: no checksum of the decompressed extract")


def read_extract(path: str | os.PathLike | None = None, verify: bool = True) -> pd.DataFrame:
    """The committed extract as a DataFrame (its checksum verified against ``SHA256SUMS``)."""
    path = Path(path) if path is not None else default_extract_path()
    if not path.is_file():
        raise DfeDataError(
            f"the committed extract {path.name} is missing (rebuild it with "
            "`python -m sofs_lib.sources.dfe.extract extract RAW_DIR`)",
            path,
        )
    st = path.stat()
    return _read_extract_cached(str(path.resolve()), st.st_mtime_ns, st.st_size, verify).copy()


@functools.lru_cache(maxsize=4)
def _read_extract_cached(path: str, mtime_ns: int, size: int, verify: bool) -> pd.DataFrame:
    path = Path(path)
    raw = gzip.decompress(path.read_bytes())
    if verify and hashlib.sha256(raw).hexdigest() != recorded_checksum(path.parent):
        raise DfeDataError(f"{path.name}: checksum differs from {SUMS_NAME} (damaged or edited extract)", path)
    df = pd.read_csv(
        io.BytesIO(raw),
        dtype={
            "la_code": str,
            "la_name": str,
            "indicator_id": str,
            "suppression": "string",
            "publication": str,
            "release": str,
            "file": str,
            "year": int,
            "value": float,
        },
        keep_default_na=False,
        na_values={"value": [""], "suppression": [""]},
    )
    return df[COLUMNS]


#: panels ``load_panel`` returns by name, registered by the layers that make them (the
#: synthetic panel: :mod:`sofs_lib.synthetic.la_panel`, which registers itself on import)
PANEL_PROVIDERS: dict = {}


def register_panel(name: str, provider) -> None:
    """Register ``provider()`` -> long panel (:data:`COLUMNS`) as ``load_panel(name)``."""
    PANEL_PROVIDERS[name] = provider


def _synthetic() -> pd.DataFrame:
    if "synthetic" not in PANEL_PROVIDERS:
        raise DfeDataError(
            "load_panel('synthetic'): the synthetic panel is provided by "
            "sofs_lib.synthetic.la_panel; import that module first"
        )
    return PANEL_PROVIDERS["synthetic"]()[COLUMNS]


def load_panel(source=None, indicators=None, scope=None, prefer: dict | None = None) -> pd.DataFrame:
    """The long LA panel (:data:`COLUMNS`).

    ``source=None``: the committed extract (real data; works on a fresh clone); a path: a folder
    of raw downloads read with the loaders; ``"synthetic"``: the synthetic panel of the LA
    chapter's tests (A9 indicators, 16 synthetic LAs, 2014/15-2018/19). ``indicators``: a list
    of ids; ``scope``: ``"A9"``, ``"extra"`` or None (all). ``attrs['kind']`` is ``real`` or
    ``synthetic``; ``attrs['source']`` says where the numbers came from.
    """
    if isinstance(source, str) and source == "synthetic":
        panel = _synthetic()
        kind, where = "synthetic", "synthetic panel (sofs_lib.synthetic.la_panel)"
    elif source is None:
        panel = read_extract()
        kind, where = "real", f"committed extract data/dfe_extract/{EXTRACT_NAME}"
    else:
        root = Path(source)
        if not root.is_dir():
            raise DfeDataError(f"data folder {source} does not exist")
        panel = build_panel(root, indicators, scope, prefer)
        kind, where = "real", f"raw folder {root.name}"
    cat = _catalogue(indicators, scope)
    panel = panel[panel["indicator_id"].isin(set(cat["indicator_id"]))].reset_index(drop=True)
    panel.attrs.update(kind=kind, source=where)
    return panel


def indicator_sources(panel: pd.DataFrame) -> pd.DataFrame:
    """Which publication, release and file(s) each indicator came from (one row per
    indicator and distinct source), with the years each covers."""
    g = panel.groupby(["indicator_id", "publication", "release", "file"], sort=False)["year"]
    out = g.agg(first_year="min", last_year="max").reset_index()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m sofs_lib.sources.dfe.extract",
        description="Build the committed LA-level extract from raw DfE/Ofsted/ONS files.",
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("extract", help="build the extract from RAW_DIR")
    e.add_argument("raw_dir")
    e.add_argument("--out", default=None, help=f"output file (default data/dfe_extract/{EXTRACT_NAME})")
    a = ap.parse_args(argv)
    try:
        res = write_extract(a.raw_dir, a.out)
    except (DfeDataError, KeyError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"wrote {paths.relative(res['extract']) if hasattr(paths, 'relative') else res['extract']}: "
        f"{res['rows']} rows, {res['size']} bytes, sha256 {res['sha256']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
