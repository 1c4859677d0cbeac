//! The columns of one launch argument, both ways: its destination name, its value as compact
//! JSON text and the value's type (`int`, `float`, `bool`, `str`, `list`). A long table of
//! these (one row per argument) holds any command's arguments in one schema, whatever flags
//! the tools grow; the JSON text keeps every value exactly (a list stays a list, `"8"` stays a
//! string beside `8`), and `value_type` lets a reader filter or cast without parsing it. The
//! dataset's `launch_args/` splices this group in.

use arrow_array::{RecordBatch, StringArray};
use srtlog_model::{ArgValue, LaunchArgs};

use crate::columns::{column, ReqText};

crate::columns! {
    /// One row per argument: `name`, `value` (JSON text), `value_type` (a group: splice it into
    /// a table with [`columns!`](crate::columns!)).
    pub struct LaunchArgColumns {
        name: ReqText,
        value: ReqText,
        value_type: ReqText,
    }
}

impl LaunchArgColumns {
    /// Appends the argument `name` with `value`.
    pub fn push(&mut self, name: &str, value: &ArgValue) {
        self.name.push(name);
        self.value.push(&value.to_string());
        self.value_type.push(value.type_name());
    }
}

/// The launch-argument columns of a decoded record batch, typed.
pub struct LaunchArgArrays<'a> {
    name: &'a StringArray,
    value: &'a StringArray,
    value_type: &'a StringArray,
}

impl<'a> LaunchArgArrays<'a> {
    /// The launch-argument columns of `batch`; a message naming the column that is absent or of
    /// another type.
    pub fn of(batch: &'a RecordBatch) -> Result<Self, String> {
        Ok(LaunchArgArrays {
            name: column(batch, "name")?,
            value: column(batch, "value")?,
            value_type: column(batch, "value_type")?,
        })
    }

    /// The argument of row `row`; a message when its value is not JSON of an argument value or
    /// not of the type `value_type` says.
    pub fn get(&self, row: usize) -> Result<(String, ArgValue), String> {
        let text = self.value.value(row);
        let json: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("row {row}: value {text:?} is not JSON: {e}"))?;
        let value = ArgValue::from_json(&json).map_err(|e| format!("row {row}: {e}"))?;
        let declared = self.value_type.value(row);
        if value.type_name() != declared {
            return Err(format!(
                "row {row}: value_type is {declared} but the value {text} is {}",
                value.type_name()
            ));
        }
        Ok((self.name.value(row).to_owned(), value))
    }

    /// The arguments of rows `rows` (one command's rows), as [`LaunchArgs`].
    pub fn collect(&self, rows: std::ops::Range<usize>) -> Result<LaunchArgs, String> {
        rows.map(|row| self.get(row)).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_schema::Schema;
    use srtlog_model::{shell_words, Tool};

    use super::*;
    use crate::columns::Columns;

    fn batch_of(args: &LaunchArgs) -> RecordBatch {
        let mut cols = LaunchArgColumns::default();
        for (name, value) in args.iter() {
            cols.push(name, value);
        }
        let mut fields = Vec::new();
        LaunchArgColumns::fields("", &mut fields);
        let mut arrays = Vec::new();
        cols.finish(&mut arrays);
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap()
    }

    #[test]
    fn every_kind_of_value_round_trips() {
        let words = shell_words(
            "--tp 8 --mem-fraction-static 0.85 --rate inf --port 08 --flag --bs 1 2 4 --x=\"a b\" --f 2.0",
        );
        let (args, _) = LaunchArgs::from_flags(Tool::Sglang, &words);
        let batch = batch_of(&args);
        let read = LaunchArgArrays::of(&batch).unwrap();
        assert_eq!(read.collect(0..batch.num_rows()).unwrap(), args);
        let types: Vec<&str> = (0..batch.num_rows()).map(|r| read.value_type.value(r)).collect();
        // bs, f, flag, mem_fraction_static, port, rate, tp_size, x
        assert_eq!(types, ["list", "float", "bool", "float", "str", "str", "int", "str"]);
        assert_eq!(read.value.value(0), "[1,2,4]");
        assert_eq!(read.value.value(4), "\"08\"");
    }

    #[test]
    fn a_value_that_disagrees_with_its_type_is_an_error() {
        let (args, _) = LaunchArgs::from_flags(Tool::Sglang, &shell_words("--tp 8"));
        let batch = batch_of(&args);
        let columns: Vec<_> = batch.columns().to_vec();
        let wrong = Arc::new(StringArray::from(vec!["str"]));
        let batch = RecordBatch::try_new(batch.schema(), vec![columns[0].clone(), columns[1].clone(), wrong])
            .unwrap();
        let err = LaunchArgArrays::of(&batch).unwrap().get(0).unwrap_err();
        assert!(err.contains("value_type is str but the value 8 is int"), "{err}");
    }
}
