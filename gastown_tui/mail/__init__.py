"""Mail between agents and the Overseer, stored as beads (see mailbox.py for the representation).

Public API: send(ledger, to, subject, body, *, sender, events_file=None, reply_to="", thread="", known_rigs=None)
-> Message ; inbox(ledger, address, include_read=False) ; get_message ; read(ledger, id, *, reader) ;
reply(ledger, id, body, *, sender) ; archive(ledger, id, *, actor) ; thread_messages(ledger, thread) ;
Message(id, to, sender, subject, body, thread, reply_to, status, created_at).unread / .to_dict().
"""

from gastown_tui.mail.mailbox import (
    Message, archive, as_message, check_recipient, get_message, inbox, read, reply, send, thread_messages,
)

__all__ = ["Message", "archive", "as_message", "check_recipient", "get_message", "inbox", "read", "reply", "send",
           "thread_messages"]
