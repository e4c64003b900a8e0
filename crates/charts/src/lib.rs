#![doc = include_str!("../README.md")]

mod alt;
mod bars;
mod chart;
mod colour;
mod error;
mod font;
mod heatmap;
mod lines;
mod output;
mod stacked;

pub use chart::{Bar, Bars, Chart, HBars, HeatMap, Lines, Series, Size, Sparkline, Stacked};
pub use colour::{Rgb, family_colour, fixed_families, series_key};
pub use error::{ChartError, Result};
