//! Every chart kind drawn to SVG and PNG: the SVG parses as XML-ish text with its
//! labels present and hostile text escaped, the PNG has the PNG signature and the
//! asked size.

use fedireach_charts::{
    Bar, Bars, Chart, HBars, HeatMap, Lines, Series, Size, Sparkline, Stacked, family_colour,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const HOSTILE: &str = "<script>alert(1)</script>&\"'";

fn bar(label: &str, value: f64, family: &str) -> Bar {
    Bar {
        label: label.to_owned(),
        value,
        family: family.to_owned(),
    }
}

fn every_kind() -> Vec<(Chart, Vec<&'static str>)> {
    let mut cells = Box::new([[None; 24]; 7]);
    cells[1][14] = Some(12.5);
    cells[4][9] = Some(3.0);
    vec![
        (
            Chart::Bars(Bars {
                title: "Reach by server software".into(),
                value_label: "engagements".into(),
                bars: vec![
                    bar("mastodon", 120.0, "mastodon"),
                    bar("sharkey", 40.0, "misskey"),
                    bar(HOSTILE, 3.0, "unknown"),
                ],
            }),
            vec![
                "Reach by server software",
                "mastodon",
                "sharkey",
                "engagements",
            ],
        ),
        (
            Chart::HBars(HBars {
                title: "Top instances".into(),
                value_label: "engagements".into(),
                bars: vec![
                    bar("mastodon.social", 80.0, "mastodon"),
                    bar("misskey.io", 20.0, "misskey"),
                ],
            }),
            vec!["Top instances", "mastodon.social", "misskey.io"],
        ),
        (
            Chart::Stacked(Stacked {
                title: "Engagements over time".into(),
                value_label: "engagements".into(),
                periods: vec!["2026-08-01".into(), "2026-08-02".into()],
                series: vec![
                    Series {
                        name: "mastodon".into(),
                        values: vec![Some(5.0), Some(7.0)],
                    },
                    Series {
                        name: "misskey".into(),
                        values: vec![None, Some(2.0)],
                    },
                ],
            }),
            vec!["Engagements over time", "2026-08-01", "mastodon", "misskey"],
        ),
        (
            Chart::HeatMap(HeatMap {
                title: "Best time to post".into(),
                value_label: "mean engagements per post".into(),
                cells,
            }),
            vec!["Best time to post", "Mon", "Sun", "14"],
        ),
        (
            Chart::Lines(Lines {
                title: "Follower growth".into(),
                value_label: "followers".into(),
                points: vec!["2026-08-01".into(), "2026-08-08".into()],
                series: vec![Series {
                    name: "@acme@brand.example".into(),
                    values: vec![Some(100.0), Some(130.0)],
                }],
            }),
            vec!["Follower growth", "@acme@brand.example", "followers"],
        ),
        (
            Chart::Sparkline(Sparkline {
                title: "Engagements per day".into(),
                values: vec![1.0, 4.0, 2.0, 8.0],
            }),
            vec![],
        ),
    ]
}

#[test]
fn every_kind_draws_svg_with_its_labels_and_escapes_text() -> TestResult {
    for (chart, labels) in every_kind() {
        let svg = chart.svg(chart.size())?;
        assert!(
            svg.starts_with("<svg"),
            "{}: {}",
            chart.title(),
            &svg[..40.min(svg.len())]
        );
        assert!(svg.trim_end().ends_with("</svg>"), "{}", chart.title());
        for label in labels {
            assert!(
                svg.contains(label),
                "{} lacks the label {label}",
                chart.title()
            );
        }
        assert!(
            !svg.contains("<script"),
            "{} let markup through",
            chart.title()
        );
    }
    Ok(())
}

#[test]
fn a_hostile_label_is_escaped_in_the_svg() -> TestResult {
    let (chart, _) = every_kind().remove(0);
    let svg = chart.svg(chart.size())?;
    assert!(svg.contains("&lt;script&gt;"), "the label is kept, as text");
    Ok(())
}

#[test]
fn every_kind_draws_png_of_the_asked_size() -> TestResult {
    for (chart, _) in every_kind() {
        let size = chart.size();
        let png = chart.png(size)?;
        assert_eq!(
            png.get(..8),
            Some(&b"\x89PNG\r\n\x1a\n"[..]),
            "{}",
            chart.title()
        );
        // IHDR: width and height, big-endian, right after the chunk header.
        let width = png
            .get(16..20)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
        let height = png
            .get(20..24)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
        assert_eq!((width, height), (Some(size.width), Some(size.height)));
    }
    Ok(())
}

#[test]
fn the_family_colour_is_the_same_in_the_svg() -> TestResult {
    let (chart, _) = every_kind().remove(0);
    let svg = chart.svg(chart.size())?.to_ascii_lowercase();
    assert!(
        svg.contains(&family_colour("mastodon").css()),
        "mastodon's bar colour"
    );
    assert!(
        svg.contains(&family_colour("misskey").css()),
        "sharkey is drawn as misskey"
    );
    Ok(())
}

#[test]
fn every_kind_has_a_text_alternative_naming_its_largest_values() {
    let alts: Vec<String> = every_kind().iter().map(|(c, _)| c.alt_text()).collect();
    let expected = [
        "Reach by server software: 3 bars of engagements: mastodon 120, sharkey 40",
        "Top instances: 2 bars of engagements: mastodon.social 80, misskey.io 20.",
        "Engagements over time: 2 periods from 2026-08-01 to 2026-08-02; engagements in all: mastodon 12, misskey 2.",
        "Best time to post: 2 hours of the week with posts; highest mean engagements per post: Tue 14h 12.5, Fri 09h 3.",
        "Follower growth: @acme@brand.example from 100 to 130 followers.",
        "Engagements per day: 4 values, from 1 to 8.",
    ];
    for (alt, expected) in alts.iter().zip(expected) {
        assert!(
            alt.starts_with(expected),
            "{alt:?} should start with {expected:?}"
        );
    }
}

#[test]
fn empty_charts_still_draw_and_say_so() -> TestResult {
    let chart = Chart::Bars(Bars {
        title: "Reach by server software".into(),
        value_label: "engagements".into(),
        bars: vec![],
    });
    assert!(chart.svg(chart.size())?.starts_with("<svg"));
    assert_eq!(
        chart.alt_text(),
        "Reach by server software: no data in this period."
    );
    Ok(())
}

#[test]
fn an_absurd_size_is_an_error_not_a_huge_allocation() {
    let (chart, _) = every_kind().remove(0);
    assert!(chart.png(Size::new(0, 10)).is_err());
    assert!(chart.png(Size::new(100_000, 100_000)).is_err());
}

#[test]
fn a_sparkline_of_one_value_is_a_visible_line() -> TestResult {
    let empty = Chart::Sparkline(Sparkline {
        title: "t".into(),
        values: vec![],
    });
    let one = Chart::Sparkline(Sparkline {
        title: "t".into(),
        values: vec![3.0],
    });
    assert!(!empty.svg(empty.size())?.contains("<polyline"));
    let svg = one.svg(one.size())?;
    let points = svg
        .split("points=\"")
        .nth(1)
        .and_then(|p| p.split('"').next())
        .unwrap_or("");
    assert_eq!(points.split_whitespace().count(), 2, "a line across: {svg}");
    Ok(())
}

#[test]
fn a_chart_of_one_period_or_bar_draws_it_with_a_positive_width() -> TestResult {
    // One period once drew `<rect width="-4">`: plotters gives a lone segment no width.
    let one_period = Chart::Stacked(Stacked {
        title: "Engagements per day".into(),
        value_label: "engagements".into(),
        periods: vec!["2026-08-01".into()],
        series: vec![Series {
            name: "mastodon".into(),
            values: vec![Some(5.0)],
        }],
    });
    let one_bar = Chart::Bars(Bars {
        title: "Reach".into(),
        value_label: "engagements".into(),
        bars: vec![bar("mastodon", 5.0, "mastodon")],
    });
    for chart in [one_period, one_bar] {
        let svg = chart.svg(chart.size())?;
        assert!(!svg.contains("width=\"-"), "a negative width: {svg}");
        let colour = family_colour("mastodon").css();
        let bar = svg
            .split("<rect")
            .find(|r| r.to_ascii_lowercase().contains(&colour))
            .ok_or("no bar in mastodon's colour")?;
        let width: f64 = bar
            .split("width=\"")
            .nth(1)
            .and_then(|w| w.split('"').next())
            .and_then(|w| w.parse().ok())
            .ok_or("a bar without a width")?;
        assert!(width >= 20.0, "a visible bar, {width} px wide: {bar}");
    }
    Ok(())
}

/// The `font-size` of the `<text>` element holding `needle`.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // a font size in pixels
fn font_size_of(svg: &str, needle: &str) -> Option<u32> {
    let at = svg.find(needle)?;
    let open = svg[..at].rfind("<text")?;
    let attrs = &svg[open..at];
    let size = attrs.split("font-size=\"").nth(1)?.split('"').next()?;
    size.parse::<f64>().ok().map(|s| s.round() as u32)
}

#[test]
fn a_title_too_long_for_the_chart_is_set_smaller_not_cut() -> TestResult {
    // Wider at 20 px than any of these charts is drawn.
    let long = "Acme Corporation International and Subsidiaries Worldwide, 2026-08-01 to \
                2026-08-31 (America/Argentina/ComodRivadavia)";
    for (chart, _) in every_kind() {
        if matches!(chart, Chart::Sparkline(_)) {
            continue;
        }
        // plotters writes a font of N px as font-size N / 1.24 in SVG: compare sizes,
        // not pixels.
        let short = chart.title().to_owned();
        let svg = chart.svg(chart.size())?;
        let usual = font_size_of(&svg, &short).ok_or("no title")?;
        let subtitled = chart.clone().subtitled(long);
        let svg = subtitled.svg(subtitled.size())?;
        let smaller = font_size_of(&svg, "Acme Corporation").ok_or("no title")?;
        assert!(
            smaller < usual && smaller * 20 >= usual * 11,
            "{short}: {smaller} vs {usual}"
        );
    }
    Ok(())
}
