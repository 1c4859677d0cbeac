//! The columns of a run's server time series ([`ServerMetrics`]), both ways: one row per
//! point, long form — the worker (`endpoint`, `role`, `worker_index`, `worker_process`,
//! `host`, `gpu`), the series (`metric`, `labels` as Prometheus text `k="v",…`, `le` for a
//! histogram bucket), `time_base` (`unix` or `since_scraper_start`), `t` (seconds) and
//! `value`. The cache's `server_metrics.parquet` and the dataset's `server_metrics/` table
//! splice this group in, so both have one name and one Arrow type per column. The series and
//! the worker are destructured without `..`, so a field added to the model fails to compile
//! here until it has its column.

use arrow_array::{Array as _, Float64Array, RecordBatch, StringArray, UInt32Array};
use srtlog_model::{parse_labels, ServerMetrics, ServerSeries, ServerTimeBase, ServerWorker};

use crate::columns::{column, opt, required, Opt, Req, ReqText, Text};

crate::columns! {
    /// One row per point of a [`ServerSeries`] (a group: splice it into a table with
    /// [`columns!`](crate::columns!)).
    pub struct ServerPointColumns {
        endpoint: ReqText,
        role: Text,
        worker_index: Opt<u32>,
        worker_process: Opt<u32>,
        host: Text,
        gpu: Opt<u32>,
        metric: ReqText,
        labels: ReqText,
        le: Opt<f64>,
        time_base: ReqText,
        t: Req<f64>,
        value: Req<f64>,
    }
}

impl ServerPointColumns {
    /// Appends the points of `series` from `from` (at most `limit` of them) as rows; returns
    /// how many were appended.
    pub fn push_points(
        &mut self,
        series: &ServerSeries,
        time_base: ServerTimeBase,
        from: usize,
        limit: usize,
    ) -> usize {
        let labels = series.labels_text();
        let end = series.t.len().min(from.saturating_add(limit));
        (from..end).filter(|&i| self.push_point(series, &labels, time_base, i)).count()
    }

    /// Appends point `i` of `series` as one row (`labels` is [`ServerSeries::labels_text`],
    /// computed once per series by the caller); `false` when there is no such point.
    pub fn push_point(
        &mut self,
        series: &ServerSeries,
        labels: &str,
        time_base: ServerTimeBase,
        i: usize,
    ) -> bool {
        let ServerSeries { worker, metric, labels: _, le, t, values } = series;
        let ServerWorker { endpoint, role, index, process, host, gpu } = worker;
        let (Some(&t), Some(&v)) = (t.get(i), values.get(i)) else { return false };
        self.endpoint.push(endpoint);
        self.role.push(role.as_deref());
        self.worker_index.push(*index);
        self.worker_process.push(*process);
        self.host.push(host.as_deref());
        self.gpu.push(*gpu);
        self.metric.push(metric);
        self.labels.push(labels);
        self.le.push(*le);
        self.time_base.push(time_base.as_str());
        self.t.push(t);
        self.value.push(v);
        true
    }
}

/// The server-point columns of a decoded record batch, typed.
pub struct ServerPointArrays<'a> {
    endpoint: &'a StringArray,
    role: &'a StringArray,
    worker_index: &'a UInt32Array,
    worker_process: &'a UInt32Array,
    host: &'a StringArray,
    gpu: &'a UInt32Array,
    metric: &'a StringArray,
    labels: &'a StringArray,
    le: &'a Float64Array,
    time_base: &'a StringArray,
    t: &'a Float64Array,
    value: &'a Float64Array,
}

fn text(array: &StringArray, row: usize) -> Option<&str> {
    (!array.is_null(row)).then(|| array.value(row))
}

fn req_text<'a>(array: &'a StringArray, row: usize, name: &str) -> Result<&'a str, String> {
    text(array, row).ok_or_else(|| format!("null {name} in row {row}"))
}

impl<'a> ServerPointArrays<'a> {
    /// The server-point columns of `batch`; a message naming the column that is absent or of
    /// another type.
    pub fn of(batch: &'a RecordBatch) -> Result<Self, String> {
        Ok(ServerPointArrays {
            endpoint: column(batch, "endpoint")?,
            role: column(batch, "role")?,
            worker_index: column(batch, "worker_index")?,
            worker_process: column(batch, "worker_process")?,
            host: column(batch, "host")?,
            gpu: column(batch, "gpu")?,
            metric: column(batch, "metric")?,
            labels: column(batch, "labels")?,
            le: column(batch, "le")?,
            time_base: column(batch, "time_base")?,
            t: column(batch, "t")?,
            value: column(batch, "value")?,
        })
    }

    /// The rows of the batch appended to `out`: a row continues the last series when it has
    /// the same worker, metric, labels and `le` (rows are written series by series).
    pub fn append_to(&self, rows: usize, out: &mut ServerMetrics) -> Result<(), String> {
        let mut last_labels = out.series.last().map(ServerSeries::labels_text);
        for row in 0..rows {
            out.time_base = match req_text(self.time_base, row, "time_base")? {
                "unix" => ServerTimeBase::Unix,
                "since_scraper_start" => ServerTimeBase::SinceScraperStart,
                other => return Err(format!("unknown time_base {other:?} in row {row}")),
            };
            let endpoint = req_text(self.endpoint, row, "endpoint")?;
            let (role, host) = (text(self.role, row), text(self.host, row));
            let (index, process, gpu) = (
                opt::<u32>(self.worker_index, row),
                opt::<u32>(self.worker_process, row),
                opt::<u32>(self.gpu, row),
            );
            let metric = req_text(self.metric, row, "metric")?;
            let labels = req_text(self.labels, row, "labels")?;
            let le: Option<f64> = opt(self.le, row);
            let t = required::<f64>(self.t, row, "t")?;
            let value = required::<f64>(self.value, row, "value")?;
            let same = out.series.last().is_some_and(|s| {
                let w = &s.worker;
                w.endpoint == endpoint
                    && w.role.as_deref() == role
                    && w.host.as_deref() == host
                    && (w.index, w.process, w.gpu) == (index, process, gpu)
                    && s.metric == metric
                    && s.le.map(f64::to_bits) == le.map(f64::to_bits)
                    && last_labels.as_deref() == Some(labels)
            });
            if !same {
                out.series.push(ServerSeries {
                    worker: ServerWorker {
                        endpoint: endpoint.to_owned(),
                        role: role.map(str::to_owned),
                        index,
                        process,
                        host: host.map(str::to_owned),
                        gpu,
                    },
                    metric: metric.to_owned(),
                    labels: parse_labels(labels),
                    le,
                    t: Vec::new(),
                    values: Vec::new(),
                });
                last_labels = Some(labels.to_owned());
            }
            if let Some(s) = out.series.last_mut() {
                s.t.push(t);
                s.values.push(value);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::Arc;

    use arrow_schema::Schema;

    use super::*;
    use crate::columns::Columns;

    #[test]
    fn series_round_trip() {
        let a = ServerSeries {
            worker: ServerWorker {
                endpoint: "backend_decode0_rank0".into(),
                role: Some("decode".into()),
                index: Some(0),
                process: Some(1),
                host: Some("n1".into()),
                gpu: None,
            },
            metric: "sglang:ttft".into(),
            labels: vec![("model_name".into(), "a \"b\"".into())],
            le: Some(f64::INFINITY),
            t: vec![1.5, 2.5],
            values: vec![3.0, 4.0],
        };
        let b = ServerSeries {
            worker: ServerWorker { endpoint: "dcgm_n1".into(), gpu: Some(3), ..ServerWorker::default() },
            metric: "gpu_power".into(),
            t: vec![1.5],
            values: vec![250.25],
            ..ServerSeries::default()
        };
        let mut cols = ServerPointColumns::default();
        assert_eq!(cols.push_points(&a, ServerTimeBase::Unix, 0, usize::MAX), 2);
        assert_eq!(cols.push_points(&b, ServerTimeBase::Unix, 0, 1), 1);
        let mut fields = Vec::new();
        ServerPointColumns::fields("", &mut fields);
        let mut arrays = Vec::new();
        cols.finish(&mut arrays);
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap();
        let mut back = ServerMetrics::default();
        ServerPointArrays::of(&batch).unwrap().append_to(batch.num_rows(), &mut back).unwrap();
        assert_eq!(back.time_base, ServerTimeBase::Unix);
        assert_eq!(back.series, vec![a, b]);
    }
}
