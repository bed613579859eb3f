"""Mail as beads (`reference/beads.md` §7): subject = title, body = description, assignee = recipient address.

Labels `gt:message`, `from:<sender>`, `thread:<id>` (and `reply-to:<id>` on replies); issue type `message` keeps
mail out of `ready`. Open = unread, closed = read (reason `read`) or archived (reason `archived`). Metadata mirrors
sender, thread and reply_to so they are easy to read back. Same shape as the patrols' LedgerDispatch.mail.
"""

from __future__ import annotations

from dataclasses import dataclass

from gastown_tui import events as feed
from gastown_tui.errors import InvalidInput, NotFound
from gastown_tui.records import LABEL_MESSAGE, TOWN_PREFIX, Address, parse_address

TYPE_CHECKING = False  # not typing's: importing typing costs ~4 ms of every `gt` call, and only checkers need it
if TYPE_CHECKING:
    from typing import Any

MAX_SUBJECT = 480  # the ledger allows 500-character titles; leave room for "Re: "
MAX_BODY = 100_000


@dataclass(frozen=True)
class Message:
    """One message as the mail commands show it."""

    id: str
    to: str
    sender: str
    subject: str
    body: str
    thread: str
    reply_to: str
    status: str
    created_at: str

    @property
    def unread(self) -> bool:
        """Open messages are unread."""
        return self.status != "closed"

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"id": self.id, "to": self.to, "from": self.sender, "subject": self.subject, "body": self.body,
                "thread": self.thread, "reply_to": self.reply_to, "unread": self.unread,
                "created_at": self.created_at}


def _label_value(labels: list[str], key: str) -> str:
    """The value of the first `key:value` label, or ''."""
    for label in labels:
        if label.startswith(key + ":"):
            return label[len(key) + 1:]
    return ""


def as_message(bead: Any) -> Message:
    """Read a message bead."""
    meta = bead.metadata or {}
    labels = list(bead.labels or [])
    sender = str(meta.get("sender") or _label_value(labels, "from"))
    thread = str(meta.get("thread") or _label_value(labels, "thread") or bead.id)
    reply_to = str(meta.get("reply_to") or _label_value(labels, "reply-to"))
    return Message(bead.id, bead.assignee or "", sender, bead.title, bead.description or "", thread, reply_to,
                   bead.status, bead.created_at)


def check_recipient(to: str, *, known_rigs: set[str] | None = None) -> Address:
    """Parse a recipient address; with `known_rigs`, refuse rigs that do not exist."""
    address = parse_address(to)
    if known_rigs is not None and address.rig and address.rig not in known_rigs:
        raise NotFound(f"no rig {address.rig!r} for address {to!r} (rigs: {', '.join(sorted(known_rigs)) or 'none'})")
    return address


def send(ledger: Any, to: str, subject: str, body: str = "", *, sender: str, events_file: Any = None,
         reply_to: str = "", thread: str = "", known_rigs: set[str] | None = None, priority: int = 2,
         ephemeral: bool = False) -> Message:
    """Store a message for `to` and note it in the feed; returns it."""
    address = check_recipient(to, known_rigs=known_rigs)
    subject = " ".join(subject.split())
    if not subject:
        raise InvalidInput("mail needs a subject")
    if len(subject) > MAX_SUBJECT or len(body) > MAX_BODY:
        raise InvalidInput(f"mail subject must be at most {MAX_SUBJECT} characters and body {MAX_BODY}")
    labels = [LABEL_MESSAGE, f"from:{sender}"]
    if reply_to:
        labels.append(f"reply-to:{reply_to}")
    with ledger.transaction():
        bead = ledger.create(subject, prefix=TOWN_PREFIX, description=body, issue_type="message",
                             assignee=str(address), labels=labels, priority=priority, ephemeral=ephemeral,
                             metadata={"sender": sender, "reply_to": reply_to}, actor=sender)
        thread = thread or bead.id
        ledger.add_label(bead.id, f"thread:{thread}")
        bead = ledger.update(bead.id, metadata={"sender": sender, "reply_to": reply_to, "thread": thread},
                             actor=sender)
    if events_file is not None:
        feed.emit(events_file, "mail.sent", actor=sender, to=str(address), message=bead.id, subject=subject)
    return as_message(bead)


def inbox(ledger: Any, address: str, *, include_read: bool = False) -> list[Message]:
    """Messages to `address`, newest first (unread only unless `include_read`)."""
    beads = ledger.list(labels=[LABEL_MESSAGE], assignee=address, include_closed=include_read, ephemeral=None)
    messages = [as_message(b) for b in beads]
    return sorted(messages, key=lambda m: (m.created_at, m.id), reverse=True)


def get_message(ledger: Any, message_id: str) -> Message:
    """One message by (partial) id; NotFound if it is not mail."""
    bead = ledger.get(ledger.resolve(message_id))
    if LABEL_MESSAGE not in (bead.labels or []):
        raise NotFound(f"{bead.id} is not a message")
    return as_message(bead)


def read(ledger: Any, message_id: str, *, reader: str) -> Message:
    """Return a message and mark it read (closed, reason `read`) if it was addressed to `reader`."""
    message = get_message(ledger, message_id)
    if message.unread and message.to == reader:
        ledger.close(message.id, reason="read", actor=reader)
    return message


def reply(ledger: Any, message_id: str, body: str, *, sender: str, events_file: Any = None,
          subject: str = "") -> Message:
    """Answer a message: to its sender, same thread, `Re:` subject, reply-to the original."""
    original = get_message(ledger, message_id)
    if not original.sender:
        raise InvalidInput(f"{original.id} has no sender to reply to")
    subject = subject or (original.subject if original.subject.startswith("Re: ") else f"Re: {original.subject}")
    return send(ledger, original.sender, subject[:MAX_SUBJECT], body, sender=sender, events_file=events_file,
                reply_to=original.id, thread=original.thread)


def archive(ledger: Any, message_id: str, *, actor: str) -> Message:
    """Close a message with reason `archived`."""
    message = get_message(ledger, message_id)
    ledger.close(message.id, reason="archived", actor=actor)
    return get_message(ledger, message.id)


def thread_messages(ledger: Any, thread: str) -> list[Message]:
    """Every message of a thread, oldest first."""
    beads = ledger.list(labels=[LABEL_MESSAGE, f"thread:{thread}"], include_closed=True, ephemeral=None)
    return sorted((as_message(b) for b in beads), key=lambda m: (m.created_at, m.id))
