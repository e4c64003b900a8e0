//! The chart kinds as typed series, and the calls every kind answers: its size, its
//! title, SVG, PNG and a text alternative.

use plotters::{coord::Shift, prelude::*};

use crate::{Result, alt, bars, heatmap, lines, output, stacked};

/// Pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub width: u32,
    pub height: u32,
}

impl Size {
    pub const fn new(width: u32, height: u32) -> Self {
        Self { width, height }
    }
}

/// One bar: what it is, its value, and the family that colours it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub family: String,
}

/// Vertical bars, one per label (reach by server software).
#[derive(Debug, Clone, PartialEq)]
pub struct Bars {
    pub title: String,
    /// What the values count, for the axis and the text alternative.
    pub value_label: String,
    pub bars: Vec<Bar>,
}

/// Horizontal bars, longest first (top instances).
#[derive(Debug, Clone, PartialEq)]
pub struct HBars {
    pub title: String,
    pub value_label: String,
    pub bars: Vec<Bar>,
}

/// One named series of values, one per period or point; `None` where unknown.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// A family for stacked charts (it picks the colour), an actor for lines.
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// Bars over time, each stacked by family (engagements over time).
#[derive(Debug, Clone, PartialEq)]
pub struct Stacked {
    pub title: String,
    pub value_label: String,
    /// The periods, in order (days or weeks).
    pub periods: Vec<String>,
    /// One series per family, each with one value per period.
    pub series: Vec<Series>,
}

/// The hour-of-week heat map (best time to post): `cells[day][hour]`, Monday first.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatMap {
    pub title: String,
    pub value_label: String,
    pub cells: Box<[[Option<f64>; 24]; 7]>,
}

/// Lines over shared points (follower growth per tracked actor).
#[derive(Debug, Clone, PartialEq)]
pub struct Lines {
    pub title: String,
    pub value_label: String,
    pub points: Vec<String>,
    pub series: Vec<Series>,
}

/// A small trend line without axes or text (the overview).
#[derive(Debug, Clone, PartialEq)]
pub struct Sparkline {
    pub title: String,
    pub values: Vec<f64>,
}

/// Any chart of the dashboard.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    Bars(Bars),
    HBars(HBars),
    Stacked(Stacked),
    HeatMap(HeatMap),
    Lines(Lines),
    Sparkline(Sparkline),
}

/// Width of the dashboard's charts, in pixels.
const WIDTH: u32 = 940;

impl Chart {
    /// The same chart with `what` after its title ("Top instances · acme, 2026-08-01
    /// to 2026-08-31"): a chart saved on its own (a slide, a mail) says whose and when.
    #[must_use]
    pub fn subtitled(mut self, what: &str) -> Self {
        let title = match &mut self {
            Self::Bars(c) => &mut c.title,
            Self::HBars(c) => &mut c.title,
            Self::Stacked(c) => &mut c.title,
            Self::HeatMap(c) => &mut c.title,
            Self::Lines(c) => &mut c.title,
            Self::Sparkline(c) => &mut c.title,
        };
        title.push_str(" · ");
        title.push_str(what);
        self
    }

    /// The title, also the first words of the text alternative.
    pub fn title(&self) -> &str {
        match self {
            Self::Bars(c) => &c.title,
            Self::HBars(c) => &c.title,
            Self::Stacked(c) => &c.title,
            Self::HeatMap(c) => &c.title,
            Self::Lines(c) => &c.title,
            Self::Sparkline(c) => &c.title,
        }
    }

    /// The size the dashboard draws it at: wide enough for readable labels (a page
    /// scales a chart down on a narrow screen, never up).
    pub fn size(&self) -> Size {
        let rows = |n: usize| {
            let rows = u32::try_from(n).unwrap_or(u32::MAX).clamp(3, 30);
            Size::new(WIDTH, 90 + 26 * rows)
        };
        match self {
            Self::HBars(c) => rows(c.bars.len()),
            // Drawn horizontally when the labels would overlap (see `bars::crowded`).
            Self::Bars(c) if crate::bars::crowded(c, WIDTH) => rows(c.bars.len()),
            Self::HeatMap(_) => Size::new(WIDTH, 320),
            Self::Sparkline(_) => Size::new(300, 44),
            Self::Lines(c) => Size::new(
                WIDTH,
                380 + crate::output::legend_height(c.series.len()).min(200),
            ),
            _ => Size::new(WIDTH, 380),
        }
    }

    /// The chart as an `<svg>` element, every text escaped.
    pub fn svg(&self, size: Size) -> Result<String> {
        output::svg(self.title(), size, |root| self.draw(root))
    }

    /// The chart as PNG bytes.
    pub fn png(&self, size: Size) -> Result<Vec<u8>> {
        output::png(self.title(), size, |root| self.draw(root))
    }

    /// A text alternative: the title and what the chart shows, in words.
    pub fn alt_text(&self) -> String {
        alt::describe(self)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> output::DrawResult {
        match self {
            Self::Bars(c) => bars::vertical(c, root),
            Self::HBars(c) => bars::horizontal(c, root),
            Self::Stacked(c) => stacked::draw(c, root),
            Self::HeatMap(c) => heatmap::draw(c, root),
            Self::Lines(c) => lines::draw(c, root),
            Self::Sparkline(c) => lines::sparkline(c, root),
        }
    }
}
