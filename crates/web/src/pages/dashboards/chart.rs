//! Our own server-rendered SVG charts. Each is `role="img"`, named by its `<title>` through
//! `aria-labelledby`, and each page puts the same figures in a table right after it.

/// Escapes text for SVG/HTML content and attributes.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One bar: its label, the value's share of the full bar (0–1, `None` = no data) and the text
/// printed at its end.
pub struct Bar {
    pub label: String,
    pub share: Option<f64>,
    pub value: String,
}

const INK: &str = "#1b1b1b";
const BAR: &str = "#1d4f91";
const TRACK: &str = "#e4e7eb";

/// Horizontal bars against a full-length track (each group's score against its maximum).
pub fn horizontal(id: &str, title: &str, bars: &[Bar]) -> String {
    let (label_w, bar_w, row_h) = (260.0, 300.0, 34.0);
    let width = label_w + bar_w + 110.0;
    let height = row_h * bars.len() as f64 + 10.0;
    let mut svg = format!(
        "<svg class=\"chart\" id=\"{id}\" role=\"img\" aria-labelledby=\"{id}-title\" viewBox=\"0 0 {width} {height}\" \
         width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-title\">{}</title>",
        esc(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 5.0 + row_h * i as f64;
        let filled = b.share.unwrap_or(0.0).clamp(0.0, 1.0) * bar_w;
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{:.1}\" fill=\"{INK}\" font-size=\"14\">{}</text>\
             <rect x=\"{label_w}\" y=\"{:.1}\" width=\"{bar_w}\" height=\"20\" fill=\"{TRACK}\"/>\
             <rect x=\"{label_w}\" y=\"{:.1}\" width=\"{filled:.1}\" height=\"20\" fill=\"{BAR}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{INK}\" font-size=\"14\">{}</text>",
            y + 15.0,
            esc(&b.label),
            y,
            y,
            label_w + bar_w + 8.0,
            y + 15.0,
            esc(&b.value)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Vertical bars on a 0–100 % scale (the trend by month).
pub fn columns(id: &str, title: &str, bars: &[Bar]) -> String {
    let (left, top, plot_h, col_w) = (40.0, 20.0, 180.0, 48.0);
    let width = left + col_w * bars.len().max(1) as f64 + 10.0;
    let height = top + plot_h + 30.0;
    let mut svg = format!(
        "<svg class=\"chart\" id=\"{id}\" role=\"img\" aria-labelledby=\"{id}-title\" viewBox=\"0 0 {width} {height}\" \
         width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-title\">{}</title>",
        esc(title)
    );
    for pct in [0, 50, 100] {
        let y = top + plot_h * (1.0 - f64::from(pct) / 100.0);
        svg.push_str(&format!(
            "<line x1=\"{left}\" x2=\"{width}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"{TRACK}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{INK}\" font-size=\"12\" text-anchor=\"end\">{pct}</text>",
            left - 4.0,
            y + 4.0
        ));
    }
    for (i, b) in bars.iter().enumerate() {
        let x = left + col_w * i as f64 + 8.0;
        let h = b.share.unwrap_or(0.0).clamp(0.0, 1.0) * plot_h;
        svg.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{BAR}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{INK}\" font-size=\"12\" text-anchor=\"middle\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{INK}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
            top + plot_h - h,
            col_w - 16.0,
            x + (col_w - 16.0) / 2.0,
            top + plot_h + 16.0,
            esc(&b.label),
            x + (col_w - 16.0) / 2.0,
            (top + plot_h - h - 4.0).max(10.0),
            esc(&b.value)
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_named_images_with_escaped_text() {
        let bars = [
            Bar {
                label: "Nhóm <1>".into(),
                share: Some(0.5),
                value: "6,00 / 12,00".into(),
            },
            Bar {
                label: "T2".into(),
                share: None,
                value: "N/A".into(),
            },
        ];
        let svg = horizontal("c1", "Điểm & nhóm", &bars);
        assert!(svg.contains("role=\"img\" aria-labelledby=\"c1-title\""));
        assert!(svg.contains("<title id=\"c1-title\">Điểm &amp; nhóm</title>"));
        assert!(svg.contains("Nhóm &lt;1&gt;") && !svg.contains("<1>"));
        assert!(svg.contains("width=\"150.0\""), "half of the 300-wide track: {svg}");
        let svg = columns("c2", "Xu hướng", &bars);
        assert!(svg.contains("height=\"90.0\"") && svg.contains("height=\"0.0\""));
    }
}
