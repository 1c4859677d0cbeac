"""Shared fixtures of the srtlog Python suite: the repository's fixture runs, their loads and
JSON documents, and the srtlog / xtask binaries of the workspace build (for the dataset and
the generated 1 M-batch run)."""

import os
import shutil
from pathlib import Path

import pytest

import srtlog

REPO = Path(__file__).resolve().parents[3]
TESTDATA = REPO / "testdata"

# Every fixture root under testdata/: the examples, the result-format runs, the eval runs,
# the damaged runs, and both diff fixtures.
FIXTURE_ROOTS = ["runs", "result-runs", "eval-runs", "bad-runs", "power-runs", "diff/pairs", "diff/repeats"]


def workspace_binary(name: str) -> Path:
    """A binary of the workspace's debug build (`cargo build` / `cargo test` made it):
    $SRTLOG_TARGET_DIR, else $CARGO_TARGET_DIR, else target/ of the repository."""
    for env in ("SRTLOG_TARGET_DIR", "CARGO_TARGET_DIR"):
        if os.environ.get(env):
            candidate = Path(os.environ[env]) / "debug" / name
            if candidate.is_file():
                return candidate
    candidate = REPO / "target" / "debug" / name
    if candidate.is_file():
        return candidate
    found = shutil.which(name)
    if found:
        return Path(found)
    pytest.fail(f"no {name} binary: run `cargo build -p {'srtlog-cli' if name == 'srtlog' else 'xtask'}` first")


@pytest.fixture(scope="session", params=FIXTURE_ROOTS)
def fixture_root(request) -> Path:
    return TESTDATA / request.param


@pytest.fixture(scope="session")
def loaded(fixture_root):
    """(root, Runs, document) of a fixture root, loaded without any cache (nothing written
    into testdata/)."""
    runs = srtlog.load(fixture_root, cache=False, jobs=2)
    return fixture_root, runs, runs.document()
