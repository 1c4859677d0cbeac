//! The column types of srtlog's Parquet files, both ways. Writing: one small builder wrapper per
//! kind of column (nullable or required scalar, text, wall-clock timestamp, list), the
//! [`Columns`] trait that a table's builder and its groups of columns implement, and the
//! [`columns!`](crate::columns!) macro that declares such a group from a field list. Reading:
//! typed access to a decoded record batch ([`column()`], [`opt`], [`required`]). One [`Scalar`]
//! trait ties each Rust value type to its Arrow builder, array and data type for both, so the
//! cache and the dataset cannot map a model type to two Arrow types.

use std::marker::PhantomData;
use std::sync::Arc;

use arrow_array::builder::{
    ArrayBuilder, BooleanBuilder, Float64Builder, Int32Builder, Int64Builder, ListBuilder, StringBuilder,
    TimestampMicrosecondBuilder, UInt32Builder, UInt64Builder,
};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int32Array, Int64Array, RecordBatch, UInt32Array,
    UInt64Array,
};
use arrow_schema::{DataType, Field, TimeUnit};

/// Something that contributes columns to a table: one column, or a group of them.
pub trait Columns: Default {
    /// Appends the Arrow fields of these columns to `out`; `name` names a single column
    /// (a group uses its own field names and ignores it).
    fn fields(name: &str, out: &mut Vec<Field>);
    /// Appends the arrays built so far to `out`, in the order of [`Columns::fields`], and
    /// empties the builders.
    fn finish(&mut self, out: &mut Vec<ArrayRef>);
}

/// A Rust value type stored in one Arrow column, with its builder, array and data type.
pub trait Scalar: Copy {
    /// The builder that appends it.
    type Builder: ArrayBuilder + Default;
    /// The array it is read back from.
    type Array: Array + 'static;
    /// The Arrow type of its column.
    const DATA_TYPE: DataType;
    /// Appends a value or a null.
    fn append(builder: &mut Self::Builder, value: Option<Self>);
    /// The value at `row`, which is not null.
    fn value(array: &Self::Array, row: usize) -> Self;
}

macro_rules! scalar {
    ($($ty:ty => $builder:ty, $array:ty, $dt:expr;)+) => {$(
        impl Scalar for $ty {
            type Builder = $builder;
            type Array = $array;
            const DATA_TYPE: DataType = $dt;
            fn append(builder: &mut Self::Builder, value: Option<Self>) {
                builder.append_option(value);
            }
            fn value(array: &Self::Array, row: usize) -> Self {
                array.value(row)
            }
        }
    )+};
}

scalar! {
    f64 => Float64Builder, Float64Array, DataType::Float64;
    u64 => UInt64Builder, UInt64Array, DataType::UInt64;
    u32 => UInt32Builder, UInt32Array, DataType::UInt32;
    i32 => Int32Builder, Int32Array, DataType::Int32;
    i64 => Int64Builder, Int64Array, DataType::Int64;
    bool => BooleanBuilder, BooleanArray, DataType::Boolean;
}

/// The column `name` of `batch` as array type `A`; a message when it is absent or of another
/// type (the caller names the file).
pub fn column<'a, A: Array + 'static>(batch: &'a RecordBatch, name: &str) -> Result<&'a A, String> {
    let array = batch.column_by_name(name).ok_or_else(|| format!("no column {name:?}"))?;
    array
        .as_any()
        .downcast_ref::<A>()
        .ok_or_else(|| format!("column {name:?} has unexpected type {}", array.data_type()))
}

/// The value at `row`, `None` when null.
pub fn opt<T: Scalar>(array: &T::Array, row: usize) -> Option<T> {
    if array.is_null(row) {
        None
    } else {
        Some(T::value(array, row))
    }
}

/// The value at `row` of a column that must not be null.
pub fn required<T: Scalar>(array: &T::Array, row: usize, name: &str) -> Result<T, String> {
    opt(array, row).ok_or_else(|| format!("row {row}: column {name:?} is null"))
}

/// A nullable scalar column.
pub struct Opt<T: Scalar>(T::Builder, PhantomData<T>);

/// A scalar column that is never null.
pub struct Req<T: Scalar>(T::Builder, PhantomData<T>);

impl<T: Scalar> Default for Opt<T> {
    fn default() -> Self {
        Opt(T::Builder::default(), PhantomData)
    }
}

impl<T: Scalar> Default for Req<T> {
    fn default() -> Self {
        Req(T::Builder::default(), PhantomData)
    }
}

impl<T: Scalar> Opt<T> {
    /// Appends a value or a null.
    pub fn push(&mut self, value: Option<T>) {
        T::append(&mut self.0, value);
    }
}

impl<T: Scalar> Req<T> {
    /// Appends a value.
    pub fn push(&mut self, value: T) {
        T::append(&mut self.0, Some(value));
    }
}

impl<T: Scalar> Columns for Opt<T> {
    fn fields(name: &str, out: &mut Vec<Field>) {
        out.push(Field::new(name, T::DATA_TYPE, true));
    }
    fn finish(&mut self, out: &mut Vec<ArrayRef>) {
        out.push(self.0.finish());
    }
}

impl<T: Scalar> Columns for Req<T> {
    fn fields(name: &str, out: &mut Vec<Field>) {
        out.push(Field::new(name, T::DATA_TYPE, false));
    }
    fn finish(&mut self, out: &mut Vec<ArrayRef>) {
        out.push(self.0.finish());
    }
}

/// A nullable `Utf8` column.
#[derive(Default)]
pub struct Text(StringBuilder);

impl Text {
    /// Appends a string or a null.
    pub fn push(&mut self, value: Option<&str>) {
        self.0.append_option(value);
    }
}

impl Columns for Text {
    fn fields(name: &str, out: &mut Vec<Field>) {
        out.push(Field::new(name, DataType::Utf8, true));
    }
    fn finish(&mut self, out: &mut Vec<ArrayRef>) {
        out.push(Arc::new(self.0.finish()));
    }
}

/// A `Utf8` column that is never null.
#[derive(Default)]
pub struct ReqText(StringBuilder);

impl ReqText {
    /// Appends a string.
    pub fn push(&mut self, value: &str) {
        self.0.append_value(value);
    }
}

impl Columns for ReqText {
    fn fields(name: &str, out: &mut Vec<Field>) {
        out.push(Field::new(name, DataType::Utf8, false));
    }
    fn finish(&mut self, out: &mut Vec<ArrayRef>) {
        out.push(Arc::new(self.0.finish()));
    }
}

/// A nullable `Timestamp(Microsecond, None)` column of wall-clock microseconds.
#[derive(Default)]
pub struct WallMicros(TimestampMicrosecondBuilder);

impl WallMicros {
    /// Appends wall-clock microseconds or a null.
    pub fn push(&mut self, value: Option<i64>) {
        self.0.append_option(value);
    }
}

impl Columns for WallMicros {
    fn fields(name: &str, out: &mut Vec<Field>) {
        out.push(Field::new(name, DataType::Timestamp(TimeUnit::Microsecond, None), true));
    }
    fn finish(&mut self, out: &mut Vec<ArrayRef>) {
        out.push(Arc::new(self.0.finish()));
    }
}

/// A `List<T>` column that is never null (an empty list where there is nothing); the items
/// are declared nullable, as every Arrow writer does by default, but are never null.
pub struct List<B: ArrayBuilder + Default>(ListBuilder<B>);

impl<B: ArrayBuilder + Default> Default for List<B> {
    fn default() -> Self {
        List(ListBuilder::new(B::default()))
    }
}

impl List<StringBuilder> {
    /// Appends one list of strings.
    pub fn push<'a>(&mut self, items: impl IntoIterator<Item = &'a str>) {
        for item in items {
            self.0.values().append_value(item);
        }
        self.0.append(true);
    }
}

impl List<UInt32Builder> {
    /// Appends one list of integers.
    pub fn push(&mut self, items: impl IntoIterator<Item = u32>) {
        for item in items {
            self.0.values().append_value(item);
        }
        self.0.append(true);
    }
}

/// The Arrow type of the items a list builder appends.
pub trait ItemType {
    /// The items' Arrow type.
    const DATA_TYPE: DataType;
}

impl ItemType for StringBuilder {
    const DATA_TYPE: DataType = DataType::Utf8;
}

impl ItemType for UInt32Builder {
    const DATA_TYPE: DataType = DataType::UInt32;
}

impl<B: ArrayBuilder + Default + ItemType> Columns for List<B> {
    fn fields(name: &str, out: &mut Vec<Field>) {
        let item = Field::new_list_field(B::DATA_TYPE, true);
        out.push(Field::new(name, DataType::List(Arc::new(item)), false));
    }
    fn finish(&mut self, out: &mut Vec<ArrayRef>) {
        out.push(Arc::new(self.0.finish()));
    }
}

/// Declares a group of columns: a struct with one crate-visible field per column, in table
/// order, implementing [`Columns`](crate::columns::Columns). A field may itself be a group, whose
/// columns are spliced in. The invoking crate needs `arrow-array` and `arrow-schema`.
#[macro_export]
macro_rules! columns {
    ($(#[$meta:meta])* $vis:vis struct $name:ident { $($col:ident : $ty:ty),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Default)]
        $vis struct $name {
            $( pub(crate) $col: $ty, )+
        }

        impl $crate::columns::Columns for $name {
            fn fields(_name: &str, out: &mut Vec<::arrow_schema::Field>) {
                $( <$ty as $crate::columns::Columns>::fields(stringify!($col), out); )+
            }
            fn finish(&mut self, out: &mut Vec<::arrow_array::ArrayRef>) {
                $( $crate::columns::Columns::finish(&mut self.$col, out); )+
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::columns! {
        struct Sample { id: Req<u32>, score: Opt<f64>, name: Text }
    }

    #[test]
    fn a_group_builds_its_fields_and_reads_back() {
        let mut cols = Sample::default();
        cols.id.push(7);
        cols.score.push(None);
        cols.name.push(Some("w0"));
        cols.id.push(8);
        cols.score.push(Some(2.5));
        cols.name.push(None);
        let mut fields = Vec::new();
        Sample::fields("", &mut fields);
        let names: Vec<&str> = fields.iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, ["id", "score", "name"]);
        assert!(!fields[0].is_nullable() && fields[1].is_nullable());
        let mut arrays = Vec::new();
        cols.finish(&mut arrays);
        let schema = std::sync::Arc::new(arrow_schema::Schema::new(fields));
        let batch = RecordBatch::try_new(schema, arrays).unwrap();
        let ids = column::<UInt32Array>(&batch, "id").unwrap();
        assert_eq!(required::<u32>(ids, 1, "id"), Ok(8));
        let scores = column::<Float64Array>(&batch, "score").unwrap();
        assert_eq!((opt::<f64>(scores, 0), opt::<f64>(scores, 1)), (None, Some(2.5)));
        assert!(column::<Float64Array>(&batch, "id").unwrap_err().contains("unexpected type"));
        assert_eq!(column::<UInt32Array>(&batch, "nope").unwrap_err(), "no column \"nope\"");
    }
}
