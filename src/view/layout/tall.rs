//! The tall drawing for phones: 400 units wide, so a 390-pixel screen shows it at about nine
//! tenths of its size and 12-unit text stays about 11 pixels high. The ensemble's ring on top,
//! then the brokers and then the clients, four to a line; the height follows from how many
//! lines there are.

use super::{on_ellipse, round1, Layout, Point, Slot, CLIENT_R, ROW_R, SERVER_R};
use crate::view::names::{NodeKind, Tier};

/// Width of the tall drawing.
pub const TALL_W: f64 = 400.0;
/// Brokers or clients on one line.
const PER_LINE: usize = 4;
/// Distance between neighbours on a line.
const SPACING: f64 = 96.0;
/// Room above the ring for the leader's crown, and below each disc for its captions.
const CROWN: f64 = 16.0;
const CAPTIONS: f64 = 33.0;

/// Lays out nodes of the given kinds (index = node id) in the tall drawing.
pub fn for_kinds(kinds: &[NodeKind]) -> Layout {
    let count = |t: Tier| kinds.iter().filter(|k| k.tier == t).count();
    let (servers, row, clients) = (count(Tier::Ring), count(Tier::Row), count(Tier::Band));
    // The ring: wide enough that neighbours' discs (and most captions) clear each other.
    let radius = match servers {
        0 | 1 => 0.0,
        2 | 3 => 80.0,
        4 | 5 => 100.0,
        6 | 7 => 118.0,
        _ => 132.0,
    };
    let centre = Point::new(TALL_W / 2.0, CROWN + SERVER_R + radius);
    // Below the lowest server (three servers end half a radius under the centre).
    let lowest = (0..servers)
        .map(|i| on_ellipse(centre, radius, radius, i, servers).y)
        .fold(0.0, f64::max);
    let mut y = if servers == 0 {
        0.0
    } else {
        lowest + SERVER_R + CAPTIONS
    };
    // A controller's crown needs room above the brokers' line.
    let row_top = if row > 0 && servers > 0 { y + CROWN } else { y };
    y = row_top;
    y += lines(row) as f64 * (2.0 * ROW_R + CAPTIONS);
    let band_top = y;
    y += lines(clients) as f64 * (2.0 * CLIENT_R + CAPTIONS);
    let (mut s, mut b, mut c) = (0, 0, 0);
    let slots = kinds
        .iter()
        .map(|k| match k.tier {
            Tier::Ring => {
                s += 1;
                Slot::new(
                    on_ellipse(centre, radius, radius, s - 1, servers),
                    SERVER_R,
                    false,
                )
            }
            Tier::Row => {
                b += 1;
                Slot::new(on_lines(b - 1, row, row_top, ROW_R), ROW_R, b % 2 == 0)
            }
            Tier::Band => {
                c += 1;
                Slot::new(
                    on_lines(c - 1, clients, band_top, CLIENT_R),
                    CLIENT_R,
                    c % 2 == 0,
                )
            }
        })
        .collect();
    Layout {
        slots,
        w: TALL_W,
        h: y.max(2.0 * (SERVER_R + CROWN)),
    }
}

/// Lines needed for `n` nodes.
fn lines(n: usize) -> usize {
    n.div_ceil(PER_LINE)
}

/// Position `i` of `n` nodes of radius `r`, four to a line from `top`, each line centred.
fn on_lines(i: usize, n: usize, top: f64, r: f64) -> Point {
    let line = i / PER_LINE;
    let in_line = (n - line * PER_LINE).min(PER_LINE);
    let col = (i % PER_LINE) as f64;
    let x = TALL_W / 2.0 + (col - (in_line as f64 - 1.0) / 2.0) * SPACING;
    let y = top + r + line as f64 * (2.0 * r + CAPTIONS);
    Point::new(round1(x), round1(y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Protocol;
    use crate::view::layout::tests::assert_fits;

    const fn kind(tier: Tier) -> NodeKind {
        NodeKind {
            slug: "k",
            tier,
            protocol: Protocol::Zk,
        }
    }

    #[test]
    fn every_mix_fits_the_tall_drawing_without_overlaps() {
        for servers in [0, 1, 3, 5, 7, 9] {
            for brokers in [0, 1, 3, 12] {
                for clients in [0, 2, 7, 12] {
                    let mut k = vec![kind(Tier::Ring); servers];
                    k.extend(vec![kind(Tier::Row); brokers]);
                    k.extend(vec![kind(Tier::Band); clients]);
                    let l = for_kinds(&k);
                    assert_eq!(l.size().0, TALL_W);
                    assert_fits(&l, &format!("{servers}+{brokers}+{clients}"));
                }
            }
        }
    }

    #[test]
    fn the_tall_drawing_is_narrower_than_it_is_high_for_an_ensemble_and_clients() {
        let mut k = vec![kind(Tier::Ring); 3];
        k.extend(vec![kind(Tier::Band); 7]);
        let (w, h) = for_kinds(&k).size();
        assert!(h > w, "{w}×{h}");
    }
}
