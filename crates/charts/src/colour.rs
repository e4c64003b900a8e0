//! One colour per software family, defined here once so a family looks the same in
//! every chart and on every page (the legend swatches of the HTML use `css()`).

/// An RGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// As CSS, `#rrggbb`.
    pub fn css(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    pub(crate) fn plotters(self) -> plotters::style::RGBColor {
        plotters::style::RGBColor(self.0, self.1, self.2)
    }
}

/// The families of the brief with a fixed colour (chosen to stay apart for common
/// colour-vision deficiencies, close to each project's own brand colour where possible).
const FIXED: &[(&str, Rgb)] = &[
    ("mastodon", Rgb(0x63, 0x64, 0xff)),
    ("misskey", Rgb(0x86, 0xb3, 0x00)),
    ("pleroma", Rgb(0xf2, 0x8e, 0x2b)),
    ("lemmy", Rgb(0x00, 0xa3, 0xa3)),
    ("peertube", Rgb(0xe1, 0x57, 0x59)),
    ("pixelfed", Rgb(0xb0, 0x7a, 0xa1)),
    ("gotosocial", Rgb(0xed, 0xc9, 0x48)),
    ("friendica", Rgb(0x9c, 0x75, 0x5f)),
    ("threads", Rgb(0x4e, 0x4e, 0x4e)),
    ("unknown", Rgb(0xba, 0xb0, 0xac)),
];

/// The families with a colour of their own, in the legend's order.
pub fn fixed_families() -> impl Iterator<Item = (&'static str, Rgb)> {
    FIXED.iter().copied()
}

/// Families not listed above take one of these, by a stable hash of the name.
const PALETTE: &[Rgb] = &[
    Rgb(0xff, 0x9d, 0xa7),
    Rgb(0x76, 0xb7, 0xb2),
    Rgb(0x2f, 0x4b, 0x7c),
    Rgb(0xd4, 0xa6, 0xc8),
    Rgb(0x8c, 0xd1, 0x7d),
    Rgb(0x49, 0x98, 0x94),
    Rgb(0xd3, 0x72, 0x95),
    Rgb(0x79, 0x70, 0x6e),
];

/// Colours of series told apart by position (the brands of a comparison): twelve, as
/// many as a comparison takes, all different.
const SERIES: &[Rgb] = &[
    Rgb(0x1f, 0x77, 0xb4),
    Rgb(0xff, 0x7f, 0x0e),
    Rgb(0x2c, 0xa0, 0x2c),
    Rgb(0xd6, 0x27, 0x28),
    Rgb(0x94, 0x67, 0xbd),
    Rgb(0x8c, 0x56, 0x4b),
    Rgb(0xe3, 0x77, 0xc2),
    Rgb(0x7f, 0x7f, 0x7f),
    Rgb(0xbc, 0xbd, 0x22),
    Rgb(0x17, 0xbe, 0xcf),
    Rgb(0x39, 0x3b, 0x79),
    Rgb(0xad, 0x49, 0x4a),
];

/// The colour of the `index`-th series of a chart whose series are not families:
/// `family_colour(&series_key(i))`.
pub fn series_key(index: usize) -> String {
    format!("series:{index}")
}

/// The colour of a family, the same in every chart and every process. A key of
/// [`series_key`] picks the series palette by position instead, so the brands of one
/// comparison never share a colour.
pub fn family_colour(family: &str) -> Rgb {
    let name = family.trim().to_ascii_lowercase();
    if let Some(index) = name
        .strip_prefix("series:")
        .and_then(|i| i.parse::<usize>().ok())
    {
        return SERIES
            .get(index % SERIES.len())
            .copied()
            .unwrap_or(Rgb(0x80, 0x80, 0x80));
    }
    if let Some((_, colour)) = FIXED.iter().find(|(f, _)| *f == name) {
        return *colour;
    }
    // FNV-1a: stable across runs and Rust versions, unlike `DefaultHasher`.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let index = usize::try_from(hash % PALETTE.len() as u64).unwrap_or(0);
    PALETTE.get(index).copied().unwrap_or(Rgb(0x80, 0x80, 0x80))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_families_have_their_fixed_colour_and_others_a_stable_one() {
        assert_eq!(family_colour("mastodon").css(), "#6364ff");
        assert_eq!(family_colour(" Mastodon "), family_colour("mastodon"));
        assert_eq!(family_colour("bookwyrm"), family_colour("bookwyrm"));
        assert!(PALETTE.contains(&family_colour("bookwyrm")));
        let fixed: std::collections::BTreeSet<_> = FIXED.iter().map(|(_, c)| c.css()).collect();
        assert_eq!(
            fixed.len(),
            FIXED.len(),
            "every fixed family has its own colour"
        );
        let series: std::collections::BTreeSet<_> = (0..12)
            .map(|i| family_colour(&series_key(i)).css())
            .collect();
        assert_eq!(series.len(), 12, "twelve compared brands, twelve colours");
    }
}
