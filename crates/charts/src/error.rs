//! The one error type of the charts.

/// What can go wrong while drawing a chart.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChartError {
    /// The embedded font could not be read: the font file in `crates/charts/fonts` is
    /// damaged; restore it from the repository.
    #[error(
        "the embedded chart font is not a usable TrueType font; restore crates/charts/fonts/DejaVuSans.ttf"
    )]
    Font,

    /// plotters refused to draw (a size of zero, or a coordinate it cannot place).
    #[error("could not draw the chart `{chart}`: {message}; check the chart size and its data")]
    Draw { chart: String, message: String },

    /// The PNG encoder failed.
    #[error("could not encode the chart `{chart}` as PNG: {source}")]
    Png {
        chart: String,
        #[source]
        source: png::EncodingError,
    },
}

/// The result of every fallible chart call.
pub type Result<T, E = ChartError> = std::result::Result<T, E>;
