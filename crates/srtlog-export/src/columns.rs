//! Column builders: one small wrapper per kind of column (nullable or required scalar, text,
//! wall-clock timestamp, list), the [`Columns`] trait that a table's builder and its groups of
//! columns implement, and the [`columns!`] macro that declares such a group from a field list.

use std::marker::PhantomData;
use std::sync::Arc;

use arrow_array::builder::{
    ArrayBuilder, BooleanBuilder, Float64Builder, Int32Builder, ListBuilder, StringBuilder,
    TimestampMicrosecondBuilder, UInt32Builder, UInt64Builder,
};
use arrow_array::ArrayRef;
use arrow_schema::{DataType, Field, TimeUnit};

/// Something that contributes columns to a table: one column, or a group of them.
pub(crate) trait Columns: Default {
    /// Appends the Arrow fields of these columns to `out`; `name` names a single column
    /// (a group uses its own field names and ignores it).
    fn fields(name: &str, out: &mut Vec<Field>);
    /// Appends the arrays built so far to `out`, in the order of [`Columns::fields`], and
    /// empties the builders.
    fn finish(&mut self, out: &mut Vec<ArrayRef>);
}

/// A Rust value type with an Arrow builder of its own.
pub(crate) trait Scalar: Copy {
    /// The builder that appends it.
    type Builder: ArrayBuilder + Default;
    /// The Arrow type of its column.
    const DATA_TYPE: DataType;
    /// Appends a value or a null.
    fn append(builder: &mut Self::Builder, value: Option<Self>);
}

macro_rules! scalar {
    ($($ty:ty => $builder:ty, $dt:expr;)+) => {$(
        impl Scalar for $ty {
            type Builder = $builder;
            const DATA_TYPE: DataType = $dt;
            fn append(builder: &mut Self::Builder, value: Option<Self>) {
                builder.append_option(value);
            }
        }
    )+};
}

scalar! {
    f64 => Float64Builder, DataType::Float64;
    u64 => UInt64Builder, DataType::UInt64;
    u32 => UInt32Builder, DataType::UInt32;
    i32 => Int32Builder, DataType::Int32;
    bool => BooleanBuilder, DataType::Boolean;
}

/// A nullable scalar column.
pub(crate) struct Opt<T: Scalar>(T::Builder, PhantomData<T>);

/// A scalar column that is never null.
pub(crate) struct Req<T: Scalar>(T::Builder, PhantomData<T>);

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
    pub(crate) fn push(&mut self, value: Option<T>) {
        T::append(&mut self.0, value);
    }
}

impl<T: Scalar> Req<T> {
    pub(crate) fn push(&mut self, value: T) {
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
pub(crate) struct Text(StringBuilder);

impl Text {
    pub(crate) fn push(&mut self, value: Option<&str>) {
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
pub(crate) struct ReqText(StringBuilder);

impl ReqText {
    pub(crate) fn push(&mut self, value: &str) {
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
pub(crate) struct WallMicros(TimestampMicrosecondBuilder);

impl WallMicros {
    pub(crate) fn push(&mut self, value: Option<i64>) {
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
pub(crate) struct List<B: ArrayBuilder + Default>(ListBuilder<B>);

impl<B: ArrayBuilder + Default> Default for List<B> {
    fn default() -> Self {
        List(ListBuilder::new(B::default()))
    }
}

impl List<StringBuilder> {
    pub(crate) fn push<'a>(&mut self, items: impl IntoIterator<Item = &'a str>) {
        for item in items {
            self.0.values().append_value(item);
        }
        self.0.append(true);
    }
}

impl List<UInt32Builder> {
    pub(crate) fn push(&mut self, items: impl IntoIterator<Item = u32>) {
        for item in items {
            self.0.values().append_value(item);
        }
        self.0.append(true);
    }
}

/// The Arrow type of the items a list builder appends.
pub(crate) trait ItemType {
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

/// Declares a group of columns: a struct with one public-in-crate field per column, in table
/// order, implementing [`Columns`]. A field may itself be a group, whose columns are spliced in.
macro_rules! columns {
    ($(#[$meta:meta])* $vis:vis struct $name:ident { $($col:ident : $ty:ty),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Default)]
        $vis struct $name {
            $( pub(crate) $col: $ty, )+
        }

        impl $crate::columns::Columns for $name {
            fn fields(_name: &str, out: &mut Vec<arrow_schema::Field>) {
                $( <$ty as $crate::columns::Columns>::fields(stringify!($col), out); )+
            }
            fn finish(&mut self, out: &mut Vec<arrow_array::ArrayRef>) {
                $( $crate::columns::Columns::finish(&mut self.$col, out); )+
            }
        }
    };
}

pub(crate) use columns;
