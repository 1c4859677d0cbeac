//! The columns of an [`AccuracyResult`], both ways: the dataset's `accuracy/` table splices
//! this group in (accuracy is never cached: its files are small and read fresh on every load).
//! The struct is destructured without `..`, so a field added to the model fails to compile
//! here until it has its column.

use arrow_array::{Array as _, BooleanArray, Float64Array, RecordBatch, StringArray, UInt64Array};
use srtlog_model::AccuracyResult;

use crate::columns::{column, opt, required, Opt, Req, ReqText, Text};

crate::columns! {
    /// One column per field of [`AccuracyResult`] (a group: splice it into a table with
    /// [`columns!`](crate::columns!)).
    pub struct AccuracyColumns {
        eval: ReqText,
        task: ReqText,
        metric: ReqText,
        filter: Text,
        value: Req<f64>,
        stderr: Opt<f64>,
        samples: Opt<u64>,
        higher_is_better: Opt<bool>,
        source_file: ReqText,
    }
}

impl AccuracyColumns {
    /// Appends `result` as one row.
    pub fn push(&mut self, result: &AccuracyResult) {
        let AccuracyResult {
            eval,
            task,
            metric,
            filter,
            value,
            stderr,
            samples,
            higher_is_better,
            source_file,
        } = result;
        self.eval.push(eval);
        self.task.push(task);
        self.metric.push(metric);
        self.filter.push(filter.as_deref());
        self.value.push(*value);
        self.stderr.push(*stderr);
        self.samples.push(*samples);
        self.higher_is_better.push(*higher_is_better);
        self.source_file.push(source_file);
    }
}

/// The accuracy columns of a decoded record batch, typed.
pub struct AccuracyArrays<'a> {
    eval: &'a StringArray,
    task: &'a StringArray,
    metric: &'a StringArray,
    filter: &'a StringArray,
    value: &'a Float64Array,
    stderr: &'a Float64Array,
    samples: &'a UInt64Array,
    higher_is_better: &'a BooleanArray,
    source_file: &'a StringArray,
}

impl<'a> AccuracyArrays<'a> {
    /// The accuracy columns of `batch`; a message naming the column that is absent or of
    /// another type.
    pub fn of(batch: &'a RecordBatch) -> Result<Self, String> {
        Ok(AccuracyArrays {
            eval: column(batch, "eval")?,
            task: column(batch, "task")?,
            metric: column(batch, "metric")?,
            filter: column(batch, "filter")?,
            value: column(batch, "value")?,
            stderr: column(batch, "stderr")?,
            samples: column(batch, "samples")?,
            higher_is_better: column(batch, "higher_is_better")?,
            source_file: column(batch, "source_file")?,
        })
    }

    /// The result in row `row`; a message when a required column is null there.
    pub fn get(&self, row: usize) -> Result<AccuracyResult, String> {
        let text = |array: &StringArray, name: &str| {
            if array.is_null(row) {
                Err(format!("row {row}: column {name:?} is null"))
            } else {
                Ok(array.value(row).to_owned())
            }
        };
        Ok(AccuracyResult {
            eval: text(self.eval, "eval")?,
            task: text(self.task, "task")?,
            metric: text(self.metric, "metric")?,
            filter: (!self.filter.is_null(row)).then(|| self.filter.value(row).to_owned()),
            value: required::<f64>(self.value, row, "value")?,
            stderr: opt::<f64>(self.stderr, row),
            samples: opt::<u64>(self.samples, row),
            higher_is_better: opt::<bool>(self.higher_is_better, row),
            source_file: text(self.source_file, "source_file")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_schema::Schema;

    use super::*;
    use crate::columns::Columns;

    #[test]
    fn every_field_round_trips() {
        let full = AccuracyResult {
            eval: "lm-eval".into(),
            task: "gsm8k".into(),
            metric: "exact_match".into(),
            filter: Some("strict-match".into()),
            value: 0.7544,
            stderr: Some(0.0119),
            samples: Some(1319),
            higher_is_better: Some(true),
            source_file: "logs/eval_results/results_x.json".into(),
        };
        let bare = AccuracyResult {
            filter: None,
            stderr: None,
            samples: None,
            higher_is_better: None,
            ..full.clone()
        };
        let mut cols = AccuracyColumns::default();
        cols.push(&full);
        cols.push(&bare);
        let mut fields = Vec::new();
        AccuracyColumns::fields("", &mut fields);
        let mut arrays = Vec::new();
        cols.finish(&mut arrays);
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap();
        let read = AccuracyArrays::of(&batch).unwrap();
        assert_eq!(read.get(0), Ok(full));
        assert_eq!(read.get(1), Ok(bare));
    }
}
