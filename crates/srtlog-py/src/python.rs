//! The extension module `srtlog._native`: the functions and classes the Python package
//! `srtlog` (`python/srtlog/__init__.py`) wraps, and the exception classes. Argument
//! conversion and error mapping only — the work is [`crate::load`]'s, done with the GIL
//! released.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{Array, RecordBatch};
use arrow_data::ArrayData;
use arrow_pyarrow::IntoPyArrow;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use srtlog_loader::model::{AnalysisDocument, SCHEMA_VERSION};
use srtlog_loader::LoadReport;

use crate::load::{self as core, Cache, Error, Filters, LoadRequest};

create_exception!(
    srtlog,
    SrtlogError,
    PyException,
    "Base class of every error srtlog raises; the message names the file, directory or argument."
);
create_exception!(
    srtlog,
    RunDirectoryError,
    SrtlogError,
    "The path given to load is not a directory that can be read (missing, a file, no permission)."
);
create_exception!(
    srtlog,
    ArgumentError,
    SrtlogError,
    "An argument is not valid: an unknown or malformed run filter, jobs=0, a bad fail_on, an unknown table."
);
create_exception!(
    srtlog,
    ComparisonError,
    SrtlogError,
    "A comparison cannot be made: a side selects no run."
);
create_exception!(
    srtlog,
    TableError,
    SrtlogError,
    "A table could not be assembled (a bug of srtlog, not of the runs: please report it)."
);

fn to_py(err: Error) -> PyErr {
    let message = err.to_string();
    match err {
        Error::Directory { .. } => RunDirectoryError::new_err(message),
        Error::Argument(_) => ArgumentError::new_err(message),
        Error::EmptySide(_) => ComparisonError::new_err(message),
        Error::Table(_) => TableError::new_err(message),
    }
}

/// The runs of one `srtlog.load`, held in Rust; tables are built from them on request.
#[pyclass(module = "srtlog._native", name = "Load", frozen)]
pub struct PyLoad {
    report: Arc<LoadReport>,
    path: PathBuf,
}

impl PyLoad {
    fn batches(&self, py: Python<'_>, name: &str) -> PyResult<(arrow_schema::SchemaRef, Vec<RecordBatch>)> {
        let report = Arc::clone(&self.report);
        let wanted = name.to_owned();
        match py.detach(move || core::table(&report, &wanted)) {
            Some(built) => built.map_err(to_py),
            None => Err(ArgumentError::new_err(format!(
                "no table {name:?}; the tables are {}",
                core::table_names().join(", ")
            ))),
        }
    }
}

/// The data addresses of every buffer of every column of `batches`, column by column and
/// chunk by chunk (validity, offsets, values; child arrays after their parent), for the zero-copy
/// check of the test suite.
fn buffer_addresses(batches: &[RecordBatch]) -> Vec<Vec<usize>> {
    fn walk(array: &arrow_array::ArrayRef, out: &mut Vec<usize>) {
        collect(&array.to_data(), out);
    }
    fn collect(data: &ArrayData, out: &mut Vec<usize>) {
        out.extend(data.nulls().map(|n| n.buffer().as_ptr() as usize));
        out.extend(data.buffers().iter().map(|b| b.as_ptr() as usize));
        for child in data.child_data() {
            collect(child, out);
        }
    }
    let columns = batches.first().map_or(0, RecordBatch::num_columns);
    (0..columns)
        .map(|c| {
            let mut out = Vec::new();
            for batch in batches {
                walk(batch.column(c), &mut out);
            }
            out
        })
        .collect()
}

#[pymethods]
impl PyLoad {
    /// The table `name` as a `pyarrow.Table`, its buffers handed over without a copy.
    fn table<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        let (schema, batches) = self.batches(py, name)?;
        let table =
            arrow_pyarrow::Table::try_new(batches, schema).map_err(|e| TableError::new_err(e.to_string()))?;
        table.into_pyarrow(py)
    }

    /// The table `name` and the data addresses of its buffers as Rust allocated them (per
    /// column: every chunk's buffers), for the test that shows the hand-over copies nothing.
    fn _table_with_buffer_addresses<'py>(
        &self,
        py: Python<'py>,
        name: &str,
    ) -> PyResult<(Bound<'py, PyAny>, Vec<Vec<usize>>)> {
        let (schema, batches) = self.batches(py, name)?;
        let addresses = buffer_addresses(&batches);
        let table =
            arrow_pyarrow::Table::try_new(batches, schema).map_err(|e| TableError::new_err(e.to_string()))?;
        Ok((table.into_pyarrow(py)?, addresses))
    }

    /// The JSON document of `srtlog analyze --json` (schema_version 1) of these runs, as text.
    fn document_json(&self, py: Python<'_>) -> PyResult<String> {
        let report = Arc::clone(&self.report);
        py.detach(move || {
            let doc = AnalysisDocument {
                schema_version: SCHEMA_VERSION,
                runs: report.runs.clone(),
                skipped: report.skipped.clone(),
            };
            serde_json::to_string(&doc).map_err(|e| TableError::new_err(e.to_string()))
        })
    }

    /// Problems that did not stop a run, each naming its file.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.report.warnings.clone()
    }

    /// Run directories that could not be written, so were read without caching.
    #[getter]
    fn uncached_read_only(&self) -> Vec<PathBuf> {
        self.report.uncached_read_only.clone()
    }

    /// Cache hits, misses and writes of the load.
    #[getter]
    fn cache_stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let stats = &self.report.cache;
        let dict = PyDict::new(py);
        dict.set_item("hits", stats.hits)?;
        dict.set_item("misses", stats.misses)?;
        dict.set_item("writes", stats.writes)?;
        Ok(dict)
    }

    /// The directory that was loaded.
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// The job ids of the loaded runs, newest job first.
    #[getter]
    fn job_ids(&self) -> Vec<String> {
        self.report.runs.iter().map(|r| r.metadata.job_id.clone()).collect()
    }

    fn __len__(&self) -> usize {
        self.report.runs.len()
    }
}

/// A filter value: a string, or a list or tuple of strings (any of them).
fn filter_values(name: &str, value: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(vec![s.to_cow()?.into_owned()]);
    }
    let items: Vec<Bound<'_, PyAny>> = if let Ok(list) = value.cast::<PyList>() {
        list.iter().collect()
    } else if let Ok(tuple) = value.cast::<PyTuple>() {
        tuple.iter().collect()
    } else {
        return Err(ArgumentError::new_err(format!(
            "{name}: expected a string or a list of strings, got {}",
            type_name(value)
        )));
    };
    items
        .iter()
        .map(|item| {
            let s = item.cast::<PyString>().map_err(|_| {
                ArgumentError::new_err(format!("{name}: expected strings, got {}", type_name(item)))
            })?;
            Ok(s.to_cow()?.into_owned())
        })
        .collect()
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value.get_type().name().map_or_else(|_| "?".to_owned(), |n| n.to_string())
}

fn filters(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Filters> {
    let mut filters = Filters::default();
    let Some(kwargs) = kwargs else { return Ok(filters) };
    for (key, value) in kwargs.iter() {
        let key: String = key.extract()?;
        if key == "since" {
            let mut values = filter_values(&key, &value)?;
            if values.len() != 1 {
                return Err(ArgumentError::new_err("since: expected one date (YYYY-MM-DD[THH:MM:SS])"));
            }
            filters.since = values.pop();
            continue;
        }
        let values = filter_values(&key, &value)?;
        let Some(list) = filters.list_mut(&key) else {
            return Err(ArgumentError::new_err(format!(
                "unknown run filter {key:?}; the filters are {}",
                Filters::NAMES.join(", ")
            )));
        };
        list.extend(values);
    }
    Ok(filters)
}

fn cache(value: &Bound<'_, PyAny>) -> PyResult<Cache> {
    if let Ok(flag) = value.extract::<bool>() {
        return Ok(if flag { Cache::InRunDir } else { Cache::Disabled });
    }
    value.extract::<PathBuf>().map(Cache::Dir).map_err(|_| {
        ArgumentError::new_err("cache: expected True, False or a directory (str or os.PathLike)")
    })
}

/// Loads the runs under `path` (see `srtlog.load`); the GIL is released while the loader
/// parses.
#[pyfunction]
#[pyo3(signature = (path, *, nodes = true, cache = None, jobs = None, requests = true, server_metrics = true, **filters))]
// One Rust argument per keyword argument of the Python signature: that is PyO3's form.
#[allow(clippy::too_many_arguments)]
fn load<'py>(
    py: Python<'py>,
    path: PathBuf,
    nodes: bool,
    cache: Option<&Bound<'py, PyAny>>,
    jobs: Option<usize>,
    requests: bool,
    server_metrics: bool,
    filters: Option<&Bound<'py, PyDict>>,
) -> PyResult<PyLoad> {
    let request = LoadRequest {
        path: path.clone(),
        nodes,
        requests,
        server_metrics,
        cache: cache.map(self::cache).transpose()?.unwrap_or(Cache::InRunDir),
        jobs,
        filters: self::filters(filters)?,
    };
    let report = py.detach(move || request.load()).map_err(to_py)?;
    Ok(PyLoad { report: Arc::new(report), path })
}

/// Compares two loads (see `srtlog.diff`); returns the comparison's JSON document as text.
#[pyfunction]
#[pyo3(signature = (baseline, candidate, *, fail_on = "default"))]
fn diff_json(py: Python<'_>, baseline: &PyLoad, candidate: &PyLoad, fail_on: &str) -> PyResult<String> {
    let (a, b) = (Arc::clone(&baseline.report), Arc::clone(&candidate.report));
    let fail_on = fail_on.to_owned();
    py.detach(move || {
        let comparison = core::diff(&a, &b, &fail_on)?;
        serde_json::to_string(&comparison).map_err(|e| Error::Table(e.to_string()))
    })
    .map_err(to_py)
}

/// The names of the tables of a load: the dataset's tables, then `skipped`.
#[pyfunction]
fn table_names() -> Vec<&'static str> {
    core::table_names()
}

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("SrtlogError", py.get_type::<SrtlogError>())?;
    m.add("RunDirectoryError", py.get_type::<RunDirectoryError>())?;
    m.add("ArgumentError", py.get_type::<ArgumentError>())?;
    m.add("ComparisonError", py.get_type::<ComparisonError>())?;
    m.add("TableError", py.get_type::<TableError>())?;
    m.add_class::<PyLoad>()?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(diff_json, m)?)?;
    m.add_function(wrap_pyfunction!(table_names, m)?)?;
    Ok(())
}
