"""The manifest of expected DfE/Ofsted/ONS files (``data/dfe_manifest.csv``) and a checker."""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import pandas as pd

from sofs_lib.core import paths
from sofs_lib.sources.dfe.errors import DfeChecksumWarning, DfeManifestError
from sofs_lib.sources.dfe.loaders import resolve_dfe_data_dir

MANIFEST_COLUMNS = ["path", "sha256", "size", "publication", "landing_page"]


def default_manifest_path() -> Path:
    return paths.repo_root() / "data" / "dfe_manifest.csv"


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def load_manifest(manifest: str | os.PathLike | None = None) -> pd.DataFrame:
    """Read the manifest (relative path, sha256, size, publication, landing page)."""
    p = Path(manifest) if manifest is not None else default_manifest_path()
    m = pd.read_csv(p, dtype={"path": str, "sha256": str, "size": "int64"}, keep_default_na=False)
    missing = [c for c in MANIFEST_COLUMNS if c not in m.columns]
    if missing:
        raise DfeManifestError(f"{p.name}: manifest lacks columns {missing}")
    return m


def check_dfe_data(
    dfe_data_dir: str | os.PathLike | None = None,
    manifest: str | os.PathLike | pd.DataFrame | None = None,
    require: bool = True,
) -> pd.DataFrame:
    """Check a data folder against the manifest.

    Returns one row per manifest entry with ``status`` in {'ok', 'changed', 'missing'} (plus
    ``actual_sha256``/``actual_size``). A missing file raises :class:`DfeManifestError` listing
    every missing path (unless ``require=False``); a file whose checksum differs only triggers a
    :class:`DfeChecksumWarning` naming it, because users may have a newer release.
    """
    root = resolve_dfe_data_dir(dfe_data_dir)
    m = manifest.copy() if isinstance(manifest, pd.DataFrame) else load_manifest(manifest)
    rows = []
    for rec in m.itertuples(index=False):
        p = root / rec.path
        if not p.is_file():
            rows.append({**rec._asdict(), "status": "missing", "actual_sha256": None, "actual_size": None})
            continue
        digest = sha256_file(p)
        size = p.stat().st_size
        status = "ok" if digest == rec.sha256 else "changed"
        rows.append({**rec._asdict(), "status": status, "actual_sha256": digest, "actual_size": size})
    out = pd.DataFrame(rows)
    changed = out.loc[out["status"] == "changed", "path"].tolist()
    for c in changed:
        warnings.warn(
            f"{c}: SHA-256 differs from the manifest (a newer or edited release?); results may "
            "differ from the documented ones",
            DfeChecksumWarning,
            stacklevel=2,
        )
    missing = out.loc[out["status"] == "missing", "path"].tolist()
    if missing and require:
        raise DfeManifestError(
            f"{len(missing)} expected file(s) missing from {root}: "
            + ", ".join(missing)
            + " (see README.md, section 'Public DfE and Ofsted data', for where to download them)",
            missing=missing,
        )
    return out


def build_manifest(dfe_data_dir, publications: dict[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """Hash every data file under ``dfe_data_dir`` (maintainer helper to refresh the manifest).
    ``publications`` maps a path prefix to (publication, landing page)."""
    root = Path(dfe_data_dir)
    rows = []
    for p in sorted(root.rglob("*")):
        if not p.is_file() or p.name.lower() == "readme.md":
            continue
        rel = p.relative_to(root).as_posix()
        pub, land = "", ""
        for prefix, (pu, la) in (publications or {}).items():
            if rel.startswith(prefix):
                pub, land = pu, la
        rows.append(
            {
                "path": rel,
                "sha256": sha256_file(p),
                "size": p.stat().st_size,
                "publication": pub,
                "landing_page": land,
            }
        )
    return pd.DataFrame(rows, columns=MANIFEST_COLUMNS)
