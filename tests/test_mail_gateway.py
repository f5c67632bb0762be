"""End to end: demo emails go through Odoo's mail gateway on a running server,
and the instant replies arrive at a real SMTP server on 127.0.0.1."""

import email
import email.policy
import queue
import subprocess
import sys
import time

from conftest import PROJECT_ROOT

DEMO_EMAILS = PROJECT_ROOT / "demo" / "emails"


def _collect_replies(collector, count, timeout=60):
    """Wait until ``count`` emails reached the SMTP server, then return them."""
    received = []
    deadline = time.monotonic() + timeout
    while len(received) < count:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            rcpt_tos, content = collector.messages.get(timeout=remaining)
        except queue.Empty:
            break
        message = email.message_from_bytes(content, policy=email.policy.default)
        received.append((rcpt_tos, message))
    return received


def _feed(odoo_server, *paths):
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "setup" / "feed_emails.py"),
         "--url", odoo_server["url"], "--db", odoo_server["db"],
         "--api-key-file", str(odoo_server["api_key_file"]), *map(str, paths)],
        capture_output=True, text=True, check=False,
    )


def _lead(odoo, email_address):
    leads = odoo.call(
        "crm.lead", "search_read", domain=[("email_normalized", "=", email_address)],
        fields=["stage_id", "proactive_zip", "proactive_city", "proactive_timeline",
                "proactive_first_response_seconds", "proactive_replied", "proactive_channel",
                "proactive_touch_count"],
    )
    assert len(leads) == 1, "one lead for %s, found %d" % (email_address, len(leads))
    return leads[0]


def _stage_milestone(odoo, stage):
    return odoo.call("crm.stage", "read", ids=[stage[0]], fields=["proactive_milestone"])[0][
        "proactive_milestone"
    ]


def test_demo_emails_get_instant_replies(odoo_server, odoo, smtp_sink):
    _controller, collector = smtp_sink
    result = _feed(odoo_server, DEMO_EMAILS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "7 of 7 emails processed" in result.stdout

    replies = _collect_replies(collector, 5)
    by_recipient = {rcpt.lower(): message for rcpts, message in replies for rcpt in rcpts}
    assert set(by_recipient) == {
        "riley.chen@example.net",
        "morgan.ellis@example.org",
        "5f6e7d8c9b0a41e2a3b4c5d6e7f80912@reply.craigslist.org",
        "avery.brooks@example.com",
        "morgan.diaz@example.org",
    }
    inbound_ids = {
        "riley.chen@example.net": "<demo-01.riley@example.net>",
        "morgan.ellis@example.org": "<demo-02.morgan@example.org>",
        "5f6e7d8c9b0a41e2a3b4c5d6e7f80912@reply.craigslist.org": "<demo-03.relay@reply.craigslist.org>",
        "avery.brooks@example.com": "<demo-04.form@www.example-movers.com>",
        "morgan.diaz@example.org": "<demo-07.morgan@example.org>",
    }
    for recipient, message in by_recipient.items():
        text = message.get_body(preferencelist=("plain",)).get_content().strip()
        assert text.endswith("?"), "reply ends with a question: %r" % text
        assert inbound_ids[recipient] in (message["References"] or ""), (
            "the reply to %s threads on the lead's email" % recipient
        )

    riley = _lead(odoo, "riley.chen@example.net")
    assert riley["proactive_zip"] == "78745"
    assert riley["proactive_timeline"] == "today"
    assert _stage_milestone(odoo, riley["stage_id"]) == "qualified"
    assert riley["proactive_first_response_seconds"] >= 0

    morgan = _lead(odoo, "morgan.ellis@example.org")
    assert _stage_milestone(odoo, morgan["stage_id"]) == "new"

    marketplace = odoo.call(
        "crm.lead", "search_read", domain=[("contact_name", "=", "Jordan Lee")],
        fields=["proactive_channel", "activity_ids"],
    )
    assert len(marketplace) == 1
    assert marketplace[0]["proactive_channel"] == "marketplace_chat"
    assert marketplace[0]["activity_ids"], "assisted reply activity for the chat"

    assert not odoo.call(
        "crm.lead", "search", domain=[("email_normalized", "=", "casey.nguyen@example.com")]
    )

    # The lead replies to our reply: it lands on the same lead, qualifies it, and
    # gets no second instant reply.
    reply = by_recipient["morgan.ellis@example.org"]
    answer = (
        "From: Morgan Ellis <morgan.ellis@example.org>\n"
        "To: leads@crm.example.com\n"
        "Subject: Re: %s\n"
        "Message-ID: <demo-02.answer@example.org>\n"
        "In-Reply-To: %s\n"
        "References: <demo-02.morgan@example.org> %s\n"
        "Content-Type: text/plain; charset=UTF-8\n\n"
        "I'm in Round Rock, this Saturday if possible.\n\n"
        "On Mon, Nov 30, 2026 at 3:21 PM Example Movers wrote:\n"
        "> Is it for today or this week?\n"
    ) % (reply["Subject"], reply["Message-ID"], reply["Message-ID"])
    answer_path = odoo_server.setdefault("tmp", PROJECT_ROOT / ".e2e-answer.eml")
    answer_path.write_text(answer)
    try:
        result = _feed(odoo_server, answer_path)
    finally:
        answer_path.unlink()
    assert result.returncode == 0, result.stdout + result.stderr
    morgan = _lead(odoo, "morgan.ellis@example.org")
    assert morgan["proactive_city"] == "Round Rock"
    assert morgan["proactive_timeline"] == "this_week"
    assert morgan["proactive_replied"] is True
    assert morgan["proactive_touch_count"] == 1
    assert _stage_milestone(odoo, morgan["stage_id"]) == "qualified"
