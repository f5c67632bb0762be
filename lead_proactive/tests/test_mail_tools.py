# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Table-driven tests of the database-free email tools.

Every sample message below is fictional: example.* domains, 555-01XX phone
numbers, and platform notifications written for these tests (the platforms'
real wording varies and changes).
"""

import email
import email.policy
from email.message import EmailMessage

from odoo.tests import BaseCase, tagged

from ..tools import lead_sources, mail_guard, mail_text


def build_message(headers, body="Hello", subtype="plain"):
    """Build an EmailMessage with the given headers and a one-part body."""
    message = EmailMessage()
    for name, value in headers:
        message[name] = value
    message.set_content(body, subtype=subtype)
    return message


def parse_raw(raw):
    """Parse raw RFC 5322 text the way a mail gateway receives it."""
    return email.message_from_string(raw.lstrip("\n"))


def body_text(message):
    """Return the message body as plain text, converting HTML-only bodies."""
    part = message.get_body(preferencelist=("plain", "html"))
    content = part.get_content()
    if part.get_content_type() == "text/html":
        return mail_text.html_to_text(content)
    return content


def identify(message):
    """Run identify_contact on a parsed message, as the mail gateway does."""
    if not isinstance(message, EmailMessage):
        message = email.message_from_bytes(
            message.as_bytes(), policy=email.policy.default
        )
    return lead_sources.identify_contact(
        message["From"],
        message["Reply-To"],
        message["Subject"],
        body_text(message),
        headers=message,
    )


HUMAN = ("From", "Jane Doe <jane.doe@example.net>")
TO_LEADS = ("To", "Example Movers <leads@crm.example.com>")

# ---------------------------------------------------------------------------
# mail_guard samples
# ---------------------------------------------------------------------------

GMAIL_VACATION = build_message(
    [
        HUMAN,
        TO_LEADS,
        ("Subject", "Away until June 16 - Re: Thanks for contacting Example Movers"),
        ("Auto-Submitted", "auto-replied"),
        ("Precedence", "bulk"),
        ("X-Autoreply", "yes"),
    ],
    "I'm travelling with limited access to email until Monday June 16.",
)

EXCHANGE_OOF_NO_AUTO_SUBMITTED = parse_raw(
    """
Return-Path: <>
From: "Doe, Jane" <jane.doe@example.net>
To: Example Movers <leads@crm.example.com>
Subject: Thanks for contacting Example Movers
X-Auto-Response-Suppress: All
Content-Language: de-DE
Content-Type: text/plain; charset="iso-8859-1"

Ich bin bis 16.06. nicht im Buero.
"""
)

POSTMASTER_DSN = parse_raw(
    """
Return-Path: <>
From: <postmaster@mx.example.org>
To: <leads@crm.example.com>
Subject: Undeliverable: Still planning your move?
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="dsn57"

--dsn57
Content-Type: text/plain; charset="us-ascii"

Delivery has failed to these recipients or groups:
old.address@example.org

--dsn57
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; old.address@example.org
Action: failed
Status: 5.1.1

--dsn57--
"""
)

DSN_PART_IN_MIXED = parse_raw(
    """
From: Mail Delivery System <mail-system@mx.example.org>
To: <leads@crm.example.com>
Subject: Message status
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="mix"

--mix
Content-Type: text/plain

Your message could not be delivered.

--mix
Content-Type: message/delivery-status

Final-Recipient: rfc822; gone@example.org
Action: failed
Status: 5.1.1

--mix--
"""
)

READ_RECEIPT = parse_raw(
    """
From: Jane Doe <jane.doe@example.net>
To: <leads@crm.example.com>
Subject: Read: Thanks for contacting Example Movers
MIME-Version: 1.0
Content-Type: multipart/report; report-type=disposition-notification; boundary="mdn"

--mdn
Content-Type: text/plain

Your message was read.

--mdn--
"""
)

MAILMAN_POST = parse_raw(
    """
Return-Path: <forum-bounces@lists.example.org>
From: Chris Poster <chris.poster@example.com>
Sender: "Home Pros Forum" <forum-bounces@lists.example.org>
To: forum@lists.example.org
Cc: leads@crm.example.com
Subject: [HomePros] need movers in 02139 asap
List-Id: Home Pros Forum <forum.lists.example.org>
List-Unsubscribe: <mailto:forum-request@lists.example.org?subject=unsubscribe>
List-Post: <mailto:forum@lists.example.org>
Precedence: list
X-BeenThere: forum@lists.example.org
X-Mailman-Version: 2.1.39
Content-Type: text/plain; charset=us-ascii

Anyone know movers in Cambridge 02139? Need it asap.
"""
)

HUMAN_REPLY = parse_raw(
    """
Return-Path: <marco.bellini@example.org>
From: Marco Bellini <marco.bellini@example.org>
To: Example Movers <leads@crm.example.com>
Subject: Re: Moving quote
In-Reply-To: <1749900000.1-openerp-58-crm.lead@crm.example.com>
References: <1749900000.1-openerp-58-crm.lead@crm.example.com>
Auto-Submitted: no
Content-Type: text/plain; charset=UTF-8

Round Rock. Saturday morning would be ideal.
"""
)

NOREPLY_FORM = build_message(
    [
        ("From", "Lead Notifications <no-reply@forms.example.com>"),
        ("Reply-To", "marcus.lee@example.com"),
        TO_LEADS,
        ("Subject", "New lead: Marcus Lee"),
    ]
)


def guard_message(*headers, subject="Moving quote", sender=HUMAN):
    return build_message([sender, TO_LEADS, ("Subject", subject), *headers])


# (label, headers, From, subject, content type, expected reason)
GUARD_CASES = [
    ("gmail vacation", GMAIL_VACATION, None, "", "", "autoresponder"),
    (
        "exchange oof without Auto-Submitted",
        EXCHANGE_OOF_NO_AUTO_SUBMITTED,
        None,
        "",
        "",
        "autoresponder",
    ),
    ("postmaster DSN", POSTMASTER_DSN, None, "", "", "bounce"),
    (
        "DSN with bare content type",
        POSTMASTER_DSN,
        None,
        "",
        "multipart/report",
        "bounce",
    ),
    ("delivery-status part", DSN_PART_IN_MIXED, None, "", "", "bounce"),
    ("read receipt", READ_RECEIPT, None, "", "", "autoresponder"),
    ("mailman post", MAILMAN_POST, None, "", "", "mailing_list"),
    ("human reply", HUMAN_REPLY, None, "", "", None),
    ("form with human Reply-To", NOREPLY_FORM, None, "", "", None),
    (
        "Auto-Submitted auto-generated",
        guard_message(("Auto-Submitted", "auto-generated")),
        None,
        "",
        "",
        "autoresponder",
    ),
    (
        "Auto-Submitted with comment",
        guard_message(("Auto-Submitted", "auto-replied; owner-email=jane@example.net")),
        None,
        "",
        "",
        "autoresponder",
    ),
    ("Auto-Submitted no", guard_message(("Auto-Submitted", "no")), None, "", "", None),
    (
        "X-Autorespond",
        guard_message(("X-Autorespond", "yes")),
        None,
        "",
        "",
        "autoresponder",
    ),
    (
        "X-Autoreply negative",
        guard_message(("X-Autoreply", "no")),
        None,
        "",
        "",
        None,
    ),
    (
        "X-Auto-Response-Suppress OOF",
        guard_message(("X-Auto-Response-Suppress", "DR, OOF, AutoReply")),
        None,
        "",
        "",
        "autoresponder",
    ),
    (
        "X-Auto-Response-Suppress receipts only",
        guard_message(("X-Auto-Response-Suppress", "DR, RN, NRN")),
        None,
        "",
        "",
        None,
    ),
    (
        "Exchange inbox rules loop",
        guard_message(("X-MS-Exchange-Inbox-Rules-Loop", "jane.doe@example.net")),
        None,
        "",
        "",
        "autoresponder",
    ),
    (
        "Exchange generated message",
        guard_message(
            ("X-MS-Exchange-Generated-Message-Source", "Mailbox Rules Agent")
        ),
        None,
        "",
        "",
        "autoresponder",
    ),
    (
        "Precedence auto_reply",
        guard_message(("Precedence", "auto_reply")),
        None,
        "",
        "",
        "autoresponder",
    ),
    (
        "Precedence list",
        guard_message(("Precedence", "list")),
        None,
        "",
        "",
        "mailing_list",
    ),
    ("Precedence bulk", guard_message(("Precedence", "bulk")), None, "", "", "bulk"),
    ("Precedence junk", guard_message(("Precedence", "junk")), None, "", "", "bulk"),
    (
        "List-Id only",
        guard_message(("List-Id", "<movers.lists.example.org>")),
        None,
        "",
        "",
        "mailing_list",
    ),
    (
        "List-Unsubscribe only",
        guard_message(("List-Unsubscribe", "<mailto:leave@lists.example.org>")),
        None,
        "",
        "",
        "mailing_list",
    ),
    (
        "one-click unsubscribe",
        guard_message(
            ("List-Unsubscribe", "<https://news.example.com/u/1>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ),
        None,
        "",
        "",
        "bulk",
    ),
    (
        "Feedback-ID",
        guard_message(("Feedback-ID", "spring:news:example:esp")),
        None,
        "",
        "",
        "bulk",
    ),
    (
        "X-Mailgun-Tag",
        guard_message(("X-Mailgun-Tag", "newsletter")),
        None,
        "",
        "",
        "bulk",
    ),
    (
        "X-Failed-Recipients",
        guard_message(("X-Failed-Recipients", "gone@example.org")),
        None,
        "",
        "",
        "bounce",
    ),
    (
        "mailer-daemon sender",
        guard_message(sender=("From", "MAILER-DAEMON@mx.example.org")),
        None,
        "",
        "",
        "bounce",
    ),
    (
        "null Return-Path with DSN subject",
        guard_message(("Return-Path", "<>"), subject="Message delivery has failed"),
        None,
        "",
        "",
        "bounce",
    ),
    (
        "DSN wording without null Return-Path",
        guard_message(subject="Message delivery has failed"),
        None,
        "",
        "",
        None,
    ),
    (
        "noreply sender",
        guard_message(sender=("From", "Example Shop <noreply@shop.example.com>")),
        None,
        "",
        "",
        "no_reply",
    ),
    (
        "noreply sender with noreply Reply-To",
        guard_message(
            ("Reply-To", "do-not-reply@shop.example.com"),
            sender=("From", "no-reply@shop.example.com"),
        ),
        None,
        "",
        "",
        "no_reply",
    ),
    (
        "notifications sender",
        guard_message(sender=("From", "notifications@apps.example.com")),
        None,
        "",
        "",
        "no_reply",
    ),
    (
        "mapping with lower-case names",
        {"auto-submitted": "auto-replied", "from": "jane.doe@example.net"},
        "jane.doe@example.net",
        "Hello",
        "text/plain",
        "autoresponder",
    ),
    (
        "mapping of a plain email",
        {"Subject": "Quote", "Return-Path": "<jane.doe@example.net>"},
        "Jane Doe <jane.doe@example.net>",
        "Quote",
        "text/plain",
        None,
    ),
    (
        "mapping with value lists",
        {"Received": ["from a", "from b"], "List-Post": ["<mailto:l@example.org>"]},
        "jane.doe@example.net",
        "Quote",
        "",
        "mailing_list",
    ),
]

# Subjects of clients that send no auto-reply headers, and human subjects
# that merely contain similar words.
SUBJECT_CASES = [
    ("Out of Office: Thanks for contacting us", "autoresponder"),
    ("Out of office AutoReply: Moving quote", "autoresponder"),
    ("Automatic reply: Moving quote", "autoresponder"),
    ("Auto-Reply: Moving quote", "autoresponder"),
    ("Autoreply: Moving quote", "autoresponder"),
    ("Automatische Antwort: Moving quote", "autoresponder"),
    ("Abwesenheitsnotiz: Moving quote", "autoresponder"),
    ("=?utf-8?q?R=C3=A9ponse_automatique_=3A_Moving_quote?=", "autoresponder"),
    ("=?utf-8?b?UmVzcHVlc3RhIGF1dG9tw6F0aWNhOiBNb3ZpbmcgcXVvdGU=?=", "autoresponder"),
    ("Risposta automatica: Moving quote", "autoresponder"),
    ("Undeliverable: Moving quote", "bounce"),
    ("Delivery Status Notification (Failure)", "bounce"),
    ("Mail delivery failed: returning message to sender", "bounce"),
    ("Returned mail: see transcript for details", "bounce"),
    ("Re: out of office furniture move", None),
    ("Office move next week", None),
    ("Quote for an automatic reply machine move", None),
    ("Returned mailbox keys after the move", None),
]

DETAIL_CASES = [
    ("gmail vacation", GMAIL_VACATION, "Auto-Submitted: auto-replied"),
    ("exchange oof", EXCHANGE_OOF_NO_AUTO_SUBMITTED, "X-Auto-Response-Suppress: All"),
    (
        "mailman post",
        MAILMAN_POST,
        "List-Id: Home Pros Forum <forum.lists.example.org>",
    ),
    (
        "noreply sender",
        guard_message(sender=("From", "noreply@shop.example.com")),
        "From: noreply@shop.example.com",
    ),
]

NOREPLY_ADDRESS_CASES = [
    ("noreply@shop.example.com", True),
    ("no-reply@forms.example.com", True),
    ("No_Reply@Example.com", True),
    ("do-not-reply@example.com", True),
    ("donotreply@example.com", True),
    ("noreply+12345@example.com", True),
    ("MAILER-DAEMON@mx.example.org", True),
    ("postmaster@mx.example.org", True),
    ("bounce@esp.example.com", True),
    ("forum-bounces@lists.example.org", True),
    ("bounces+abc=example.net@esp.example.com", True),
    ("notification@facebookmail.com", True),
    ("notifications@apps.example.com", True),
    ("Lead Notifications <no-reply@forms.example.com>", True),
    ("jane.doe@example.net", False),
    ("reply@example.com", False),
    ("notifyme@example.com", False),
    ("bouncer@example.com", False),
    ("postmasters@example.com", False),
    ("not an address", False),
    ("", False),
]

# ---------------------------------------------------------------------------
# mail_text samples
# ---------------------------------------------------------------------------

HTML_FORM = """<html><head><style>td{font-family:Arial} .pre{display:none}</style>
</head><body><span class="pre">New lead from your website - reply fast!</span>
<table><tr><td><b>Name</b></td><td>Marcus&nbsp;Lee</td></tr>
<tr><td><b>Phone</b></td><td>(312)&nbsp;555-0177</td></tr>
<tr><td><b>Zip</b></td><td>60614</td></tr>
<tr><td><b>When</b></td><td>this wknd if possible<br>or next week</td></tr>
<tr><td><b>Notes</b></td><td>Can I pay today? &lt;3 floors&gt;</td></tr></table>
<img src="https://t.example.com/open.gif?id=123" width="1" height="1"></body></html>"""

HTML_CASES = [
    (
        "form table",
        HTML_FORM,
        "Name Marcus Lee\nPhone (312) 555-0177\nZip 60614\n"
        "When this wknd if possible\nor next week\nNotes Can I pay today? <3 floors>",
    ),
    (
        "inline display none",
        '<p>Hi<span style="display: none !important">preview text</span></p>',
        "Hi",
    ),
    ("mso-hide", '<div style="mso-hide:all">hidden</div><div>shown</div>', "shown"),
    ("hidden attribute", "<div hidden>secret</div><div>shown</div>", "shown"),
    (
        "collapsed preheader",
        '<div style="max-height:0;overflow:hidden">preview</div><p>Body</p>',
        "Body",
    ),
    (
        "script and style in body",
        "<body><script>var x = 1;</script><style>p{}</style><p>Text</p></body>",
        "Text",
    ),
    ("paragraphs", "<p>First</p><p>Second</p>", "First\nSecond"),
    ("line breaks", "one<br>two<br/>three", "one\ntwo\nthree"),
    (
        "escaped brackets",
        "<p>&lt;3 floors&gt; &amp; a piano</p>",
        "<3 floors> & a piano",
    ),
    ("nbsp", "<p>Marcus&nbsp;Lee&nbsp;&nbsp;here</p>", "Marcus Lee here"),
    (
        "blank runs collapsed",
        "<p>a</p><br><br><br><br><p>b</p>",
        "a\n\nb",
    ),
    (
        "gmail div layout",
        "<div dir='ltr'><div>Hi</div><div><br></div><div>Thanks,</div>"
        "<div>Dana</div></div>",
        "Hi\n\nThanks,\nDana",
    ),
    (
        "link target kept",
        '<a href="https://www.facebook.com/messages/t/100012345678901">'
        "Reply in Messenger</a>",
        "Reply in Messenger <https://www.facebook.com/messages/t/100012345678901>",
    ),
    (
        "hidden link",
        '<p>Hi</p><a style="display:none" href="https://t.example.com/x">x</a>',
        "Hi",
    ),
    (
        "mailto link",
        '<a href="mailto:dana@example.net">dana@example.net</a>',
        "dana@example.net",
    ),
    (
        "image alt text",
        '<p>Hi</p><img alt="Logo" src="https://example.com/l.png">',
        "Hi",
    ),
    (
        "missing end of head",
        "<html><head><title>Mail</title><body><p>Visible</p></body></html>",
        "Visible",
    ),
    (
        "media query rule",
        "<style>@media (max-width:600px){.wide{display:none}}</style>"
        '<p class="wide">Desktop text</p>',
        "Desktop text",
    ),
    ("empty", "   ", ""),
]

GMAIL_QUOTE = """Round Rock. Saturday morning would be ideal.

On Fri, Jun 13, 2025 at 6:20 PM Example Movers <leads@crm.example.com> wrote:
> Yes - we can help!
> Our office is downtown (78701). Are you looking to do this today?
>
> Example Movers
"""

GMAIL_WRAPPED = """Saturday works.

On Fri, Jun 13, 2025 at 6:20 PM Example Movers <
leads@crm.example.com> wrote:

> Are you looking to do this today?
"""

OUTLOOK_SEPARATOR = """Yes, 3 bedrooms.

Thanks,
Dana

________________________________
From: Example Movers <leads@crm.example.com>
Sent: Friday, June 13, 2025 6:20 PM
To: Dana Whitfield <dana.whitfield@example.net>
Subject: Re: Moving quote

How many rooms? Reply today for 10% off.
"""

OUTLOOK_NO_SEPARATOR = """Please call me after 5.

From: Example Movers <leads@crm.example.com>
Date: Friday, June 13, 2025 at 6:20 PM
To: Dana Whitfield <dana.whitfield@example.net>
Subject: Re: Moving quote

When would you like to move?
"""

OUTLOOK_GERMAN = """Gerne am Samstag.

Von: Example Movers <leads@crm.example.com>
Gesendet: Freitag, 13. Juni 2025 18:20
An: Jana Berg <jana.berg@example.de>
Betreff: Umzug

Wann passt es Ihnen?
"""

ORIGINAL_MESSAGE = """Sounds good, book it.

-----Original Message-----
From: Example Movers [mailto:leads@crm.example.com]
Sent: Friday, June 13, 2025 6:20 PM
Subject: Quote

Our price is $95/hr.
"""

APPLE_MAIL = """Can you do Sunday instead?

Sent from my iPhone

> On Jun 13, 2025, at 6:20 PM, Example Movers <leads@crm.example.com> wrote:
>
> We have Saturday open.
"""

APPLE_MAIL_ATTRIBUTION = """Sunday then.

On Jun 13, 2025, at 6:20 PM, Example Movers <leads@crm.example.com> wrote:

> We have Saturday open.
"""

FRENCH = """Samedi matin, merci.

Le ven. 13 juin 2025 à 18:20, Example Movers <leads@crm.example.com> a écrit :
> Quand souhaitez-vous déménager ?
"""

GERMAN = """Samstag wäre gut.

Am Fr., 13. Juni 2025 um 18:20 Uhr schrieb Example Movers <leads@crm.example.com>:
> Wann möchten Sie umziehen?
"""

SPANISH = """El sábado por la mañana.

El vie, 13 jun 2025 a las 18:20, Example Movers (<leads@crm.example.com>) escribió:
> ¿Cuándo quiere mudarse?
"""

NEW_TEXT_CASES = [
    ("gmail quote", GMAIL_QUOTE, "Round Rock. Saturday morning would be ideal."),
    ("gmail wrapped attribution", GMAIL_WRAPPED, "Saturday works."),
    ("outlook separator", OUTLOOK_SEPARATOR, "Yes, 3 bedrooms.\n\nThanks,\nDana"),
    ("outlook for mac block", OUTLOOK_NO_SEPARATOR, "Please call me after 5."),
    ("outlook german block", OUTLOOK_GERMAN, "Gerne am Samstag."),
    ("original message marker", ORIGINAL_MESSAGE, "Sounds good, book it."),
    ("apple mail quote", APPLE_MAIL, "Can you do Sunday instead?"),
    ("apple mail attribution", APPLE_MAIL_ATTRIBUTION, "Sunday then."),
    ("french attribution", FRENCH, "Samedi matin, merci."),
    ("german attribution", GERMAN, "Samstag wäre gut."),
    ("spanish attribution", SPANISH, "El sábado por la mañana."),
    (
        "signature with space",
        "Call me at 617-555-0142.\n\n-- \nDana Whitfield\nExample Co",
        "Call me at 617-555-0142.",
    ),
    (
        "signature without space",
        "See you Saturday.\n--\nJordan\nSent with care",
        "See you Saturday.",
    ),
    ("android tagline", "ok\n\nSent from my Android", "ok"),
    (
        "samsung tagline",
        "Friday is fine.\n\nSent from my Samsung Galaxy smartphone.",
        "Friday is fine.",
    ),
    ("outlook mobile tagline", "Yes please.\n\nGet Outlook for iOS", "Yes please."),
    (
        "relay footer",
        "are you free saturday? my cell 617 555 0163\n\n" + "-" * 72 + "\n"
        "Sent via the classifieds email relay. Report abuse: "
        "https://example.com/flag/xyz\nNever wire money.",
        "are you free saturday? my cell 617 555 0163",
    ),
    (
        "mailing list footer",
        "Need it asap.\n\n"
        + "_" * 47
        + "\nforum mailing list\nforum@lists.example.org",
        "Need it asap.",
    ),
    (
        "thanks and name kept",
        "Hi! Is the sofa available?\n\nThanks,\nDana",
        "Hi! Is the sofa available?\n\nThanks,\nDana",
    ),
    (
        "bottom posting",
        "On Fri, Jun 13, 2025 at 6:20 PM Example Movers <leads@crm.example.com> "
        "wrote:\n> When?\n\nSaturday at 9.",
        "Saturday at 9.",
    ),
    (
        "inline replies",
        "> How many rooms?\nThree.\n> Which floor?\nSecond, no elevator.",
        "Three.\nSecond, no elevator.",
    ),
    (
        "attribution without date kept",
        "On Saturday my brother wrote:\nwe need a truck too.",
        "On Saturday my brother wrote:\nwe need a truck too.",
    ),
    (
        "attribution before unquoted history",
        "Yes.\n\nOn 6/13/25, 6:20 PM, Example Movers wrote:\nWhen do you move?",
        "Yes.",
    ),
    (
        "form fields not an outlook block",
        "From: Dana Whitfield <dana@example.net>\nPhone: (617) 555-0142\n"
        "Subject: 2BR move\n\nMessage Body:\nThis Saturday.",
        "From: Dana Whitfield <dana@example.net>\nPhone: (617) 555-0142\n"
        "Subject: 2BR move\n\nMessage Body:\nThis Saturday.",
    ),
    ("crlf line ends", "Yes.\r\n\r\n> quoted\r\n", "Yes."),
]

# ---------------------------------------------------------------------------
# lead_sources samples
# ---------------------------------------------------------------------------

CRAIGSLIST_RELAY = build_message(
    [
        ("From", "Jordan P <0A1B2C3D4E5F4A6B8C9D0E1F2A3B4C5D@reply.craigslist.org>"),
        TO_LEADS,
        ("Subject", "Local movers - 2 men & truck $95/hr (Cambridge)"),
    ],
    "hey are you free saturday? small 1br, 3rd floor no elevator.\n"
    "my cell 617 555 0163\n\n" + "-" * 72 + "\n"
    "Sent via the classifieds email relay. Report abuse: https://example.com/f\n",
)

CRAIGSLIST_WITH_POSTING = build_message(
    [
        ("From", "Sam Ortiz <sale-x7k2m-7712345678@sale.craigslist.org>"),
        TO_LEADS,
        ("Subject", "Re: Piano moving specialists"),
    ],
    "Phone: (617) 555-0188\nCan you move an upright piano on Friday?\n\n"
    "https://boston.craigslist.org/gbs/lbs/d/piano-moving/7712345678.html\n",
)

CRAIGSLIST_ROBOT = build_message(
    [
        ("From", "craigslist <robot@craigslist.org>"),
        TO_LEADS,
        ("Subject", "POST/EDIT/DELETE: Local movers"),
    ],
    "Your posting is live.\nhttps://post.craigslist.org/manage/7712345678\n",
)

FACEBOOK_PLAIN = build_message(
    [
        ("From", "Facebook <notification@facebookmail.com>"),
        ("Reply-To", "noreply <noreply@facebookmail.com>"),
        TO_LEADS,
        ("Subject", "Alex Rivera sent you a message about your listing"),
        ("List-Unsubscribe", "<https://www.facebook.com/o.php?k=abc>"),
    ],
    "Hi Example,\n\n"
    'Alex Rivera sent you a message about your listing "Local moving help".\n\n'
    '"Is this still available? I need a couch moved on Saturday."\n\n'
    "Reply in Messenger: https://www.facebook.com/messages/t/100012345678901\n\n"
    "This message was sent to leads@crm.example.com. If you don't want to "
    "receive these emails from Meta in the future, please unsubscribe.\n"
    "Meta Platforms, Inc., Attention: Community Support, 1 Meta Way, "
    "Menlo Park, CA 94025\n",
)

FACEBOOK_HTML = build_message(
    [
        ("From", "Marketplace <marketplace-noreply@facebook.com>"),
        TO_LEADS,
        ("Subject", "New message from Priya Shah about Moving boxes"),
    ],
    """<html><head><style>.preheader{display:none}</style></head><body>
<span class="preheader">Priya Shah: Do you also sell boxes?</span>
<table><tr><td><img src="https://static.example.com/fb.png" width="40"></td>
<td><b>Priya Shah</b> sent you a message about <b>Moving boxes</b>:</td></tr>
<tr><td colspan="2">Do you also sell boxes? I need 20 medium ones.</td></tr>
<tr><td colspan="2"><a href="https://www.facebook.com/marketplace/t/223344556677/">
View conversation</a></td></tr></table>
<p>To help keep your account secure, please don't forward this email.</p>
<p>Meta Platforms, Inc., Attention: Community Support, 1 Meta Way, Menlo Park</p>
<img src="https://www.facebook.com/email_open_log_pic.php?mid=1" width="1" height="1">
</body></html>""",
    subtype="html",
)

OFFERUP_MESSAGE = build_message(
    [
        ("From", "OfferUp <no-reply@offerup.com>"),
        TO_LEADS,
        ("Subject", "New message from Chris about Moving dolly"),
    ],
    "New message from Chris\n\n"
    "Can you deliver the dolly to Somerville tomorrow?\n\n"
    "Reply on OfferUp: https://offerup.com/inbox/discussion/7f3e9a21-44bc\n"
    "Download the OfferUp app to reply faster.\n",
)

OFFERUP_NOW = build_message(
    [
        ("From", "OfferUp <notifications@offerupnow.com>"),
        TO_LEADS,
        ("Subject", "Taylor Brooks sent you a message"),
    ],
    "Taylor Brooks asked:\n“Is the moving truck rental still open for Sunday?”\n\n"
    "View item: https://offerup.com/item/detail/1357924680\n",
)

WORDPRESS_FORM = parse_raw(
    """
Return-Path: <wordpress@www.example-movers.com>
From: "info@example-movers.com" <wordpress@www.example-movers.com>
Reply-To: Dana Whitfield <Dana.Whitfield@Example.NET>
To: leads@crm.example.com
Subject: Example Movers "Get a quote" form
X-Mailer: PHPMailer 6.9.1
Content-Type: text/plain; charset=UTF-8

From: Dana Whitfield <dana.whitfield@example.net>
Phone: (617) 555-0142
Moving from ZIP: 07030
Subject: 2BR apartment move

Message Body:
Hi - 2 bedroom, 3rd floor walk-up, hoping for this Saturday.

--
This e-mail was sent from the quote form on Example Movers
"""
)

HTML_ONLY_FORM = parse_raw(
    """
From: Lead Notifications <no-reply@forms.example.com>
Reply-To: marcus.lee@example.com
To: leads@crm.example.com
Subject: New lead: Marcus Lee
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

"""
    + HTML_FORM
)

FIELDS_FORM = build_message(
    [
        ("From", "Website <forms@example-movers.com>"),
        TO_LEADS,
        ("Subject", "New contact form submission"),
    ],
    "You have a new form submission from your website.\n\n"
    "First Name: Avery\nLast Name: Kim\nEmail: Avery.Kim@Example.org\n"
    "Phone Number: 555-0123\nMessage:\nNeed two movers for a studio.\n"
    "Budget: $400.\n\n"
    "This e-mail was sent from a contact form on Example Movers.\n",
)

GOOGLE_LEAD = build_message(
    [
        ("From", "Local Services <local-services-noreply@google.com>"),
        TO_LEADS,
        ("Subject", "New lead from Robin Patel"),
    ],
    "You have a new lead from Robin Patel.\n\n"
    "Customer name: Robin Patel\nPhone: (617) 555-0199\nJob type: Local move\n"
    "Location: Cambridge, MA 02139\n\n"
    "View lead: https://ads.google.com/localservices/lead?lead_id=LS-883311\n\n"
    "Google LLC, 1600 Amphitheatre Parkway, Mountain View, CA 94043\n",
)

LEAD_PLATFORM = build_message(
    [
        ("From", "QuoteHub Leads <no-reply@leads.quotehub.example.com>"),
        ("Reply-To", "Pat Morgan <Pat.Morgan@Example.com>"),
        TO_LEADS,
        ("Subject", "New lead: moving quote request"),
        ("X-Platform-Lead-Id", "QH-20250613-0042"),
    ],
    "Customer: Pat Morgan\nPhone: 617-555-0107\nZIP: 02139\n"
    "Move size: 3 bedrooms\nDetails: Need packing help, flexible dates.\n\n"
    "Respond to this lead within 15 minutes to win it.\n"
    "View lead: https://quotehub.example.com/leads/QH-20250613-0042\n",
)

PLAIN_EMAIL = build_message(
    [
        ("From", "Dana Whitfield <dana.whitfield@example.net>"),
        TO_LEADS,
        ("Subject", "Sectional sofa - still available?"),
    ],
    "Hi! Is the grey sectional still available?\n\nThanks,\nDana\n",
)

PLAIN_WITH_REPLY_TO = build_message(
    [
        ("From", "Jane Doe <jane.doe@work.example.com>"),
        ("Reply-To", "Jane Doe <Jane.Doe@Home.Example.net>"),
        TO_LEADS,
        ("Subject", "Moving quote"),
    ],
    "Please answer to my home address.\n",
)

PLAIN_ADDRESS_AS_NAME = build_message(
    [
        ("From", '"omar.haddad@example.com" <omar.haddad@example.com>'),
        TO_LEADS,
        ("Subject", "Quote"),
    ],
    "Can someone call me at (646) 555-0133?\n",
)

ENCODED_NAME = parse_raw(
    """
From: =?iso-8859-1?q?Jos=E9_Garc=EDa?= <Jose.Garcia@Example.net>
To: leads@crm.example.com
Subject: =?utf-8?q?Devis_d=C3=A9m=C3=A9nagement?=
Content-Type: text/plain; charset=UTF-8

Bonjour, 3 pieces.
"""
)

NEWSLETTER = build_message(
    [
        ("From", "Example Supplies <noreply@news.example.com>"),
        TO_LEADS,
        ("Subject", "Spring sale on moving boxes"),
    ],
    "20% off all boxes this week.\n",
)

NOREPLY_REPLY_TO = build_message(
    [
        ("From", "Jane Doe <jane.doe@example.net>"),
        ("Reply-To", "noreply@example.net"),
        TO_LEADS,
        ("Subject", "Quote"),
    ],
    "Quote please.\n",
)

# (label, message, expected LeadContact attributes)
CONTACT_CASES = [
    (
        "craigslist relay",
        CRAIGSLIST_RELAY,
        {
            "source": "craigslist",
            "channel": "relay",
            "contact_name": "Jordan P",
            "email": "0a1b2c3d4e5f4a6b8c9d0e1f2a3b4c5d@reply.craigslist.org",
            "phone": None,
            "message": "hey are you free saturday? small 1br, 3rd floor no "
            "elevator.\nmy cell 617 555 0163",
            "external_id": None,
            "is_notifier": False,
        },
    ),
    (
        "craigslist posting link",
        CRAIGSLIST_WITH_POSTING,
        {
            "source": "craigslist",
            "channel": "relay",
            "contact_name": "Sam Ortiz",
            "email": "sale-x7k2m-7712345678@sale.craigslist.org",
            "phone": "(617) 555-0188",
            "external_id": "7712345678",
        },
    ),
    (
        "craigslist system mail",
        CRAIGSLIST_ROBOT,
        {
            "source": "craigslist",
            "contact_name": None,
            "email": None,
            "is_notifier": True,
        },
    ),
    (
        "facebook plain text",
        FACEBOOK_PLAIN,
        {
            "source": "facebook_marketplace",
            "channel": "marketplace_chat",
            "contact_name": "Alex Rivera",
            "email": None,
            "phone": None,
            "message": "Is this still available? I need a couch moved on Saturday.",
            "external_id": "100012345678901",
            "is_notifier": True,
        },
    ),
    (
        "facebook html",
        FACEBOOK_HTML,
        {
            "source": "facebook_marketplace",
            "channel": "marketplace_chat",
            "contact_name": "Priya Shah",
            "email": None,
            "message": "Do you also sell boxes? I need 20 medium ones.",
            "external_id": "223344556677",
            "is_notifier": True,
        },
    ),
    (
        "offerup new message",
        OFFERUP_MESSAGE,
        {
            "source": "offerup",
            "channel": "marketplace_chat",
            "contact_name": "Chris",
            "email": None,
            "message": "Can you deliver the dolly to Somerville tomorrow?",
            "external_id": "7f3e9a21-44bc",
            "is_notifier": True,
        },
    ),
    (
        "offerupnow message",
        OFFERUP_NOW,
        {
            "source": "offerup",
            "channel": "marketplace_chat",
            "contact_name": "Taylor Brooks",
            "message": "Is the moving truck rental still open for Sunday?",
            "external_id": "1357924680",
        },
    ),
    (
        "wordpress form",
        WORDPRESS_FORM,
        {
            "source": "website",
            "channel": "email",
            "contact_name": "Dana Whitfield",
            "email": "dana.whitfield@example.net",
            "phone": "(617) 555-0142",
            "message": "Moving from ZIP: 07030\nSubject: 2BR apartment move\n\n"
            "Hi - 2 bedroom, 3rd floor walk-up, hoping for this Saturday.",
            "external_id": None,
            "is_notifier": True,
        },
    ),
    (
        "html only form",
        HTML_ONLY_FORM,
        {
            "source": "website",
            "channel": "email",
            "contact_name": "Marcus Lee",
            "email": "marcus.lee@example.com",
            "phone": "(312) 555-0177",
            "message": "Zip 60614\nWhen this wknd if possible\nor next week\n"
            "Can I pay today? <3 floors>",
            "is_notifier": True,
        },
    ),
    (
        "form fields only",
        FIELDS_FORM,
        {
            "source": "website",
            "channel": "email",
            "contact_name": "Avery Kim",
            "email": "avery.kim@example.org",
            "phone": "555-0123",
            "message": "Need two movers for a studio.\nBudget: $400.",
            "is_notifier": True,
        },
    ),
    (
        "google local services",
        GOOGLE_LEAD,
        {
            "source": "google",
            "channel": "marketplace_chat",
            "contact_name": "Robin Patel",
            "email": None,
            "phone": "(617) 555-0199",
            "message": "Job type: Local move\nLocation: Cambridge, MA 02139",
            "external_id": "LS-883311",
            "is_notifier": True,
        },
    ),
    (
        "lead platform",
        LEAD_PLATFORM,
        {
            "source": "lead_platform",
            "channel": "email",
            "contact_name": "Pat Morgan",
            "email": "pat.morgan@example.com",
            "phone": "617-555-0107",
            "message": "ZIP: 02139\nMove size: 3 bedrooms\n"
            "Need packing help, flexible dates.",
            "external_id": "QH-20250613-0042",
            "is_notifier": True,
        },
    ),
    (
        "plain email",
        PLAIN_EMAIL,
        {
            "source": None,
            "channel": "email",
            "contact_name": "Dana Whitfield",
            "email": "dana.whitfield@example.net",
            "phone": None,
            "message": "Hi! Is the grey sectional still available?\n\nThanks,\nDana",
            "external_id": None,
            "is_notifier": False,
        },
    ),
    (
        "plain email with Reply-To",
        PLAIN_WITH_REPLY_TO,
        {
            "source": None,
            "contact_name": "Jane Doe",
            "email": "jane.doe@home.example.net",
            "is_notifier": False,
        },
    ),
    (
        "plain email address as name",
        PLAIN_ADDRESS_AS_NAME,
        {
            "source": None,
            "contact_name": None,
            "email": "omar.haddad@example.com",
            "is_notifier": False,
        },
    ),
    (
        "encoded display name",
        ENCODED_NAME,
        {
            "source": None,
            "contact_name": "José García",
            "email": "jose.garcia@example.net",
        },
    ),
    (
        "noreply newsletter",
        NEWSLETTER,
        {
            "source": None,
            "contact_name": None,
            "email": None,
            "is_notifier": True,
        },
    ),
    (
        "noreply Reply-To ignored",
        NOREPLY_REPLY_TO,
        {
            "source": None,
            "email": "jane.doe@example.net",
            "is_notifier": False,
        },
    ),
]


@tagged("lead_proactive", "lead_proactive_mail_tools")
class TestMailGuard(BaseCase):
    def test_classify_automatic_cases(self):
        for label, headers, sender, subject, content_type, expected in GUARD_CASES:
            with self.subTest(label):
                verdict = mail_guard.classify_automatic(
                    headers, sender or "", subject=subject, content_type=content_type
                )
                reason = verdict[0] if verdict else None
                self.assertEqual(reason, expected, verdict)

    def test_classify_subject_prefixes(self):
        for subject, expected in SUBJECT_CASES:
            with self.subTest(subject):
                verdict = mail_guard.classify_automatic(
                    {"From": "jane.doe@example.net"},
                    "Jane Doe <jane.doe@example.net>",
                    subject=subject,
                )
                reason = verdict[0] if verdict else None
                self.assertEqual(reason, expected, verdict)

    def test_classify_details(self):
        for label, headers, expected_detail in DETAIL_CASES:
            with self.subTest(label):
                verdict = mail_guard.classify_automatic(headers, headers["From"])
                self.assertEqual(verdict[1], expected_detail)

    def test_is_noreply_address(self):
        for address, expected in NOREPLY_ADDRESS_CASES:
            with self.subTest(address):
                self.assertIs(mail_guard.is_noreply_address(address), expected)

    def test_raw_latin1_header(self):
        raw = (
            b"From: Jos\xe9 Garc\xeda <jose.garcia@example.net>\r\n"
            b"Subject: Devis d\xe9m\xe9nagement\r\n"
            b"Content-Type: text/plain\r\n\r\nBonjour\r\n"
        )
        message = email.message_from_bytes(raw)
        name, address = mail_guard.split_address(message["From"])
        with self.subTest("name"):
            self.assertEqual(name, "José García")
        with self.subTest("address"):
            self.assertEqual(address, "jose.garcia@example.net")
        with self.subTest("subject"):
            self.assertEqual(
                mail_guard.decode_header_text(message["Subject"]), "Devis déménagement"
            )

    def test_invalid_headers_type(self):
        with self.assertRaises(TypeError):
            mail_guard.classify_automatic(["Auto-Submitted: auto-replied"], "a@b.c")


@tagged("lead_proactive", "lead_proactive_mail_tools")
class TestMailText(BaseCase):
    def test_html_to_text_cases(self):
        for label, html_text, expected in HTML_CASES:
            with self.subTest(label):
                self.assertEqual(mail_text.html_to_text(html_text), expected)

    def test_extract_new_text_cases(self):
        for label, text, expected in NEW_TEXT_CASES:
            with self.subTest(label):
                self.assertEqual(mail_text.extract_new_text(text), expected)


@tagged("lead_proactive", "lead_proactive_mail_tools")
class TestLeadSources(BaseCase):
    def test_identify_contact_cases(self):
        for label, message, expected in CONTACT_CASES:
            contact = identify(message)
            for attribute, value in expected.items():
                with self.subTest(f"{label}: {attribute}"):
                    self.assertEqual(getattr(contact, attribute), value)

    def test_form_fields_recorded(self):
        contact = identify(WORDPRESS_FORM)
        with self.subTest("zip field"):
            self.assertEqual(contact.fields.get("Moving from ZIP"), "07030")
        with self.subTest("free text field"):
            self.assertEqual(
                contact.fields.get("Message Body"),
                "Hi - 2 bedroom, 3rd floor walk-up, hoping for this Saturday.",
            )

    def test_notifier_display_name_not_a_person(self):
        contact = identify(WORDPRESS_FORM)
        self.assertNotEqual(contact.email, "info@example-movers.com")

    def test_unknown_wording_keeps_source(self):
        message = build_message(
            [
                ("From", "Facebook <security@facebookmail.com>"),
                TO_LEADS,
                ("Subject", "Your password was changed"),
            ],
            "Your password was changed.\n",
        )
        contact = identify(message)
        with self.subTest("source"):
            self.assertEqual(contact.source, "facebook_marketplace")
        with self.subTest("name"):
            self.assertIsNone(contact.contact_name)

    def test_free_text_name_words_not_a_field(self):
        message = build_message(
            [("From", "Site <wordpress@example-movers.com>"), TO_LEADS],
            "Name: Lee Park\nEmail: lee@example.org\nMessage:\n"
            "Name your price for a 1BR move.\nPhone me after 6.",
        )
        contact = identify(message)
        with self.subTest("name"):
            self.assertEqual(contact.contact_name, "Lee Park")
        with self.subTest("message"):
            self.assertEqual(
                contact.message, "Name your price for a 1BR move.\nPhone me after 6."
            )
