//! The re-import rule: what an import does to a finding the same tool reported before.
//! Only the findings of the tools named by the new upload are in scope; triage decisions
//! (`accepted`) are never changed by an import.

use rampart_domain::PlusStatus;
use std::collections::HashSet;

/// What happens to one finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// First seen: stored with the document's status, or `open`.
    New,
    /// Reported again; its status stays.
    Unchanged,
    /// Reported again after it was resolved: `open` again.
    Reopened,
    /// No longer reported while still open or in progress: `resolved`.
    Closed,
    /// Not reported and already resolved or accepted: nothing to do.
    Untouched,
}

/// The one rule: `known` is the stored status (None: never seen), `reported` whether the
/// new upload carries the finding.
pub fn transition(known: Option<PlusStatus>, reported: bool) -> Change {
    match (known, reported) {
        (None, true) => Change::New,
        (None, false) => Change::Untouched,
        (Some(PlusStatus::Resolved), true) => Change::Reopened,
        (Some(_), true) => Change::Unchanged,
        (Some(s), false) if s.is_active() => Change::Closed,
        (Some(_), false) => Change::Untouched,
    }
}

/// An import's effect, as indices into the incoming findings (`new`) and the known ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delta {
    pub new: Vec<usize>,
    pub unchanged: Vec<usize>,
    pub reopened: Vec<usize>,
    pub closed: Vec<usize>,
}

/// Applies [`transition`] to every known finding (`(key, status)`) and every incoming key.
pub fn reconcile<K: std::hash::Hash + Eq>(known: &[(K, PlusStatus)], incoming: &[K]) -> Delta {
    let reported: HashSet<&K> = incoming.iter().collect();
    let known_keys: HashSet<&K> = known.iter().map(|(k, _)| k).collect();
    let mut d = Delta::default();
    for (i, (k, status)) in known.iter().enumerate() {
        match transition(Some(*status), reported.contains(k)) {
            Change::Unchanged => d.unchanged.push(i),
            Change::Reopened => d.reopened.push(i),
            Change::Closed => d.closed.push(i),
            Change::New | Change::Untouched => {}
        }
    }
    for (i, k) in incoming.iter().enumerate() {
        if !known_keys.contains(k) {
            d.new.push(i);
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use PlusStatus::*;

    #[test]
    fn the_rule() {
        let table = [
            (None, true, Change::New),
            (None, false, Change::Untouched),
            (Some(Open), true, Change::Unchanged),
            (Some(InProgress), true, Change::Unchanged),
            (Some(Accepted), true, Change::Unchanged),
            (Some(Resolved), true, Change::Reopened),
            (Some(Open), false, Change::Closed),
            (Some(InProgress), false, Change::Closed),
            (Some(Accepted), false, Change::Untouched),
            (Some(Resolved), false, Change::Untouched),
        ];
        for (known, reported, want) in table {
            assert_eq!(transition(known, reported), want, "{known:?} {reported}");
        }
    }

    #[test]
    fn reimport_sequences() {
        // (known findings, incoming) → (new, unchanged, reopened, closed) counts.
        type Row<'a> = (&'a [(&'a str, PlusStatus)], &'a [&'a str], [usize; 4]);
        let table: &[Row] = &[
            (&[], &["a", "b"], [2, 0, 0, 0]),
            (&[("a", Open), ("b", Open)], &["a", "b"], [0, 2, 0, 0]),
            (&[("a", Open), ("b", Open)], &["a"], [0, 1, 0, 1]),
            (&[("a", Open), ("b", Resolved)], &["a", "b"], [0, 1, 1, 0]),
            (&[("a", Accepted), ("b", Open)], &["c"], [1, 0, 0, 1]),
            (&[("a", Accepted)], &["a"], [0, 1, 0, 0]),
        ];
        for (known, incoming, [n, u, r, c]) in table {
            let known: Vec<(&str, PlusStatus)> = known.to_vec();
            let d = reconcile(&known, incoming);
            assert_eq!(
                [
                    d.new.len(),
                    d.unchanged.len(),
                    d.reopened.len(),
                    d.closed.len()
                ],
                [*n, *u, *r, *c],
                "{known:?} ← {incoming:?}"
            );
        }
    }
}
