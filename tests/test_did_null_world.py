"""The null world (every true effect zero) computed in a second process gives the verdicts it
gives in this one, and a worker that fails falls back to this process."""

import pytest

from sofs_lib.chapters.did import analysis as A
from sofs_lib.chapters.did import null_world as AN
from sofs_lib.chapters.did.params import SPEC


@pytest.mark.slow
def test_null_world_beside_is_the_null_world_here():
    p = SPEC.resolve({"scale": 0.15})
    here = AN.null_world(p)
    assert set(here) == set(A.EQ_INFO)
    assert AN.start_null_world(p)() == here


def test_a_worker_that_fails_falls_back(monkeypatch):
    import subprocess

    class Proc:
        returncode = 1

        def __init__(self, *a, **k):
            pass

        def communicate(self):
            return b"", b"no worker"

    calls = []
    monkeypatch.setattr(subprocess, "Popen", Proc)
    monkeypatch.setattr(AN, "null_world", lambda params: calls.append(params) or {"eq3a": "verdict"})
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    monkeypatch.setattr(AN, "memory_available_gb", lambda: None)
    assert AN.start_null_world({"seed": 1})() == {"eq3a": "verdict"}
    assert calls == [{"seed": 1}]


def test_without_the_memory_for_two_analyses_it_runs_here_first(monkeypatch):
    calls = []
    monkeypatch.setattr(AN, "null_world", lambda params: calls.append(params) or {"eq3a": "v"})
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    monkeypatch.setattr(AN, "memory_available_gb", lambda: 2 * (AN.PEAK_GB[0] + AN.PEAK_GB[1] * 4.1) - 0.1)
    get = AN.start_null_world({"scale": 4.1})
    assert calls == [{"scale": 4.1}]  # computed at once, before the caller's analysis
    assert get() == {"eq3a": "v"}


def test_memory_available_is_read_or_unknown():
    v = AN.memory_available_gb()
    assert v is None or v > 0
