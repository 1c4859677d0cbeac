# Typed stubs of the srtlog package (PEP 561: see py.typed).
import datetime
import os
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import pandas
import polars
import pyarrow

__version__: str
TABLES: Tuple[str, ...]

_PathLike = Union[str, os.PathLike[str]]
_Filter = Union[str, Sequence[str]]

class SrtlogError(Exception): ...
class RunDirectoryError(SrtlogError): ...
class ArgumentError(SrtlogError): ...
class ComparisonError(SrtlogError): ...
class TableError(SrtlogError): ...

class Runs:
    runs: pyarrow.Table
    points: pyarrow.Table
    batches: pyarrow.Table
    memory: pyarrow.Table
    accuracy: pyarrow.Table
    launch_args: pyarrow.Table
    requests: pyarrow.Table
    power: pyarrow.Table
    server_metrics: pyarrow.Table
    skipped: pyarrow.Table
    def table(self, name: str) -> pyarrow.Table: ...
    def __getattr__(self, name: str) -> pyarrow.Table: ...
    @property
    def tables(self) -> Dict[str, pyarrow.Table]: ...
    def to_pandas(self, name: str = "points", **kwargs: Any) -> pandas.DataFrame: ...
    def to_polars(self, name: str = "points") -> polars.DataFrame: ...
    def document(self) -> Dict[str, Any]: ...
    @property
    def path(self) -> str: ...
    @property
    def job_ids(self) -> List[str]: ...
    @property
    def warnings(self) -> List[str]: ...
    @property
    def cache_stats(self) -> Dict[str, int]: ...
    def __len__(self) -> int: ...

def load(
    path: _PathLike,
    *,
    nodes: bool = True,
    cache: Union[bool, _PathLike] = True,
    jobs: Optional[int] = None,
    requests: bool = True,
    server_metrics: bool = True,
    job: _Filter = ...,
    tag: _Filter = ...,
    gpu_type: _Filter = ...,
    backend: _Filter = ...,
    since: Union[str, datetime.date, datetime.datetime] = ...,
) -> Runs: ...

class Comparison:
    document: Dict[str, Any]
    def __init__(self, document: Dict[str, Any]) -> None: ...
    @property
    def failed(self) -> bool: ...
    @property
    def comparable(self) -> bool: ...
    @property
    def verdict(self) -> str: ...
    @property
    def points(self) -> pyarrow.Table: ...
    def to_pandas(self) -> pandas.DataFrame: ...

def diff(
    baseline: Union[Runs, _PathLike],
    candidate: Union[Runs, _PathLike],
    *,
    fail_on: str = "default",
    **load_options: Any,
) -> Comparison: ...
