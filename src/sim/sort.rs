//! One stable sort for the whole crate, small in the wasm bundle.
//!
//! The standard library's sorts are fast but each element type gets its own copy of a large
//! algorithm (about 4 KB of wasm per instance). Here the algorithm — a stable top-down merge
//! sort on element *indices* — is compiled once; each element type only adds a comparison
//! closure and a loop of swaps. The result is that of any stable sort (`slice::sort_by`),
//! so traces do not depend on which sort ran. O(n log n) comparisons, O(n) extra memory.

use std::cmp::Ordering;

/// Sorts `v` stably by `cmp`.
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    let swaps = {
        let items: &[T] = v;
        plan(items.len(), &mut |a, b| {
            cmp(&items[a], &items[b]) == Ordering::Less
        })
    };
    for (i, j) in swaps {
        v.swap(i, j);
    }
}

/// Sorts `v` stably in ascending order.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// Sorts `v` stably by `key`.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// The swaps that put `n` items in stable order, given `less(a, b)` on their original indices.
fn plan(n: usize, less: &mut dyn FnMut(usize, usize) -> bool) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut buf = order.clone();
    merge_sort(&mut order, &mut buf, less);
    // Apply `order` (slot k takes original item order[k]) as swaps, tracking where items are.
    let mut at: Vec<usize> = (0..n).collect(); // original item -> current slot
    let mut item: Vec<usize> = (0..n).collect(); // slot -> original item
    let mut swaps = Vec::new();
    for (slot, &want) in order.iter().enumerate() {
        let from = at[want];
        if from != slot {
            let displaced = item[slot];
            item.swap(slot, from);
            at[want] = slot;
            at[displaced] = from;
            swaps.push((slot, from));
        }
    }
    swaps
}

fn merge_sort(v: &mut [usize], buf: &mut [usize], less: &mut dyn FnMut(usize, usize) -> bool) {
    let n = v.len();
    if n < 2 {
        return;
    }
    let mid = n / 2;
    merge_sort(&mut v[..mid], &mut buf[..mid], less);
    merge_sort(&mut v[mid..], &mut buf[mid..], less);
    buf[..n].copy_from_slice(v);
    let (left, right) = buf[..n].split_at(mid);
    let (mut i, mut j) = (0, 0);
    for slot in v.iter_mut() {
        // Take from the right only when strictly less: equal items keep their order.
        if j < right.len() && (i == left.len() || less(right[j], left[i])) {
            *slot = right[j];
            j += 1;
        } else {
            *slot = left[i];
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimRng;

    #[test]
    fn sorting_gives_the_standard_stable_order_for_random_lists_with_ties() {
        let mut rng = SimRng::new(7);
        for len in 0..60 {
            let mut v: Vec<(u64, usize)> = (0..len).map(|i| (rng.below(5), i)).collect();
            let mut expect = v.clone();
            expect.sort_by_key(|x| x.0);
            sort_by_key(&mut v, |x| x.0);
            assert_eq!(v, expect);
        }
    }

    #[test]
    fn sorting_an_ordered_list_descending_reverses_it() {
        let mut v: Vec<u32> = (0..100).collect();
        sort_by(&mut v, |a, b| b.cmp(a));
        assert_eq!(v, (0..100).rev().collect::<Vec<_>>());
        sort(&mut v);
        assert_eq!(v, (0..100).collect::<Vec<_>>());
    }
}
