//! Helpers shared by the two tables: one trait that ties a Rust value type to its Arrow
//! builder, array and data type, and typed column access on a decoded record batch.

use arrow_array::builder::{
    ArrayBuilder, BooleanBuilder, Float64Builder, Int32Builder, UInt32Builder, UInt64Builder,
};
use arrow_array::{Array, BooleanArray, Float64Array, Int32Array, RecordBatch, UInt32Array, UInt64Array};
use arrow_schema::DataType;

/// A value type stored in one nullable Arrow column.
pub(crate) trait Scalar: Sized {
    /// The builder that appends it.
    type Builder: ArrayBuilder + Default;
    /// The array it is read back from.
    type Array: Array + 'static;
    /// The Arrow type of its column.
    fn data_type() -> DataType;
    /// Appends a value or a null.
    fn append(builder: &mut Self::Builder, value: Option<Self>);
    /// The value at `row`, which is not null.
    fn value(array: &Self::Array, row: usize) -> Self;
}

macro_rules! scalar {
    ($ty:ty, $builder:ty, $array:ty, $dt:expr) => {
        impl Scalar for $ty {
            type Builder = $builder;
            type Array = $array;
            fn data_type() -> DataType {
                $dt
            }
            fn append(builder: &mut Self::Builder, value: Option<Self>) {
                builder.append_option(value);
            }
            fn value(array: &Self::Array, row: usize) -> Self {
                array.value(row)
            }
        }
    };
}

scalar!(f64, Float64Builder, Float64Array, DataType::Float64);
scalar!(u64, UInt64Builder, UInt64Array, DataType::UInt64);
scalar!(u32, UInt32Builder, UInt32Array, DataType::UInt32);
scalar!(i32, Int32Builder, Int32Array, DataType::Int32);
scalar!(bool, BooleanBuilder, BooleanArray, DataType::Boolean);

/// The column `name` of `batch` as array type `A`; an error message when absent or of another type.
pub(crate) fn column<'a, A: Array + 'static>(batch: &'a RecordBatch, name: &str) -> Result<&'a A, String> {
    let array = batch.column_by_name(name).ok_or_else(|| format!("no column {name:?}"))?;
    array
        .as_any()
        .downcast_ref::<A>()
        .ok_or_else(|| format!("column {name:?} has unexpected type {}", array.data_type()))
}

/// The value at `row`, `None` when null.
pub(crate) fn opt<T: Scalar>(array: &T::Array, row: usize) -> Option<T> {
    if array.is_null(row) {
        None
    } else {
        Some(T::value(array, row))
    }
}

/// The value at `row` of a column that must not be null.
pub(crate) fn required<T: Scalar>(array: &T::Array, row: usize, name: &str) -> Result<T, String> {
    opt(array, row).ok_or_else(|| format!("row {row}: column {name:?} is null"))
}
