//! The fuzz targets under `cargo test`: every kept input (`fuzz/corpus/<target>/`) and every crash
//! the fuzzer ever found (`fuzz/regressions/<target>/`, each fixed) through its target, then
//! random edits of those inputs and random bytes (proptest), so what coverage-guided fuzzing once
//! found stays found. The fuzzer itself is `fuzz/run` (cargo-afl).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test bodies: a panic is the failure report

use std::path::{Path, PathBuf};

use gateway::fuzzing::TARGETS;
use proptest::prelude::*;

fn kept(folder: &str, target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz")
        .join(folder)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut inputs: Vec<_> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    inputs.sort();
    inputs
}

#[test]
fn every_target_has_a_corpus() {
    for (name, _) in TARGETS {
        assert!(
            !kept("corpus", name).is_empty(),
            "fuzz/corpus/{name}/ is empty"
        );
    }
}

#[test]
fn every_kept_input_and_every_crash_found_passes_its_target() {
    for (name, target) in TARGETS {
        for folder in ["corpus", "regressions"] {
            for (path, input) in kept(folder, name) {
                let passed = std::panic::catch_unwind(|| target(&input));
                assert!(passed.is_ok(), "{name}: {} fails", path.display());
            }
        }
    }
}

/// An edit of a kept input: replace, insert or delete a byte at a position, or cut it short.
#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Replace(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply(mut input: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
        match *e {
            Edit::Replace(i, b) if !input.is_empty() => {
                let i = at(i, input.len());
                input[i] = b;
            }
            Edit::Insert(i, b) => {
                let i = at(i, input.len() + 1);
                input.insert(i, b);
            }
            Edit::Delete(i) if !input.is_empty() => {
                let i = at(i, input.len());
                input.remove(i);
            }
            Edit::Truncate(i) => {
                let i = at(i, input.len() + 1);
                input.truncate(i);
            }
            _ => {}
        }
    }
    input
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn edited_kept_inputs_pass_every_target(
        seed in any::<usize>(),
        edits in proptest::collection::vec(edit(), 1..12),
    ) {
        for (name, target) in TARGETS {
            let corpus = kept("corpus", name);
            let (_, input) = &corpus[seed % corpus.len()];
            target(&apply(input.clone(), &edits));
        }
    }

    #[test]
    fn random_bytes_pass_every_target(input in proptest::collection::vec(any::<u8>(), 0..512)) {
        for (_, target) in TARGETS {
            target(&input);
        }
    }
}
