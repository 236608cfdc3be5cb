//! SVG markup written as text, for the parts of the page drawn outside Yew's virtual DOM
//! (the sequence diagram, the message dots): one string per item is far cheaper to build
//! than a tree of virtual nodes, and is diffed by whoever inserts it.

use super::dots::Dot;
use super::layout::num;

/// Appends `text` escaped for XML text and attribute values.
pub fn esc(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// The words a dot is announced with: `label`, and how many are held with it.
pub fn dot_label(d: &Dot, label: String) -> String {
    if d.stack > 1 {
        format!("{label} (1 of {} held on this link)", d.stack)
    } else {
        label
    }
}

/// The `transform` that puts a dot where it is.
pub fn dot_transform(d: &Dot) -> String {
    format!("translate({} {})", num(d.x), num(d.y))
}

/// One message on the wire as an SVG group: a marker whose shape and colour say its
/// category, a hit area, a held mark and the count of messages held with it. Clicks reach
/// the drawing's listener through `data-msg-id`.
pub fn dot_svg(d: &Dot, label: &str, selected: bool) -> String {
    let mut s = String::with_capacity(256);
    s.push_str("<g class=\"dot cat-");
    s.push_str(d.category.name());
    if d.held {
        s.push_str(" held");
    }
    if selected {
        s.push_str(" selected");
    }
    s.push_str("\" transform=\"");
    s.push_str(&dot_transform(d));
    s.push_str("\" data-msg=\"");
    esc(&mut s, d.kind);
    s.push_str("\" data-msg-id=\"");
    s.push_str(&d.id.to_string());
    s.push_str("\" role=\"button\" aria-label=\"");
    esc(&mut s, label);
    s.push_str("\"><title>");
    esc(&mut s, &d.summary);
    s.push_str("</title><circle class=\"hit\" r=\"20\"/><path class=\"shape\" d=\"");
    s.push_str(d.category.shape);
    s.push_str("\"/>");
    if d.stack > 1 {
        s.push_str("<text class=\"stack-count\" x=\"10\" y=\"-6\" aria-hidden=\"true\">");
        s.push_str(&d.stack.to_string());
        s.push_str("</text>");
    }
    if d.held {
        s.push_str("<path class=\"pause\" d=\"M-2.5 -12 V-17 M2.5 -12 V-17\"/>");
    }
    s.push_str("</g>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        let mut s = String::new();
        esc(&mut s, r#"set "a" <b> & c"#);
        assert_eq!(s, "set &quot;a&quot; &lt;b&gt; &amp; c");
    }
}
