//! The ledger's Merkle tree, RFC 9162 §2.1 (the hashing of RFC 6962, which Certificate Transparency
//! logs use): tree hashes, inclusion and consistency proofs, and their verification. Pure: no I/O, no
//! clock, so the gateway, `gateway log verify` and any outsider holding only hashes check the same way.
//!
//! The tree is built over *leaf hashes* (the ledger stores `leaf_hash`, see `leaf.rs`), not leaf data.

use ring::digest::{Context, SHA256};

/// A SHA-256 tree hash.
pub type Hash = [u8; 32];

/// Why a proof could not be made or did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("leaf index {index} is not inside a tree of {size} leaves")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("tree size {size} is beyond the {tree_size} leaves the tree holds")]
    SizeBeyondTree { size: u64, tree_size: u64 },
    #[error("the earlier tree size {from} is larger than the later size {to}")]
    SizesOutOfOrder { from: u64, to: u64 },
    #[error("a proof of {len} hashes has the wrong length for these sizes")]
    WrongProofLength { len: usize },
    #[error("the proof does not lead to the given root hash")]
    RootMismatch,
}

/// RFC 9162 §2.1.1: a leaf is hashed with a 0x00 prefix, so no leaf can pose as an inner node.
pub fn hash_leaf(data: &[u8]) -> Hash {
    sha256(&[&[0x00], data])
}

/// RFC 9162 §2.1.1: an inner node is hashed with a 0x01 prefix over its left and right child.
pub fn hash_children(left: &Hash, right: &Hash) -> Hash {
    sha256(&[&[0x01], left, right])
}

/// RFC 9162 §2.1.1: the hash of the empty tree is SHA-256 of the empty string.
pub fn empty_root() -> Hash {
    sha256(&[])
}

fn sha256(parts: &[&[u8]]) -> Hash {
    let mut ctx = Context::new(&SHA256);
    for part in parts {
        ctx.update(part);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// RFC 9162 §2.1.1: k, the largest power of two smaller than n (n >= 2). Every split of the tree is
/// made here, so the left subtree is always a perfect one.
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// An append-only Merkle tree over leaf hashes.
///
/// It keeps every complete, aligned perfect subtree: `levels[k][i]` is the hash of leaves
/// `[i * 2^k, (i + 1) * 2^k)`. RFC 9162's recursion splits every range into such a subtree on the
/// left and a smaller range on the right, so any root or proof for any earlier size needs only
/// O(log n) cached nodes and O(log² n) hashing, never a pass over all leaves. Memory: about 2n hashes.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    levels: Vec<Vec<Hash>>,
}

impl Tree {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one leaf hash, completing every perfect subtree that it closes.
    pub fn push(&mut self, leaf: Hash) {
        let mut node = leaf;
        for level in 0.. {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            let nodes = &mut self.levels[level];
            nodes.push(node);
            // An even count means the node just added closed a pair: its parent is complete too.
            if nodes.len() % 2 == 1 {
                break;
            }
            node = hash_children(&nodes[nodes.len() - 2], &nodes[nodes.len() - 1]);
        }
    }

    /// Forgets every leaf from `size` on, as if they had never been pushed: what a commit that
    /// failed after its leaves were added takes back. A size beyond the tree changes nothing.
    pub fn truncate(&mut self, size: u64) {
        for (level, nodes) in self.levels.iter_mut().enumerate() {
            // Level k keeps the perfect subtrees of 2^k leaves that lie wholly below `size`.
            nodes.truncate(usize::try_from(size >> level).unwrap_or(usize::MAX));
        }
        while self.levels.last().is_some_and(Vec::is_empty) {
            self.levels.pop();
        }
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |leaves| leaves.len() as u64)
    }

    /// The root of the whole tree (RFC 9162 §2.1.1 MTH).
    pub fn root(&self) -> Hash {
        self.mth(0, self.size())
    }

    /// The leaf hash at `index`, if the tree has it.
    pub fn leaf(&self, index: u64) -> Option<Hash> {
        let index = usize::try_from(index).ok()?;
        self.levels.first()?.get(index).copied()
    }

    /// The root the tree had when it held `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Hash, ProofError> {
        self.check_size(size)?;
        Ok(self.mth(0, size))
    }

    /// RFC 9162 §2.1.3.1: the audit path of leaf `index` in the tree of the first `size` leaves,
    /// ordered from the leaf's sibling up to the root's other child.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
        self.check_size(size)?;
        if index >= size {
            return Err(ProofError::IndexOutOfRange { index, size });
        }
        let mut proof = Vec::new();
        self.path(index, 0, size, &mut proof);
        Ok(proof)
    }

    /// RFC 9162 §2.1.4.1: the proof that the tree of `from` leaves is a prefix of the tree of `to`
    /// leaves. Empty when `from` is 0 or equal to `to`, where there is nothing to prove.
    pub fn consistency_proof(&self, from: u64, to: u64) -> Result<Vec<Hash>, ProofError> {
        if from > to {
            return Err(ProofError::SizesOutOfOrder { from, to });
        }
        self.check_size(to)?;
        let mut proof = Vec::new();
        if from > 0 && from < to {
            self.subproof(from, 0, to, true, &mut proof);
        }
        Ok(proof)
    }

    fn check_size(&self, size: u64) -> Result<(), ProofError> {
        let tree_size = self.size();
        if size > tree_size {
            return Err(ProofError::SizeBeyondTree { size, tree_size });
        }
        Ok(())
    }

    /// MTH over leaves `[lo, hi)`. A perfect, aligned range is read from the cache; any other range is
    /// split as §2.1.1 says, and only its right part, which is smaller, recurses beyond the cache.
    fn mth(&self, lo: u64, hi: u64) -> Hash {
        let n = hi - lo;
        if n == 0 {
            return empty_root();
        }
        if n.is_power_of_two() && lo.is_multiple_of(n) {
            let level = n.trailing_zeros() as usize;
            return self.levels[level][(lo >> level) as usize];
        }
        let k = split(n);
        hash_children(&self.mth(lo, lo + k), &self.mth(lo + k, hi))
    }

    /// §2.1.3.1 PATH(m, D[lo:hi]), with `m` relative to `lo`: the sibling subtree's hash comes after
    /// the path inside the subtree holding the leaf.
    fn path(&self, m: u64, lo: u64, hi: u64, out: &mut Vec<Hash>) {
        let n = hi - lo;
        if n == 1 {
            return;
        }
        let k = split(n);
        if m < k {
            self.path(m, lo, lo + k, out);
            out.push(self.mth(lo + k, hi));
        } else {
            self.path(m - k, lo + k, hi, out);
            out.push(self.mth(lo, lo + k));
        }
    }

    /// §2.1.4.1 SUBPROOF(m, D[lo:hi], b): `start` is true while D[lo:lo+m] is still the whole old
    /// tree, whose root the verifier already has and so is left out.
    fn subproof(&self, m: u64, lo: u64, hi: u64, start: bool, out: &mut Vec<Hash>) {
        let n = hi - lo;
        if m == n {
            if !start {
                out.push(self.mth(lo, hi));
            }
            return;
        }
        let k = split(n);
        if m <= k {
            self.subproof(m, lo, lo + k, start, out);
            out.push(self.mth(lo + k, hi));
        } else {
            self.subproof(m - k, lo + k, hi, false, out);
            out.push(self.mth(lo, lo + k));
        }
    }
}

/// RFC 9162 §2.1.3.2: checks that `leaf` is leaf `index` of the tree of `size` leaves with `root`.
/// Needs nothing from the log but the proof, so a resident can check it without trusting the operator.
/// `size` counts only as far as it shapes the path (leaf 0 of 3 and of 4 hash alike), so take `size`
/// and `root` together from one signed checkpoint; the tests pin exactly which neighbours coincide.
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    // fn and sn walk up from the leaf and from the last leaf; where they meet is the root.
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            // The path already reached the root: the proof has hashes to spare.
            return Err(ProofError::WrongProofLength { len: proof.len() });
        }
        if fnode & 1 == 1 || fnode == snode {
            r = hash_children(p, &r);
            // On the right edge a node may have no sibling at some levels: skip those levels.
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            r = hash_children(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongProofLength { len: proof.len() });
    }
    if r != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// RFC 9162 §2.1.4.2: checks that the tree of `from` leaves with `from_root` is a prefix of the tree
/// of `to` leaves with `to_root`, i.e. that the log only appended in between.
pub fn verify_consistency(
    from: u64,
    to: u64,
    from_root: &Hash,
    to_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if from > to {
        return Err(ProofError::SizesOutOfOrder { from, to });
    }
    // §2.1.4.1: for these the proof is empty; all that can be checked is the roots themselves.
    if from == 0 || from == to {
        if !proof.is_empty() {
            return Err(ProofError::WrongProofLength { len: proof.len() });
        }
        if (from == 0 && *from_root != empty_root()) || (from == to && from_root != to_root) {
            return Err(ProofError::RootMismatch);
        }
        return Ok(());
    }
    let (first, rest) = match proof.split_first() {
        None => return Err(ProofError::WrongProofLength { len: 0 }),
        // A perfect old tree is a node of the new one; the proof leaves its root out (step 2).
        Some(_) if from.is_power_of_two() => (from_root, proof),
        Some((first, rest)) => (first, rest),
    };
    let (mut fnode, mut snode) = (from - 1, to - 1);
    // Step 4: climb past the levels where the old tree's last node is a right child in both trees.
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if snode == 0 {
            return Err(ProofError::WrongProofLength { len: proof.len() });
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = hash_children(c, &fr);
            sr = hash_children(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            sr = hash_children(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongProofLength { len: proof.len() });
    }
    if fr != *from_root || sr != *to_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
