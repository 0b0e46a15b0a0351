"""The audit log's chain and signatures, and the rules that verify them (no SQL here).

Every entry holds the hash of the one before it; since signatures began, every entry is
also signed (Ed25519) by its author over its own hash, which covers its sequence number,
its content and the previous hash. So an entry cannot be changed, removed from the
middle or written in someone else's name by anyone who does not hold that person's
private key, and holding the database key is not enough.

Who holds which key is itself in the log: an entry that creates a user, re-issues their
passphrase or records their own passphrase change carries their public keys
(``keys ed25519:... x25519:...``). The first signed entry registers its own author's keys
(the first administrator of a new store, or the administrator who sealed an older log);
after it, only an administrator may register keys for someone else, and a user may
replace only their own (signed with the key being replaced). Disabling a user retires
their key.

What the chain cannot show by itself is that its *end* is still there: removing the last
entries leaves a shorter chain that verifies. Anchors close that gap: the head of the
chain (sequence number and hash, signed) is written into every backup's manifest and in
small type at the foot of every printout; :func:`check_anchor` proves the log still holds it.

Entries written before signatures existed ("legacy") are hash-chained only. The first
administrator to unlock after the upgrade seals them: one signed entry that names the
last legacy entry and its hash. From then on they cannot be changed either; what was
changed before the seal cannot be detected, and the verifier says how far they reach.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field

from .security.identity import ANCHOR_CONTEXT, ENTRY_CONTEXT, PublicKeys, verify_signature

GENESIS = "0" * 64
SEAL_PREFIX = "legacy log sealed"
ANCHOR_PREFIX = "MAPPA-ANCHOR-1"
_SHA = re.compile(r"\bsha256 ([0-9a-f]{64})\b")
_ADDENDUM = re.compile(r"^addendum (\d+)\b")
_STAGE = re.compile(r"^stage ([a-z0-9_]+); completed\b")
_IDS = r"([0-9,]*)"


def _canonical(values: list) -> bytes:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def entry_hash_v1(prev_hash, at, user_id, kind, record_type, record_id, detail, recipient, purpose) -> str:
    """The hash of an entry written before signatures (it does not cover the sequence number)."""
    return hashlib.sha256(_canonical(
        [prev_hash, at, user_id, kind, record_type, record_id, detail, recipient, purpose])).hexdigest()


def entry_hash_v2(seq, prev_hash, at, user_id, kind, record_type, record_id, detail, recipient, purpose) -> str:
    """The hash of a signed entry: its sequence number, the previous hash and its content."""
    return hashlib.sha256(_canonical(
        ["v2", seq, prev_hash, at, user_id, kind, record_type, record_id, detail, recipient, purpose])).hexdigest()


def signing_message(entry_hash: str) -> bytes:
    return ENTRY_CONTEXT + entry_hash.encode("ascii")


def content_digest(values: dict) -> str:
    """The SHA-256 that seals a piece of finished content (an addendum, a completed review
    stage) in the signed entry that records it."""
    return hashlib.sha256(json.dumps(values, ensure_ascii=False, sort_keys=True,
                                     separators=(",", ":")).encode("utf-8")).hexdigest()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Anchor:
    """The head of the chain at one moment, signed by whoever took it: proof, kept outside
    the store, that the log once reached entry ``seq`` with hash ``hash``."""

    seq: int
    hash: str
    user_id: int | None = None
    signature: bytes = b""

    def message(self) -> bytes:
        return ANCHOR_CONTEXT + f"{self.seq}:{self.hash}".encode("ascii")

    def token(self) -> str:
        """One line of text, for a manifest, the foot of a printout or ``check --anchor``
        (hash and signature in URL-safe base64, so that it fits the foot of a page)."""
        user = "" if self.user_id is None else str(self.user_id)
        return (f"{ANCHOR_PREFIX}:{self.seq}:{_b64url(bytes.fromhex(self.hash))}:{user}:"
                f"{_b64url(self.signature)}")

    @classmethod
    def parse(cls, token: str) -> "Anchor":
        """An anchor from its token (``ValueError`` with a plain reason when it is not one)."""
        parts = "".join(token.split()).split(":")
        if len(parts) != 5 or parts[0] != ANCHOR_PREFIX:
            raise ValueError(f"an anchor looks like {ANCHOR_PREFIX}:<entry>:<hash>:<user>:<signature>")
        seq, digest, user, signature = parts[1:]
        try:
            if not re.fullmatch(r"[0-9a-f]{64}", digest):
                digest = _unb64url(digest).hex()
            raw = _unb64url(signature) if signature else b""
        except ValueError:
            raise ValueError("the anchor's hash or signature is not readable") from None
        if not seq.isdigit() or len(digest) != 64:
            raise ValueError("the anchor's entry number or hash is not readable")
        return cls(int(seq), digest, int(user) if user.isdigit() else None, raw)


@dataclass
class ChainFacts:
    """What a full pass over the log established: where it breaks (if it does), how far the
    unsigned legacy entries reach, and the signed seals of finished content, for the store
    to compare with what its tables hold now."""

    entries: int = 0
    first_bad_id: int | None = None
    reason: str = ""
    head_seq: int = 0
    head_hash: str = GENESIS
    legacy_up_to: int = 0  # last unsigned entry covered by the seal (0: none)
    sealed_at_id: int | None = None  # the entry where signatures began
    keys: dict = field(default_factory=dict)  # user id -> PublicKeys now in force
    all_keys: dict = field(default_factory=dict)  # user id -> every key they ever held
    admins: set = field(default_factory=set)
    active: dict = field(default_factory=dict)  # user id -> bool, as the signed log says
    finalised: dict = field(default_factory=dict)  # meeting id -> snapshot sha256
    addenda: dict = field(default_factory=dict)  # addendum id -> sha256
    stages: dict = field(default_factory=dict)  # (review id, stage key) -> sha256
    legacy_addenda: list = field(default_factory=list)
    legacy_stages: list = field(default_factory=list)
    legacy_content_sha256: str = ""
    restores: list = field(default_factory=list)  # (entry id, superseded seq)
    meeting_case: dict = field(default_factory=dict)  # meeting id -> case id (from collections)
    review_case: dict = field(default_factory=dict)  # review id -> case id
    erased_cases: set = field(default_factory=set)
    addendum_meeting: dict = field(default_factory=dict)  # addendum id -> meeting id
    hashes: dict = field(default_factory=dict)  # seq -> hash, only for seqs asked about

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None


class ChainVerifier:
    """Walks the entries in order and stops at the first that is wrong, saying why.

    ``feed`` takes entries with ``id, at, user_id, kind, record_type, record_id, detail,
    recipient, purpose, prev_hash, hash, signature`` (base64 or None)."""

    def __init__(self, want_hashes: set[int] = frozenset(), *, keys_only: bool = False):
        self.facts = ChainFacts()
        self._prev = GENESIS
        self._want = set(want_hashes)
        # keys_only: fed only the entries about users and the seal, to learn who holds which
        # key; links are not checked (entries in between are missing) and a bad entry is
        # passed over rather than ending the walk. It grants nothing a full pass would not.
        self._keys_only = keys_only

    def feed(self, entry) -> bool:
        """Check one more entry; False once the chain is broken (stop feeding)."""
        facts = self.facts
        if not facts.ok:
            return False
        facts.entries += 1
        if self._keys_only:
            self._prev = entry.prev_hash
            if entry.signature is not None:
                self._check(entry)
            elif facts.sealed_at_id is None:
                facts.legacy_up_to = entry.id
            return True
        problem = self._check(entry)
        if problem:
            facts.first_bad_id, facts.reason = entry.id, problem
            return False
        self._prev = entry.hash
        facts.head_seq, facts.head_hash = entry.id, entry.hash
        if entry.id in self._want:
            facts.hashes[entry.id] = entry.hash
        return True

    # -- the rules ---------------------------------------------------------------------------

    def _check(self, e) -> str:
        facts = self.facts
        if e.prev_hash != self._prev:
            return ("it does not follow the entry before it: an entry before it was removed or "
                    "changed, or it was inserted")
        if e.signature is None:
            if facts.sealed_at_id is not None:
                return f"it is not signed, although every entry since {facts.sealed_at_id} must be"
            if e.hash != entry_hash_v1(e.prev_hash, e.at, e.user_id, e.kind, e.record_type, e.record_id,
                                       e.detail, e.recipient, e.purpose):
                return "its content was changed after it was written"
            facts.legacy_up_to = e.id
            self._collect_legacy(e)
            self._collect_seals(e)
            return ""
        if e.hash != entry_hash_v2(e.id, e.prev_hash, e.at, e.user_id, e.kind, e.record_type, e.record_id,
                                   e.detail, e.recipient, e.purpose):
            return "its content or number was changed after it was written"
        try:
            signature = base64.b64decode(e.signature, validate=True)
        except ValueError:
            return "its signature is not readable"
        if e.user_id is None:
            return "it is signed but names no user"
        registered = PublicKeys.parse(e.detail) if self._registers(e) else None
        if facts.sealed_at_id is None:
            return self._first_signed(e, signature, registered)
        signer = facts.keys.get(e.user_id)
        # A user of the sealed legacy store registering their first keys, signed with them.
        self_certified = (signer is None and registered is not None and e.record_type == "user"
                          and e.record_id == e.user_id and e.user_id in self._legacy_users
                          and e.user_id not in facts.all_keys and facts.active.get(e.user_id, False))
        if self_certified:
            signer = registered
        if signer is None:
            why = "whose key was retired when they were disabled" if e.user_id in facts.all_keys else \
                "who has no signing key in the log"
            return f"it is written in the name of user {e.user_id}, {why}"
        if not verify_signature(signer.signing, signature, signing_message(e.hash)):
            return f"its signature is not user {e.user_id}'s: it was forged or changed"
        return self._apply(e, registered, self_certified)

    def _registers(self, e) -> bool:
        return e.record_type in ("user", "audit_log")

    def _first_signed(self, e, signature: bytes, registered: PublicKeys | None) -> str:
        """Signatures begin here: the entry must register and be signed by its own author's
        key, and name them administrator (a new store's first user, or the sealing admin)."""
        facts = self.facts
        seal = e.record_type == "audit_log" and e.detail.startswith(SEAL_PREFIX)
        creation = e.record_type == "user" and e.record_id == e.user_id and "administrator" in e.detail
        if registered is None or not (seal or creation):
            return "signatures begin here, but it does not register its author's keys as an administrator"
        if not verify_signature(registered.signing, signature, signing_message(e.hash)):
            return f"its signature is not user {e.user_id}'s: it was forged or changed"
        if seal:
            match = re.search(rf"entries 1-(\d+), head ([0-9a-f]{{64}})", e.detail)
            upto, head = (int(match.group(1)), match.group(2)) if match else (0, GENESIS)
            if not self._keys_only and (upto != facts.legacy_up_to or head != e.prev_hash):
                return "it seals a legacy log that is not the one before it"
            admins = re.search(rf"administrators {_IDS}", e.detail)
            users = re.search(rf"legacy users {_IDS}", e.detail)
            facts.admins |= {int(i) for i in (admins.group(1) if admins else "").split(",") if i}
            self._legacy_users = {int(i) for i in (users.group(1) if users else "").split(",") if i}
            inactive = re.search(rf"inactive {_IDS}", e.detail)
            inactive_ids = {int(i) for i in (inactive.group(1) if inactive else "").split(",") if i}
            for uid in self._legacy_users:
                facts.active[uid] = uid not in inactive_ids
            digest = _SHA.search(e.detail)
            facts.legacy_content_sha256 = digest.group(1) if digest else ""
        elif facts.legacy_up_to and not self._keys_only:
            return "signatures begin here without sealing the unsigned entries before it"
        facts.sealed_at_id = e.id
        facts.admins.add(e.user_id)
        facts.active[e.user_id] = True
        self._give(e.user_id, registered)
        return ""

    _legacy_users: set = frozenset()

    def _give(self, user_id: int, keys: PublicKeys) -> None:
        self.facts.keys[user_id] = keys
        self.facts.all_keys.setdefault(user_id, []).append(keys)

    def _apply(self, e, registered: PublicKeys | None, self_certified: bool) -> str:
        """What a valid signed entry changes: keys, administrators, who is active, seals."""
        facts = self.facts
        author_admin = e.user_id in facts.admins
        if e.record_type == "user" and e.record_id is not None:
            target = e.record_id
            words = set(re.split(r"[;,\s]+", e.detail))
            if registered is not None:
                if not (author_admin or target == e.user_id):
                    return f"user {e.user_id} registered keys for user {target} without being an administrator"
                self._give(target, registered)
                facts.active[target] = True
            if "created" in words:
                if not author_admin:
                    return f"user {e.user_id} created a user without being an administrator"
                if "administrator" in words:
                    facts.admins.add(target)
                facts.active[target] = True
            if "active=0" in words:
                if not author_admin:
                    return f"user {e.user_id} disabled a user without being an administrator"
                facts.active[target] = False
                facts.keys.pop(target, None)
            if "active=1" in words and not author_admin:
                return f"user {e.user_id} enabled a user without being an administrator"
        if e.record_type == "store" and e.detail.startswith("restored from a backup"):
            match = re.search(r"superseding entries up to (\d+)", e.detail)
            facts.restores.append((e.id, int(match.group(1)) if match else 0))
        self._collect_seals(e)
        return ""

    def _collect_seals(self, e) -> None:
        facts = self.facts
        if e.record_type == "meeting" and (m := _ADDENDUM.match(e.detail or "")):
            facts.addendum_meeting[int(m.group(1))] = e.record_id
        if e.kind == "collection" and e.record_type in ("meeting", "scr_review"):
            case = re.match(r"case (\d+)", e.detail or "")
            if case:
                (facts.meeting_case if e.record_type == "meeting" else facts.review_case)[e.record_id] = int(case.group(1))
        elif e.kind == "erasure" and e.record_type == "case":
            facts.erased_cases.add(e.record_id)
        digest = _SHA.search(e.detail or "")
        if not digest:
            return
        if e.record_type == "meeting" and e.detail.startswith("finalised"):
            facts.finalised[e.record_id] = digest.group(1)
        elif e.record_type == "meeting" and (m := _ADDENDUM.match(e.detail)):
            facts.addenda[int(m.group(1))] = digest.group(1)
        elif e.record_type == "scr_review" and (m := _STAGE.match(e.detail)):
            facts.stages[(e.record_id, m.group(1))] = digest.group(1)

    def _collect_legacy(self, e) -> None:
        """Finished content recorded before signatures: the seal covers it with one digest."""
        if e.record_type == "meeting" and (m := _ADDENDUM.match(e.detail)) and not _SHA.search(e.detail):
            self.facts.legacy_addenda.append(int(m.group(1)))
        elif e.record_type == "scr_review" and (m := _STAGE.match(e.detail)) and not _SHA.search(e.detail):
            self.facts.legacy_stages.append((e.record_id, m.group(1)))


def anchor_problem(anchor: Anchor, facts: ChainFacts) -> tuple[str, bool]:
    """What the log says about an anchor: ('', False) when it holds it; otherwise the reason
    and whether it is only a notice (the anchor predates a recorded restore)."""
    if anchor.user_id is not None and anchor.signature:
        keys = facts.all_keys.get(anchor.user_id, [])
        if not any(verify_signature(k.signing, anchor.signature, anchor.message()) for k in keys):
            return (f"the anchor's signature is not that of user {anchor.user_id} of this store: "
                    "it was not made from this store, or it was altered"), False
    held = facts.hashes.get(anchor.seq)
    if held == anchor.hash:
        return "", False
    for entry_id, superseded in facts.restores:
        if entry_id <= anchor.seq <= superseded:
            return (f"entry {anchor.seq} was undone by the restore of a backup recorded at entry "
                    f"{entry_id}"), True
    if anchor.seq > facts.head_seq:
        return (f"the log ends at entry {facts.head_seq}, but the anchor shows it once reached entry "
                f"{anchor.seq}: entries were removed from its end"), False
    return (f"entry {anchor.seq} is not the entry the anchor recorded: the log was rewritten "
            "from there or before"), False


def key_directory(entries) -> ChainFacts:
    """Who holds which keys now, from the signed entries about users and the seal (in
    order): what a key rotation seals the new database key to, so that a public key
    slipped into the key file or the tables by someone else is never used."""
    verifier = ChainVerifier(keys_only=True)
    for entry in entries:
        verifier.feed(entry)
    return verifier.facts
