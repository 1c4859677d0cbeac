"""srtlog: SRT-SLURM benchmark runs as pyarrow tables, parsed in Rust.

>>> import srtlog
>>> runs = srtlog.load("/lustre/outputs", gpu_type="gb200")
>>> runs.points                       # pyarrow.Table, one row per run x concurrency
>>> runs.to_pandas("batches")         # pandas.DataFrame of every scheduler batch
>>> srtlog.diff("/lustre/outputs/7001", "/lustre/outputs/7002").points

The tables are those of the Parquet dataset that ``srtlog export --dataset`` writes (same
columns, built by the same Rust code), with the partition column ``job_id`` first, plus
``skipped``. They reach pyarrow through the Arrow C data interface: pyarrow reads the buffers
Rust filled, nothing is copied or serialized. ``help(srtlog.load)`` explains every argument.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Optional, Sequence, Union

from . import _native
from ._native import (
    ArgumentError,
    ComparisonError,
    RunDirectoryError,
    SrtlogError,
    TableError,
    __version__,
)

__all__ = [
    "load",
    "diff",
    "Runs",
    "Comparison",
    "TABLES",
    "SrtlogError",
    "RunDirectoryError",
    "ArgumentError",
    "ComparisonError",
    "TableError",
    "__version__",
]

#: The names of the tables of a load: the dataset's tables (runs, points, batches, memory,
#: accuracy, launch_args, requests, and any the dataset gains), then ``skipped``.
TABLES = tuple(_native.table_names())

PathLike = Union[str, "os.PathLike[str]"]


def _since_text(value: Any) -> Any:
    """A ``datetime.date`` / ``datetime.datetime`` as the loader's ``since`` text."""
    if hasattr(value, "hour"):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat()
    return value


class Runs:
    """The runs of one :func:`load`, with their tables.

    Each table is a ``pyarrow.Table``, built on first use (with the GIL released) and kept:
    ``runs.points``, ``runs.table("points")``. ``to_pandas(name)`` and ``to_polars(name)``
    convert one. ``document()`` is the JSON document of ``srtlog analyze --json`` as a dict.
    """

    def __init__(self, native: "_native.Load") -> None:
        self._native = native
        self._tables: Dict[str, Any] = {}

    def table(self, name: str):
        """The table ``name`` (one of :data:`TABLES`) as a ``pyarrow.Table``."""
        table = self._tables.get(name)
        if table is None:
            table = self._native.table(name)
            self._tables[name] = table
        return table

    def __getattr__(self, name: str):
        if name.startswith("_") or name not in TABLES:
            raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}; the tables are {', '.join(TABLES)}")
        return self.table(name)

    def __dir__(self) -> List[str]:
        return sorted(set(super().__dir__()) | set(TABLES))

    @property
    def tables(self) -> Dict[str, Any]:
        """Every table, by name."""
        return {name: self.table(name) for name in TABLES}

    def to_pandas(self, name: str = "points", **kwargs: Any):
        """The table ``name`` as a ``pandas.DataFrame`` (``pyarrow.Table.to_pandas(**kwargs)``)."""
        return self.table(name).to_pandas(**kwargs)

    def to_polars(self, name: str = "points"):
        """The table ``name`` as a ``polars.DataFrame`` (``polars.from_arrow``, no copy of the
        numeric columns)."""
        import polars

        return polars.from_arrow(self.table(name))

    def document(self) -> Dict[str, Any]:
        """The JSON document of ``srtlog analyze --json`` (``schema_version`` 1) as a dict."""
        return json.loads(self._native.document_json())

    @property
    def path(self) -> str:
        """The directory that was loaded."""
        return os.fspath(self._native.path)

    @property
    def job_ids(self) -> List[str]:
        """The job ids of the runs, newest job first (the order of every table)."""
        return list(self._native.job_ids)

    @property
    def warnings(self) -> List[str]:
        """Problems that did not stop a run (each names its file). A run's own warnings are
        in the ``runs`` table's ``run_warnings`` column."""
        return list(self._native.warnings)

    @property
    def cache_stats(self) -> Dict[str, int]:
        """Cache hits, misses and writes of the load."""
        return dict(self._native.cache_stats)

    def __len__(self) -> int:
        return len(self._native)

    def __repr__(self) -> str:
        return f"<srtlog.Runs {len(self)} runs from {self.path!r}; tables {', '.join(TABLES)}>"


def load(
    path: PathLike,
    *,
    nodes: bool = True,
    cache: Union[bool, PathLike] = True,
    jobs: Optional[int] = None,
    requests: bool = True,
    server_metrics: bool = True,
    **filters: Union[str, Sequence[str]],
) -> Runs:
    """Load the SRT-SLURM runs under ``path`` and return them as :class:`Runs`.

    Parsing runs in Rust with the GIL released, on ``jobs`` threads shared by runs and
    worker files, exactly as ``srtlog analyze`` does; a warm cache (``cached_assets/``) is
    reused while the source files are unchanged.

    Arguments:
        path: a directory of runs (searched up to 4 levels deep) or one run directory
            (``str`` or ``os.PathLike``).
        nodes: parse worker logs (the ``batches``, ``memory`` and worker ``launch_args``
            rows); ``False`` reads metadata and results only, much faster on big logs.
        cache: ``True`` keeps caches in each run's ``cached_assets/``; ``False`` neither
            reads nor writes one; a directory keeps them there, one sub-directory per run
            (``srtlog --cache-dir``), for trees you cannot write to.
        jobs: parser threads; ``None`` for every core.
        requests: read aiperf's per-request records (the ``requests`` table).
        server_metrics: read the Tachometer time series of ``logs/tachometer/`` (the
            ``server_metrics`` table); ``False`` lists the files only (as ``srtlog analyze``).
        **filters: the run filters of the command line, each a string or a list of strings
            (any of them); runs must pass all given:
            ``job`` (job ids), ``tag`` (tags), ``gpu_type`` (``"gb200"``, case-insensitive),
            ``backend`` (``"sglang"``, ``"trtllm"``), ``since`` (``"YYYY-MM-DD"``,
            ``"YYYY-MM-DDTHH:MM:SS"`` or a ``datetime.date``/``datetime``: runs dated then or
            later).

    Returns:
        :class:`Runs`: ``.runs``, ``.points``, ``.batches``, ``.memory``, ``.accuracy``,
        ``.launch_args``, ``.requests``, ``.power``, ``.server_metrics``, ``.skipped`` (``pyarrow.Table``), ``.to_pandas(name)``,
        ``.to_polars(name)``, ``.document()``, ``.warnings``.

    Raises:
        RunDirectoryError: ``path`` is not a directory that can be read (the message names it).
        ArgumentError: an unknown filter, a malformed ``since``, ``jobs=0``, a bad ``cache``.

    A directory that is not a run (no readable metadata) is a row of ``skipped``, and whatever
    a run lacks (unreadable results, missing workers) a warning in its ``run_warnings``: a load
    never fails because of one bad run.
    """
    if "since" in filters:
        filters["since"] = _since_text(filters["since"])
    native = _native.load(path, nodes=nodes, cache=cache, jobs=jobs, requests=requests, server_metrics=server_metrics, **filters)
    return Runs(native)


class Comparison:
    """The comparison of two loads (``srtlog diff``): ``document`` is its JSON document
    (``diff_schema_version`` 1) as a dict, ``points`` a ``pyarrow.Table`` of its metric deltas
    (one row per ISL/OSL x concurrency x metric), ``failed`` whether the gate failed,
    ``comparable`` whether the setups may be compared at all."""

    def __init__(self, document: Dict[str, Any]) -> None:
        self.document = document

    @property
    def failed(self) -> bool:
        """A threshold of ``fail_on`` is crossed beyond noise (``srtlog diff`` exits 1)."""
        return bool((self.document.get("gate") or {}).get("failed", False))

    @property
    def comparable(self) -> bool:
        """The two setups can be compared (``srtlog diff`` exits 2 when not)."""
        return bool(self.document["setup"]["verdict"]["comparable"])

    @property
    def verdict(self) -> str:
        """The setup verdict, in words."""
        return str(self.document["setup"]["verdict"]["summary"])

    @property
    def points(self):
        """The metric deltas of the points both sides measured, as a ``pyarrow.Table``: the
        document's ``points[].metrics[]`` flattened, nothing recomputed."""
        import pyarrow as pa

        rows = []
        for point in self.document["points"]:
            key = point["key"]
            for m in point["metrics"]:
                rows.append(
                    {
                        "isl": key.get("isl"),
                        "osl": key.get("osl"),
                        "concurrency": key.get("concurrency"),
                        "request_rate": key.get("request_rate"),
                        "metric": m["metric"],
                        "direction": m["direction"],
                        "baseline_median": m["baseline"]["median"],
                        "candidate_median": m["candidate"]["median"],
                        "baseline_n": len(m["baseline"]["values"]),
                        "candidate_n": len(m["candidate"]["values"]),
                        "change": m["change"],
                        "pct_change": m.get("pct_change"),
                        "judgement": m["judgement"],
                        "noise": m["noise"],
                    }
                )
        return pa.Table.from_pylist(rows, schema=_DELTA_SCHEMA())

    def to_pandas(self):
        """:attr:`points` as a ``pandas.DataFrame``."""
        return self.points.to_pandas()

    def __repr__(self) -> str:
        return f"<srtlog.Comparison {len(self.document['points'])} points; {self.verdict}; failed={self.failed}>"


def _DELTA_SCHEMA():
    import pyarrow as pa

    return pa.schema(
        [
            ("isl", pa.uint32()),
            ("osl", pa.uint32()),
            ("concurrency", pa.uint32()),
            ("request_rate", pa.float64()),
            ("metric", pa.string()),
            ("direction", pa.string()),
            ("baseline_median", pa.float64()),
            ("candidate_median", pa.float64()),
            ("baseline_n", pa.uint32()),
            ("candidate_n", pa.uint32()),
            ("change", pa.float64()),
            ("pct_change", pa.float64()),
            ("judgement", pa.string()),
            ("noise", pa.string()),
        ]
    )


def diff(
    baseline: Union[Runs, PathLike],
    candidate: Union[Runs, PathLike],
    *,
    fail_on: str = "default",
    **load_options: Any,
) -> Comparison:
    """Compare ``baseline`` with ``candidate`` as ``srtlog diff`` does.

    Arguments:
        baseline, candidate: a :class:`Runs` from :func:`load`, or a path (a run directory,
            or a directory of runs: every run in it is a repeat of that side), loaded with
            ``load_options``.
        fail_on: the gate: ``"default"`` (``srtlog diff``'s default thresholds), ``"none"``,
            or thresholds such as ``"output_tps_per_gpu<-5%,p99_ttft_ms>+10%"``.
        **load_options: passed to :func:`load` for a side given as a path (``nodes``,
            ``cache``, ``jobs`` and run filters).

    Returns:
        :class:`Comparison`: ``.document`` (the ``--json`` document as a dict), ``.points``
        (a ``pyarrow.Table`` of the metric deltas), ``.failed``, ``.comparable``.

    Raises:
        ComparisonError: a side selects no run.
        ArgumentError: ``fail_on`` does not parse.
        RunDirectoryError: a path is not a readable directory.
    """
    load_options.setdefault("requests", False)
    load_options.setdefault("server_metrics", False)
    sides = [side if isinstance(side, Runs) else load(side, **load_options) for side in (baseline, candidate)]
    document = json.loads(_native.diff_json(sides[0]._native, sides[1]._native, fail_on=fail_on))
    return Comparison(document)
