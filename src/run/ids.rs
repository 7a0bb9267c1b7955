//! Ids that repeat: the workers give each record's id and its 64-bit fingerprint; the
//! writer files the fingerprints by their top byte into 256 buckets as it merges batches
//! (appending only, so no random memory access slows it), keeps each id's text (its first
//! 255 bytes, enough to name it) in one buffer, and at the end sorts each bucket (small
//! enough for the processor's cache) and counts equal neighbours, the buckets shared out
//! among the run's threads. Two different ids pass
//! for one only by a chance of about 1 in 370,000 in a 10-million-row export. The report
//! names the smallest few repeated ids and counts every record that repeats an id: both the
//! same on every run. Memory: about 13 bytes a customer plus its id's length.

use std::sync::LazyLock;

/// Repeated ids named in the report; the rest are only counted.
pub const EXAMPLES: usize = 5;

/// Ids fewer than this are sorted on the thread that asks: starting a thread takes longer
/// than sorting them (the README's 300 customers: two threads started for 300 ids).
pub const SORTED_ALONE_BELOW: usize = 1 << 16;

/// Every id seen so far, to find repeats in at the end.
#[derive(Debug, Clone)]
pub struct IdLog {
    /// Per bucket, the fingerprints, and where each id's text starts in `texts`.
    prints: Vec<Vec<u64>>,
    starts: Vec<Vec<u32>>,
    /// Each id as a length byte and up to 255 bytes of text. Past 4 GiB of text, ids are
    /// still counted but no longer kept to be named.
    texts: Vec<u8>,
}

impl Default for IdLog {
    fn default() -> IdLog {
        IdLog { prints: vec![Vec::new(); 256], starts: vec![Vec::new(); 256], texts: Vec::new() }
    }
}

impl IdLog {
    /// Files an id with its fingerprint.
    pub fn add(&mut self, print: u64, id: &[u8]) {
        let bucket = (print >> 56) as usize;
        let start = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
        if start < u32::MAX {
            let kept = &id[..id.len().min(255)];
            self.texts.push(kept.len() as u8);
            self.texts.extend_from_slice(kept);
        }
        self.prints[bucket].push(print);
        self.starts[bucket].push(start);
    }

    /// The repeats among every id filed, freeing the log; the buckets are sorted on up to
    /// `threads` threads, no more than the machine's cores (the run's workers are done by
    /// then), on this one alone when that is one or the ids are too few to be worth a
    /// thread ([`SORTED_ALONE_BELOW`]).
    pub fn repeats(self, threads: usize) -> Repeats {
        let ids: usize = self.prints.iter().map(Vec::len).sum();
        let threads = if ids < SORTED_ALONE_BELOW { 1 } else { threads };
        self.repeats_on(threads)
    }

    /// [`IdLog::repeats`] on up to `threads` threads, however few the ids.
    fn repeats_on(self, threads: usize) -> Repeats {
        let buckets: Vec<(Vec<u64>, Vec<u32>)> = self.prints.into_iter().zip(self.starts).collect();
        let cores = crate::cores::cores().unwrap_or(1);
        let threads = threads.clamp(1, cores);
        let texts = &self.texts;
        if threads == 1 {
            return repeats_in(&buckets, texts);
        }
        let share = buckets.len().div_ceil(threads);
        let parts: Vec<Repeats> = std::thread::scope(|scope| {
            let handles: Vec<_> = buckets
                .chunks(share)
                .map(|part| {
                    (part, std::thread::Builder::new().spawn_scoped(scope, || repeats_in(part, texts)))
                })
                .collect();
            // A thread that could not be had: its buckets are sorted here instead.
            let joined = handles.into_iter().map(|(part, handle)| match handle {
                Ok(handle) => handle.join().unwrap_or_else(|_| repeats_in(part, texts)),
                Err(_) => repeats_in(part, texts),
            });
            joined.collect()
        });
        let mut repeats = Repeats::default();
        for part in parts {
            repeats.count += part.count;
            part.examples.into_iter().for_each(|id| repeats.keep(id));
        }
        repeats
    }
}

/// The repeats among the ids of some buckets.
fn repeats_in(buckets: &[(Vec<u64>, Vec<u32>)], texts: &[u8]) -> Repeats {
    let mut repeats = Repeats::default();
    let mut sorted = Vec::new();
    for (prints, starts) in buckets {
        // Fingerprints alone sort fastest; a bucket with a repeat (seldom) is sorted
        // again with the texts' places, to name the id.
        sorted.clear();
        sorted.extend_from_slice(prints);
        sorted.sort_unstable();
        if sorted.windows(2).all(|pair| pair[0] != pair[1]) {
            continue;
        }
        let mut pairs: Vec<(u64, u32)> = prints.iter().copied().zip(starts.iter().copied()).collect();
        pairs.sort_unstable();
        for pair in pairs.windows(2).filter(|pair| pair[0].0 == pair[1].0) {
            let start = pair[0].1 as usize;
            match texts.get(start) {
                Some(&len) => repeats.note(&texts[start + 1..start + 1 + len as usize]),
                None => repeats.count += 1,
            }
        }
    }
    repeats
}

/// Repeats found: how many records repeat an id, and the smallest repeated ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Repeats {
    pub count: u64,
    pub examples: Vec<String>,
}

impl Repeats {
    /// Counts one more record with a repeated id.
    pub fn note(&mut self, id: &[u8]) {
        self.count += 1;
        self.keep(String::from_utf8_lossy(id).into_owned());
    }

    fn keep(&mut self, id: String) {
        if let Err(at) = self.examples.binary_search(&id) {
            if at < EXAMPLES {
                self.examples.insert(at, id);
                self.examples.truncate(EXAMPLES);
            }
        }
    }
}

/// An id's 64-bit fingerprint, the same in every run (fixed seeds).
pub fn fingerprint(id: &[u8]) -> u64 {
    static STATE: LazyLock<ahash::RandomState> =
        LazyLock::new(|| ahash::RandomState::with_seeds(0x7472_6164, 0x6573_6567, 0x6964_7321, 0x0000_2026));
    STATE.hash_one(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_counted_and_the_smallest_named_once() {
        let mut log = IdLog::default();
        for id in ["C9", "C1", "C9", "C9", "C7", "C1", "C3", "C2", "C3", "C2", "C5", "C5", "C4", "C4"] {
            log.add(fingerprint(id.as_bytes()), id.as_bytes());
        }
        for threads in [1, 2, 3, 7, 300] {
            let repeats = log.clone().repeats_on(threads);
            assert_eq!(repeats.count, 7);
            assert_eq!(repeats.examples, ["C1", "C2", "C3", "C4", "C5"], "{threads} threads");
        }
    }

    /// Past [`SORTED_ALONE_BELOW`] ids the sort is shared among threads, and finds what
    /// one thread finds.
    #[test]
    fn many_ids_give_the_same_repeats_on_every_number_of_threads() {
        let mut log = IdLog::default();
        for n in 0..SORTED_ALONE_BELOW + 1_000 {
            // Every 97th id comes again once.
            for _ in 0..1 + usize::from(n % 97 == 0) {
                let id = format!("C{n:06}");
                log.add(fingerprint(id.as_bytes()), id.as_bytes());
            }
        }
        let alone = log.clone().repeats_on(1);
        assert_eq!(alone.count as usize, (SORTED_ALONE_BELOW + 1_000).div_ceil(97));
        assert_eq!(alone.examples, ["C000000", "C000097", "C000194", "C000291", "C000388"]);
        for threads in [2, 3, 300] {
            assert_eq!(log.clone().repeats(threads), alone, "{threads} threads");
        }
    }
}
