"""The null world (every true effect zero) computed in a second process gives the verdicts it
gives in this one, and a worker that cannot start falls back to this process."""

import pytest

from sofs_lib.chapters.did import analysis as AN
from sofs_lib.chapters.did.params import SPEC


@pytest.mark.slow
def test_null_world_beside_is_the_null_world_here():
    p = SPEC.resolve({"scale": 0.15})
    here = AN.null_world(p)
    assert set(here) == set(AN.EQ_INFO)
    assert AN.start_null_world(p)() == here


def test_a_broken_worker_falls_back(monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    class Pool:
        def __init__(self, *a, **k):
            pass

        def submit(self, fn, *a):
            class F:
                def result(self):
                    raise BrokenProcessPool("no worker")

            return F()

        def shutdown(self):
            pass

    calls = []
    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", Pool)
    monkeypatch.setattr(AN, "null_world", lambda params: calls.append(params) or {"eq3a": "verdict"})
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert AN.start_null_world({"seed": 1})() == {"eq3a": "verdict"}
    assert calls == [{"seed": 1}]
