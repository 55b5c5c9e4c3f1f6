use super::*;

/// The certificate-transparency test leaves (merkle_tree_test.cc, reused by trillian), as leaf data.
const CT_LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

fn h(hex_hash: &str) -> Hash {
    hex::decode(hex_hash).unwrap().try_into().unwrap()
}

fn hs(hex_hashes: &[&str]) -> Vec<Hash> {
    hex_hashes.iter().map(|x| h(x)).collect()
}

fn ct_tree() -> Tree {
    tree_of(&CT_LEAVES.map(|d| hash_leaf(&hex::decode(d).unwrap())))
}

fn tree_of(leaves: &[Hash]) -> Tree {
    let mut tree = Tree::new();
    for leaf in leaves {
        tree.push(*leaf);
    }
    tree
}

/// Random-looking, distinct leaf hashes.
fn leaves(n: u64) -> Vec<Hash> {
    (0..n).map(|i| sha256(&[&i.to_be_bytes()])).collect()
}

/// The recursive definitions of RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1, word for word and O(n):
/// the reference the cached tree must agree with.
fn naive_mth(d: &[Hash]) -> Hash {
    match d.len() {
        0 => empty_root(),
        1 => d[0],
        n => {
            let k = split(n as u64) as usize;
            hash_children(&naive_mth(&d[..k]), &naive_mth(&d[k..]))
        }
    }
}

fn naive_path(m: usize, d: &[Hash]) -> Vec<Hash> {
    if d.len() == 1 {
        return vec![];
    }
    let k = split(d.len() as u64) as usize;
    let (mut path, sibling) = if m < k {
        (naive_path(m, &d[..k]), naive_mth(&d[k..]))
    } else {
        (naive_path(m - k, &d[k..]), naive_mth(&d[..k]))
    };
    path.push(sibling);
    path
}

fn naive_subproof(m: usize, d: &[Hash], b: bool) -> Vec<Hash> {
    if m == d.len() {
        return if b { vec![] } else { vec![naive_mth(d)] };
    }
    let k = split(d.len() as u64) as usize;
    let (mut proof, other) = if m <= k {
        (naive_subproof(m, &d[..k], b), naive_mth(&d[k..]))
    } else {
        (naive_subproof(m - k, &d[k..], false), naive_mth(&d[..k]))
    };
    proof.push(other);
    proof
}

fn flip(hash: &Hash, bit: usize) -> Hash {
    let mut out = *hash;
    out[bit / 8] ^= 1 << (bit % 8);
    out
}

#[test]
fn the_empty_tree_has_the_hash_of_the_empty_string_as_root() {
    let empty = h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_eq!(empty_root(), empty);
    assert_eq!(Tree::new().root(), empty);
    assert_eq!(ct_tree().root_at(0).unwrap(), empty);
}

#[test]
fn roots_match_the_certificate_transparency_test_vectors() {
    let roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    let tree = ct_tree();
    let mut growing = Tree::new();
    for (size, (data, root)) in (1..).zip(CT_LEAVES.iter().zip(roots)) {
        growing.push(hash_leaf(&hex::decode(data).unwrap()));
        assert_eq!(growing.root(), h(root), "root after {size} leaves");
        assert_eq!(tree.root_at(size).unwrap(), h(root), "root_at({size})");
    }
}

/// Audit paths computed independently (Python, RFC 9162's recursive PATH); (0, 8), (5, 8), (2, 3)
/// and (1, 5) are also the published CT vectors.
#[test]
fn inclusion_proofs_match_known_answers() {
    let cases: [(u64, u64, &[&str]); 6] = [
        (0, 1, &[]),
        (
            0,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            5,
            8,
            &[
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            3,
            &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
        ),
        (
            1,
            5,
            &[
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
        (
            6,
            7,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
    ];
    let tree = ct_tree();
    for (index, size, expected) in cases {
        let proof = tree.inclusion_proof(index, size).unwrap();
        assert_eq!(proof, hs(expected), "leaf {index} in {size}");
        let leaf = hash_leaf(&hex::decode(CT_LEAVES[index as usize]).unwrap());
        let root = tree.root_at(size).unwrap();
        verify_inclusion(&leaf, index, size, &proof, &root).unwrap();
    }
}

/// Consistency proofs computed independently (Python, RFC 9162's recursive PROOF/SUBPROOF); 1→8,
/// 6→8, 2→5 and 6→7 are also the published CT/trillian vectors.
#[test]
fn consistency_proofs_match_known_answers() {
    let cases: [(u64, u64, &[&str]); 8] = [
        (1, 1, &[]),
        (0, 8, &[]),
        (
            1,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            3,
            7,
            &[
                "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
                "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
                "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e",
            ],
        ),
        (
            4,
            8,
            &["6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
        ),
        (
            6,
            8,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            5,
            &[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
        (
            6,
            7,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
    ];
    let tree = ct_tree();
    for (from, to, expected) in cases {
        let proof = tree.consistency_proof(from, to).unwrap();
        assert_eq!(proof, hs(expected), "{from} -> {to}");
        let (a, b) = (tree.root_at(from).unwrap(), tree.root_at(to).unwrap());
        verify_consistency(from, to, &a, &b, &proof).unwrap();
    }
}

#[test]
fn split_is_the_largest_power_of_two_below_n() {
    for (n, k) in [
        (2, 1),
        (3, 2),
        (4, 2),
        (5, 4),
        (8, 4),
        (9, 8),
        (1 << 40, 1 << 39),
    ] {
        assert_eq!(split(n), k, "n = {n}");
    }
    assert_eq!(split(u64::MAX), 1 << 63);
}

#[test]
fn the_cached_tree_agrees_with_the_recursive_definitions_for_every_size() {
    let d = leaves(64);
    let tree = tree_of(&d);
    for size in 0..=64 {
        let n = size as usize;
        assert_eq!(
            tree.root_at(size).unwrap(),
            naive_mth(&d[..n]),
            "size {size}"
        );
        assert_eq!(tree_of(&d[..n]).root(), naive_mth(&d[..n]), "size {size}");
        for m in 0..n {
            let proof = tree.inclusion_proof(m as u64, size).unwrap();
            assert_eq!(proof, naive_path(m, &d[..n]), "leaf {m} in {size}");
        }
        for m in 1..n {
            let proof = tree.consistency_proof(m as u64, size).unwrap();
            assert_eq!(proof, naive_subproof(m, &d[..n], true), "{m} -> {size}");
        }
    }
}

#[test]
fn every_inclusion_proof_verifies_for_every_size_up_to_64() {
    let d = leaves(64);
    let tree = tree_of(&d);
    for size in 1..=64 {
        let root = tree.root_at(size).unwrap();
        for index in 0..size {
            let proof = tree.inclusion_proof(index, size).unwrap();
            verify_inclusion(&d[index as usize], index, size, &proof, &root)
                .unwrap_or_else(|e| panic!("leaf {index} in {size}: {e}"));
        }
    }
}

#[test]
fn every_consistency_proof_verifies_for_every_pair_of_sizes_up_to_64() {
    let tree = tree_of(&leaves(64));
    for to in 0..=64 {
        let to_root = tree.root_at(to).unwrap();
        for from in 0..=to {
            let proof = tree.consistency_proof(from, to).unwrap();
            verify_consistency(from, to, &tree.root_at(from).unwrap(), &to_root, &proof)
                .unwrap_or_else(|e| panic!("{from} -> {to}: {e}"));
        }
    }
}

#[test]
fn a_flipped_bit_in_the_leaf_the_proof_or_the_root_fails_inclusion() {
    let d = leaves(16);
    let tree = tree_of(&d);
    for size in 1..=16 {
        let root = tree.root_at(size).unwrap();
        for index in 0..size {
            let leaf = d[index as usize];
            let proof = tree.inclusion_proof(index, size).unwrap();
            for bit in 0..256 {
                let bad_leaf = flip(&leaf, bit);
                assert!(verify_inclusion(&bad_leaf, index, size, &proof, &root).is_err());
                let bad_root = flip(&root, bit);
                assert!(verify_inclusion(&leaf, index, size, &proof, &bad_root).is_err());
                for i in 0..proof.len() {
                    let mut bad = proof.clone();
                    bad[i] = flip(&bad[i], bit);
                    let err = verify_inclusion(&leaf, index, size, &bad, &root).unwrap_err();
                    assert_eq!(err, ProofError::RootMismatch, "leaf {index} in {size}");
                }
            }
        }
    }
}

#[test]
fn a_flipped_bit_in_either_root_or_the_proof_fails_consistency() {
    let tree = tree_of(&leaves(16));
    for to in 1..=16 {
        let b = tree.root_at(to).unwrap();
        for from in 1..=to {
            let a = tree.root_at(from).unwrap();
            let proof = tree.consistency_proof(from, to).unwrap();
            for bit in 0..256 {
                let bad_a = flip(&a, bit);
                let bad_b = flip(&b, bit);
                assert!(verify_consistency(from, to, &bad_a, &b, &proof).is_err());
                assert!(verify_consistency(from, to, &a, &bad_b, &proof).is_err());
                for i in 0..proof.len() {
                    let mut bad = proof.clone();
                    bad[i] = flip(&bad[i], bit);
                    let err = verify_consistency(from, to, &a, &b, &bad).unwrap_err();
                    assert_eq!(err, ProofError::RootMismatch, "{from} -> {to}");
                }
            }
        }
    }
    // The empty tree has one root only.
    let bad_empty = flip(&empty_root(), 0);
    let err = verify_consistency(0, 3, &bad_empty, &tree.root_at(3).unwrap(), &[]);
    assert_eq!(err, Err(ProofError::RootMismatch));
}

/// The sides on which RFC 9162's PATH(m, D[n]) finds the siblings, leaf upwards (true = left); None
/// when there is no such leaf. Two claims with the same shape hash the same inputs in the same order.
fn path_shape(m: u64, n: u64) -> Option<Vec<bool>> {
    if m >= n {
        return None;
    }
    if n == 1 {
        return Some(vec![]);
    }
    let k = split(n);
    let (mut shape, left) = if m < k {
        (path_shape(m, k)?, false)
    } else {
        (path_shape(m - k, n - k)?, true)
    };
    shape.push(left);
    Some(shape)
}

/// The same for PROOF(m, D[n]): whether the proof carries its own seed (§2.1.4.2 step 2) and the side
/// of every further node. None where the proof is empty by definition (m = 0 or m = n) or m > n.
fn proof_shape(m: u64, n: u64) -> Option<(bool, Vec<bool>)> {
    fn sub(m: u64, n: u64, b: bool) -> (bool, Vec<bool>) {
        if m == n {
            return (!b, vec![]);
        }
        let k = split(n);
        let ((seed, mut sides), left) = if m <= k {
            (sub(m, k, b), false)
        } else {
            (sub(m - k, n - k, false), true)
        };
        sides.push(left);
        (seed, sides)
    }
    (m > 0 && m < n).then(|| sub(m, n, true))
}

/// A proof binds the index and size only as far as they change how its hashes combine: where the
/// neighbouring claim has the same shape (leaf 0 of 3 and of 4: both "sibling right, sibling right"),
/// any verifier that sees only hashes must accept it, and a tree of the other size with that root
/// would need a leaf hash to equal a node hash, which RFC 9162's 0x00/0x01 prefixes rule out. Every
/// other neighbouring index or size must fail.
#[test]
fn a_neighbouring_index_or_size_fails_inclusion_unless_the_proof_has_the_same_shape() {
    let d = leaves(33);
    let tree = tree_of(&d);
    let mut same_shape = 0;
    for size in 1..=32 {
        let root = tree.root_at(size).unwrap();
        for index in 0..size {
            let leaf = d[index as usize];
            let proof = tree.inclusion_proof(index, size).unwrap();
            let wrong = [
                (index.wrapping_sub(1), size),
                (index + 1, size),
                (index, size - 1),
                (index, size + 1),
            ];
            for (i, s) in wrong {
                let accepted = verify_inclusion(&leaf, i, s, &proof, &root).is_ok();
                let same =
                    path_shape(i, s).is_some() && path_shape(i, s) == path_shape(index, size);
                assert_eq!(
                    accepted, same,
                    "leaf {index} in {size} checked as leaf {i} in {s}"
                );
                assert!(!accepted || i == index, "a changed index never passes");
                same_shape += usize::from(same);
                // Against the root the log really had at that size, it never passes.
                if let Ok(their_root) = tree.root_at(s) {
                    assert!(verify_inclusion(&leaf, i, s, &proof, &their_root).is_err());
                }
            }
        }
    }
    // Only sizes ever coincide (leaf 0 of 3 and of 4 first): 832 such claims here, as an independent
    // Python run of the §2.1.3.2 algorithm also counts.
    assert!(path_shape(0, 3) == path_shape(0, 4));
    assert_eq!(same_shape, 832);
}

#[test]
fn a_neighbouring_size_fails_consistency_unless_the_proof_has_the_same_shape() {
    let tree = tree_of(&leaves(33));
    let mut same_shape = 0;
    for to in 1..=32 {
        let b = tree.root_at(to).unwrap();
        for from in 1..to {
            let a = tree.root_at(from).unwrap();
            let proof = tree.consistency_proof(from, to).unwrap();
            for (f, t) in [
                (from - 1, to),
                (from + 1, to),
                (from, to - 1),
                (from, to + 1),
            ] {
                let accepted = verify_consistency(f, t, &a, &b, &proof).is_ok();
                let same =
                    proof_shape(f, t).is_some() && proof_shape(f, t) == proof_shape(from, to);
                assert_eq!(accepted, same, "{from} -> {to} checked as {f} -> {t}");
                assert!(!accepted || f == from, "a changed old size never passes");
                same_shape += usize::from(same);
                if let (Ok(their_a), Ok(their_b)) = (tree.root_at(f), tree.root_at(t)) {
                    assert!(verify_consistency(f, t, &their_a, &their_b, &proof).is_err());
                }
            }
        }
    }
    // As for inclusion only the new size ever coincides (1 -> 3 and 1 -> 4 first); Python agrees.
    assert_eq!(same_shape, 832);
}

#[test]
fn an_extra_or_a_missing_proof_element_is_the_wrong_length() {
    let d = leaves(16);
    let tree = tree_of(&d);
    let extra = sha256(&[b"extra"]);
    for size in 1..=16 {
        let root = tree.root_at(size).unwrap();
        for index in 0..size {
            let leaf = d[index as usize];
            let mut proof = tree.inclusion_proof(index, size).unwrap();
            let len = proof.len();
            let wrong_len = Err(ProofError::WrongProofLength { len: len + 1 });
            proof.push(extra);
            assert_eq!(
                verify_inclusion(&leaf, index, size, &proof, &root),
                wrong_len
            );
            proof.pop();
            if proof.pop().is_some() {
                let wrong_len = Err(ProofError::WrongProofLength { len: len - 1 });
                assert_eq!(
                    verify_inclusion(&leaf, index, size, &proof, &root),
                    wrong_len
                );
            }
        }
        for from in 0..=size {
            let a = tree.root_at(from).unwrap();
            let mut proof = tree.consistency_proof(from, size).unwrap();
            let len = proof.len();
            proof.push(extra);
            let wrong_len = Err(ProofError::WrongProofLength { len: len + 1 });
            assert_eq!(verify_consistency(from, size, &a, &root, &proof), wrong_len);
            proof.pop();
            if proof.pop().is_some() {
                let wrong_len = Err(ProofError::WrongProofLength { len: len - 1 });
                assert_eq!(verify_consistency(from, size, &a, &root, &proof), wrong_len);
            }
        }
    }
}

#[test]
fn an_index_at_or_beyond_the_size_is_out_of_range() {
    let tree = tree_of(&leaves(8));
    let out = |index, size| ProofError::IndexOutOfRange { index, size };
    assert_eq!(tree.inclusion_proof(5, 5), Err(out(5, 5)));
    assert_eq!(tree.inclusion_proof(0, 0), Err(out(0, 0)));
    let root = tree.root_at(5).unwrap();
    let leaf = leaves(6)[5];
    assert_eq!(verify_inclusion(&leaf, 5, 5, &[], &root), Err(out(5, 5)));
    assert_eq!(verify_inclusion(&leaf, 9, 5, &[], &root), Err(out(9, 5)));
    assert_eq!(
        verify_inclusion(&leaf, 0, 0, &[], &empty_root()),
        Err(out(0, 0))
    );
}

#[test]
fn a_from_size_larger_than_the_to_size_is_rejected() {
    let tree = tree_of(&leaves(8));
    let order = ProofError::SizesOutOfOrder { from: 5, to: 4 };
    assert_eq!(tree.consistency_proof(5, 4), Err(order.clone()));
    let (a, b) = (tree.root_at(5).unwrap(), tree.root_at(4).unwrap());
    let proof = tree.consistency_proof(4, 5).unwrap();
    assert_eq!(verify_consistency(5, 4, &a, &b, &proof), Err(order));
}

#[test]
fn sizes_beyond_the_tree_are_rejected() {
    let tree = tree_of(&leaves(8));
    let beyond = |size| ProofError::SizeBeyondTree { size, tree_size: 8 };
    assert_eq!(tree.root_at(8).unwrap(), tree.root());
    assert_eq!(tree.root_at(9), Err(beyond(9)));
    assert_eq!(tree.inclusion_proof(0, 9), Err(beyond(9)));
    assert_eq!(tree.inclusion_proof(9, 9), Err(beyond(9)));
    assert_eq!(tree.consistency_proof(3, 9), Err(beyond(9)));
    assert_eq!(tree.consistency_proof(0, u64::MAX), Err(beyond(u64::MAX)));
}

#[test]
fn trivial_consistency_proofs_are_empty_but_still_compare_the_roots() {
    let tree = tree_of(&leaves(8));
    let (a, b) = (tree.root_at(5).unwrap(), tree.root_at(8).unwrap());
    assert_eq!(tree.consistency_proof(5, 5).unwrap(), Vec::<Hash>::new());
    assert_eq!(verify_consistency(5, 5, &a, &a, &[]), Ok(()));
    assert_eq!(
        verify_consistency(5, 5, &a, &b, &[]),
        Err(ProofError::RootMismatch)
    );
    assert_eq!(verify_consistency(0, 8, &empty_root(), &b, &[]), Ok(()));
    assert_eq!(
        verify_consistency(0, 0, &empty_root(), &empty_root(), &[]),
        Ok(())
    );
    assert_eq!(
        verify_consistency(0, 0, &empty_root(), &b, &[]),
        Err(ProofError::RootMismatch)
    );
}

#[test]
fn errors_read_as_sentences() {
    let e = ProofError::IndexOutOfRange { index: 7, size: 7 };
    assert_eq!(
        e.to_string(),
        "leaf index 7 is not inside a tree of 7 leaves"
    );
    let e = ProofError::SizeBeyondTree {
        size: 9,
        tree_size: 8,
    };
    assert_eq!(
        e.to_string(),
        "tree size 9 is beyond the 8 leaves the tree holds"
    );
}

#[test]
fn a_truncated_tree_is_the_tree_of_its_first_leaves_and_grows_again_the_same_way() {
    let all = leaves(45);
    for keep in [0u64, 1, 2, 7, 8, 9, 31, 32, 33, 44, 45, 60] {
        let mut tree = tree_of(&all);
        tree.truncate(keep);
        let kept = keep.min(45) as usize;
        assert_eq!(tree.size(), kept as u64, "keep {keep}");
        assert_eq!(tree.root(), naive_mth(&all[..kept]), "keep {keep}");
        for leaf in &all[kept..] {
            tree.push(*leaf);
        }
        assert_eq!(tree.root(), naive_mth(&all), "regrown after keep {keep}");
        assert_eq!(
            tree.inclusion_proof(3, 45).expect("a proof"),
            naive_path(3, &all),
            "keep {keep}"
        );
    }
}
