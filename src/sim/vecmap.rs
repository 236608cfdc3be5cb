//! Sorted-vector map (and, in `vecset`, set): `BTreeMap`/`BTreeSet` for the small collections of the core.
//!
//! The simulator keeps dozens of small ordered collections (votes by server id, acks by zxid,
//! watches by path…). As `BTreeMap`s each key/value type got its own copy of the B-tree's
//! insert, split, merge and rebalance code in the WebAssembly bundle; these types are a sorted
//! `Vec` with binary search, so a new key/value type costs a few hundred bytes.
//!
//! Same contract as the std types where the core relies on it: iteration in ascending key
//! order, one entry per key (inserting an existing key replaces the value and keeps the
//! original key, like `BTreeMap::insert`), `Debug` printed as a map/set, equality and hashing
//! by contents. Inserting or removing in the middle moves the tail (and `pop_first` moves
//! everything), so these suit collections of up to a few thousand entries. The event queue is
//! one too: it holds tens to hundreds of events in practice (a zk-faults sweep runs slightly
//! faster than with `BTreeMap`); only a run that nears `Bounds::max_queue` would feel it.

use std::borrow::Borrow;
use std::fmt;
use std::ops::{Bound, RangeBounds};

pub use super::vecset::VecSet;

/// An ordered map stored as a `Vec` of entries sorted by key.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VecMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for VecMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

fn entry_key<K: Borrow<Q>, Q: ?Sized, V>(entry: &(K, V)) -> &Q {
    entry.0.borrow()
}

/// Index of the first entry whose key is not below the bound (or above it, if excluded).
pub(super) fn lower<T, Q: Ord + ?Sized>(
    slice: &[T],
    key: impl Fn(&T) -> &Q,
    bound: Bound<&Q>,
) -> usize {
    match bound {
        Bound::Unbounded => 0,
        Bound::Included(b) => slice.partition_point(|e| key(e) < b),
        Bound::Excluded(b) => slice.partition_point(|e| key(e) <= b),
    }
}

/// Index one past the last entry whose key is not above the bound (or below it, if excluded).
pub(super) fn upper<T, Q: Ord + ?Sized>(
    slice: &[T],
    key: impl Fn(&T) -> &Q,
    bound: Bound<&Q>,
) -> usize {
    match bound {
        Bound::Unbounded => slice.len(),
        Bound::Included(b) => slice.partition_point(|e| key(e) <= b),
        Bound::Excluded(b) => slice.partition_point(|e| key(e) < b),
    }
}

impl<K, V> VecMap<K, V> {
    /// An empty map.
    pub const fn new() -> Self {
        Self {
            entries: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Entries in ascending key order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter(self.entries.iter())
    }

    /// Entries in ascending key order, values mutable.
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        IterMut(self.entries.iter_mut())
    }

    pub fn keys(&self) -> Keys<'_, K, V> {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> Values<'_, K, V> {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    pub fn into_keys(self) -> impl DoubleEndedIterator<Item = K> + ExactSizeIterator {
        self.entries.into_iter().map(|(k, _)| k)
    }

    pub fn into_values(self) -> impl DoubleEndedIterator<Item = V> + ExactSizeIterator {
        self.entries.into_iter().map(|(_, v)| v)
    }

    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        self.entries.first().map(|(k, v)| (k, v))
    }

    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        self.entries.last().map(|(k, v)| (k, v))
    }

    /// Removes the entry with the smallest key.
    pub fn pop_first(&mut self) -> Option<(K, V)> {
        if self.entries.is_empty() {
            None
        } else {
            Some(self.entries.remove(0))
        }
    }

    /// Removes the entry with the largest key.
    pub fn pop_last(&mut self) -> Option<(K, V)> {
        self.entries.pop()
    }

    /// Keeps the entries for which `keep` says yes.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }
}

impl<K: Ord, V> VecMap<K, V> {
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_key_value<Q: Ord + ?Sized>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| {
            let (k, v) = &self.entries[i];
            (k, v)
        })
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        match self.find(key) {
            Ok(i) => Some(&mut self.entries[i].1),
            Err(_) => None,
        }
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Inserts or replaces; returns the value that was there.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.remove_entry(key).map(|(_, v)| v)
    }

    pub fn remove_entry<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<(K, V)>
    where
        K: Borrow<Q>,
    {
        match self.find(key) {
            Ok(i) => Some(self.entries.remove(i)),
            Err(_) => None,
        }
    }

    /// The entry for `key`, to fill or change in place.
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        let at = self.find(&key);
        Entry { map: self, key, at }
    }

    /// Entries whose keys lie in `range`, ascending.
    pub fn range<Q: Ord + ?Sized, R: RangeBounds<Q>>(&self, range: R) -> Iter<'_, K, V>
    where
        K: Borrow<Q>,
    {
        let key = entry_key::<K, Q, V>;
        let lo = lower(&self.entries, key, range.start_bound());
        let hi = upper(&self.entries, key, range.end_bound()).max(lo);
        Iter(self.entries[lo..hi].iter())
    }
}

/// Iterator over a [`VecMap`]'s keys (a named type: it borrows, it owns nothing to drop).
pub type Keys<'a, K, V> = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&(K, V)) -> &K>;

/// Iterator over a [`VecMap`]'s values.
pub type Values<'a, K, V> = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&(K, V)) -> &V>;

/// A place in a [`VecMap`] for one key, from [`VecMap::entry`].
pub struct Entry<'a, K, V> {
    map: &'a mut VecMap<K, V>,
    key: K,
    at: Result<usize, usize>,
}

impl<'a, K, V> Entry<'a, K, V> {
    pub fn key(&self) -> &K {
        &self.key
    }

    pub fn or_insert(self, default: V) -> &'a mut V {
        self.or_insert_with(|| default)
    }

    pub fn or_insert_with(self, default: impl FnOnce() -> V) -> &'a mut V {
        let i = match self.at {
            Ok(i) => i,
            Err(i) => {
                self.map.entries.insert(i, (self.key, default()));
                i
            }
        };
        &mut self.map.entries[i].1
    }

    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }

    pub fn and_modify(self, change: impl FnOnce(&mut V)) -> Self {
        if let Ok(i) = self.at {
            change(&mut self.map.entries[i].1);
        }
        self
    }
}

/// Iterator over a [`VecMap`]'s entries.
#[derive(Clone)]
pub struct Iter<'a, K, V>(std::slice::Iter<'a, (K, V)>);

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for Iter<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (k, v))
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}

/// Iterator over a [`VecMap`]'s entries with mutable values.
pub struct IterMut<'a, K, V>(std::slice::IterMut<'a, (K, V)>);

impl<'a, K, V> Iterator for IterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (&*k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for IterMut<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (&*k, v))
    }
}

impl<K, V> ExactSizeIterator for IterMut<'_, K, V> {}

impl<'a, K, V> IntoIterator for &'a VecMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, K, V> IntoIterator for &'a mut VecMap<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl<K, V> IntoIterator for VecMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<K: Ord, V> Extend<(K, V)> for VecMap<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for VecMap<K, V> {
    /// Later duplicates replace earlier values, as in `BTreeMap`.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = Self::new();
        map.extend(iter);
        map
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for VecMap<K, V> {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<K: Ord + Borrow<Q>, Q: Ord + ?Sized, V> std::ops::Index<&Q> for VecMap<K, V> {
    type Output = V;

    /// Panics if the key is absent, as `BTreeMap` does.
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry for key in VecMap")
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// A small deterministic stream of operations (a linear congruential generator).
    pub(in crate::sim) fn ops(seed: u64, n: usize) -> Vec<(u8, u16, u32)> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((x >> 60) as u8, ((x >> 40) % 64) as u16, (x >> 8) as u32)
            })
            .collect()
    }

    #[test]
    fn a_vec_map_behaves_like_a_btree_map_under_random_operations() {
        for seed in 0..20 {
            let mut ours = VecMap::new();
            let mut std = BTreeMap::new();
            for (op, k, v) in ops(seed, 400) {
                match op % 6 {
                    0 | 1 => assert_eq!(ours.insert(k, v), std.insert(k, v)),
                    2 => assert_eq!(ours.remove(&k), std.remove(&k)),
                    3 => *ours.entry(k).or_insert(v) += 1,
                    4 => assert_eq!(ours.pop_first(), std.pop_first()),
                    _ => ours.retain(|kk, _| *kk != k),
                }
                if op % 6 == 3 {
                    *std.entry(k).or_insert(v) += 1;
                }
                if op % 6 == 5 {
                    std.retain(|kk, _| *kk != k);
                }
                assert!(ours.iter().eq(std.iter()));
                assert_eq!(format!("{ours:?}"), format!("{std:?}"));
                let r: Vec<_> = ours.range(k..k.saturating_add(9)).collect();
                let s: Vec<_> = std.range(k..k.saturating_add(9)).collect();
                assert_eq!(r, s);
                let r: Vec<_> = ours.range(..=k).collect();
                let s: Vec<_> = std.range(..=k).collect();
                assert_eq!(r, s);
            }
        }
    }

    #[test]
    fn collecting_keeps_the_last_value_of_a_repeated_key_like_btree_map() {
        let ours: VecMap<u8, &str> = [(2, "a"), (1, "b"), (2, "c")].into_iter().collect();
        let std: BTreeMap<u8, &str> = [(2, "a"), (1, "b"), (2, "c")].into_iter().collect();
        assert!(ours.iter().eq(std.iter()));
    }

    #[test]
    fn an_inverted_range_is_empty_rather_than_a_panic() {
        let m: VecMap<u8, u8> = (0..10).map(|i| (i, i)).collect();
        assert_eq!(m.range(5..=5).count(), 1);
        let (lo, hi) = (7, 3);
        assert_eq!(m.range(lo..hi).count(), 0);
    }
}
