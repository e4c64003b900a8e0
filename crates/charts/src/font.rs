//! The embedded font, registered once per process with plotters' `ab_glyph` backend
//! (without a registered font even SVG text fails with `FontUnavailable`).

use std::sync::OnceLock;

use plotters::style::{FontStyle, register_font};

use crate::{ChartError, Result};

/// The family name charts ask plotters for.
pub(crate) const FAMILY: &str = "sans-serif";

static FONT: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// Registers the font on first use; later calls only read the outcome.
pub(crate) fn ensure() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        [FontStyle::Normal, FontStyle::Bold]
            .into_iter()
            .all(|style| register_font(FAMILY, style, FONT).is_ok())
    });
    if ok { Ok(()) } else { Err(ChartError::Font) }
}
