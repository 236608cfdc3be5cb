//! The messages on the wire, drawn outside Yew's diff. With hundreds in flight, building and
//! diffing a virtual node tree per dot every frame cost more than the rest of the frame;
//! here each message keeps one element, which a frame only moves (its `transform`) or, when
//! its looks change (held, stacked, selected, announced differently), draws again.

use web_sys::Element;

use crate::sim::MsgId;
use crate::view::markup::{dot_label, dot_svg, dot_transform};
use crate::view::Dot;

/// What is drawn in the dots group, sorted by message id.
#[derive(Default)]
pub struct DotsLayer {
    parent: Option<Element>,
    drawn: Vec<Drawn>,
}

struct Drawn {
    id: MsgId,
    el: Element,
    /// The words and classes it was drawn with.
    looks: String,
    transform: String,
}

impl DotsLayer {
    /// Makes `parent`'s children the dots of `dots`.
    pub fn sync(
        &mut self,
        parent: &Element,
        dots: &[Dot],
        label: &dyn Fn(&Dot) -> String,
        selected: Option<MsgId>,
    ) {
        if !self
            .parent
            .as_ref()
            .is_some_and(|p| p.is_same_node(Some(parent)))
        {
            parent.set_inner_html("");
            self.drawn.clear();
            self.parent = Some(parent.clone());
        }
        let mut old = std::mem::take(&mut self.drawn);
        let mut next: Vec<Drawn> = Vec::with_capacity(dots.len());
        for d in dots {
            let label = dot_label(d, label(d));
            let picked = selected == Some(d.id);
            let looks = format!("{}{}{}{label}", u8::from(d.held), u8::from(picked), d.stack);
            let transform = dot_transform(d);
            let kept = old
                .binary_search_by_key(&d.id, |x| x.id)
                .ok()
                .map(|i| old.remove(i));
            let drawn = match kept {
                Some(mut k) if k.looks == looks => {
                    if k.transform != transform {
                        let _ = k.el.set_attribute("transform", &transform);
                        k.transform = transform;
                    }
                    Some(k)
                }
                other => {
                    if let Some(k) = other {
                        k.el.remove();
                    }
                    let _ = parent.insert_adjacent_html("beforeend", &dot_svg(d, &label, picked));
                    parent.last_element_child().map(|el| Drawn {
                        id: d.id,
                        el,
                        looks,
                        transform,
                    })
                }
            };
            next.extend(drawn);
        }
        for gone in old {
            gone.el.remove();
        }
        crate::sim::sort::sort_by_key(&mut next, |x| x.id);
        self.drawn = next;
    }
}
