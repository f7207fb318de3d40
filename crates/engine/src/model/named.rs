//! Kinds with a fixed set of values, each stored in SQLite as its text.

/// A kind whose values are stored as text; reading one back finds the value by its name and
/// never guesses (an unknown name is `None`, for the store to report).
pub trait Named: Copy + 'static {
    fn all() -> &'static [Self];
    fn name(self) -> &'static str;

    fn from_name(text: &str) -> Option<Self> {
        Self::all()
            .iter()
            .copied()
            .find(|value| value.name() == text)
    }
}

/// `Named` for a kind with an inherent `as_str` and the list of its values.
macro_rules! named {
    ($kind:ty: $($value:expr),+ $(,)?) => {
        impl $crate::model::Named for $kind {
            fn all() -> &'static [Self] {
                &[$($value),+]
            }

            fn name(self) -> &'static str {
                self.as_str()
            }
        }
    };
}
pub(crate) use named;
