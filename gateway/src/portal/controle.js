// Mijn gegevens: the browser re-checks every entry itself (WebCrypto), without trusting the
// server's "verified": it fetches the entry's evidence bundle, recomputes the Merkle root from the
// entry's leaf and its inclusion proof (RFC 9162), compares it with the root in the signed
// checkpoint, and checks the checkpoint's Ed25519 signature against the log key (C2SP signed note).
// Without JavaScript the page still says what the server checked.
(async () => {
  const cards = document.querySelectorAll('[data-bewijs]');
  if (!cards.length || !window.crypto || !crypto.subtle) return;
  const enc = new TextEncoder();
  const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const concat = (parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  };
  const sha = async (...parts) => new Uint8Array(await crypto.subtle.digest('SHA-256', concat(parts)));
  const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

  async function rootOf(leafInput, index, size, path) {
    let r = await sha(Uint8Array.of(0), leafInput);
    let fn = index;
    let sn = size - 1;
    for (const p of path) {
      if (sn === 0) return null;
      if (fn % 2 === 1 || fn === sn) {
        r = await sha(Uint8Array.of(1), p, r);
        while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      } else {
        r = await sha(Uint8Array.of(1), r, p);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 ? r : null;
  }

  async function signedBy(note, vkey) {
    // name+hash+base64: the base64 may itself hold a '+'.
    const first = vkey.indexOf('+');
    const name = vkey.slice(0, first);
    const material = vkey.slice(vkey.indexOf('+', first + 1) + 1);
    const raw = b64(material);
    if (raw[0] !== 1) return false;
    const keyId = (await sha(enc.encode(`${name}\n`), raw)).slice(0, 4);
    const split = note.lastIndexOf('\n\n');
    const text = note.slice(0, split + 1);
    const key = await crypto.subtle.importKey('raw', raw.slice(1), { name: 'Ed25519' }, false, ['verify']);
    for (const line of note.slice(split + 2).split('\n')) {
      const m = line.match(/^\u2014 (\S+) (\S+)$/);
      if (!m || m[1] !== name) continue;
      const blob = b64(m[2]);
      if (!same(blob.slice(0, 4), keyId)) continue;
      if (await crypto.subtle.verify({ name: 'Ed25519' }, key, blob.slice(4), enc.encode(text))) return true;
    }
    return false;
  }

  for (const card of cards) {
    const out = card.querySelector('.browsercheck');
    try {
      const response = await fetch(card.dataset.bewijs, { credentials: 'same-origin' });
      const bundle = await response.json();
      const lines = bundle.checkpoint.split('\n');
      const root = await rootOf(b64(bundle.leaf_input), bundle.leaf_index, bundle.tree_size, bundle.path.map(b64));
      const ok = Number(lines[1]) === bundle.tree_size && root !== null && same(root, b64(lines[2]))
        && (await signedBy(bundle.checkpoint, bundle.log_key));
      out.textContent = ok ? ' · Ook door uw browser gecontroleerd' : ' · Uw browser vond een fout in het bewijs';
      out.className = ok ? 'browsercheck ok' : 'browsercheck bad';
    } catch (e) {
      out.textContent = ' · Uw browser kon het bewijs niet controleren';
    }
  }
})();
