"""Take the user guide's screenshots from a running demo server.

Drives Debian's Chromium (/usr/bin/chromium) in headless mode through
Playwright and writes 1280x800 PNG files to docs/images/. Start the server
with ``bash setup/run.sh`` and feed the demo emails with
``bash setup/feed_emails.sh`` first; ``docs/screenshots.sh`` wraps this
script with the same port and database settings.

Only the loopback address is accepted, because the script logs in with the
demo's admin password. docs/screenshots.sh first runs
docs/prepare_screenshots.py in an Odoo shell to compute this week's KPI
snapshots and weekly report.
"""

import argparse
import ipaddress
import pathlib
import sys
import urllib.parse
import xmlrpc.client

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright

VIEWPORT = {"width": 1280, "height": 800}
CHROMIUM = "/usr/bin/chromium"
# Milliseconds to wait for a view to show its records after the page load.
VIEW_TIMEOUT_MS = 30_000


class Demo:
    """XML-RPC access to the demo database, to find the records to show."""

    def __init__(self, url, db, login, password):
        self.url = url
        self.db = db
        self.password = password
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
        self.uid = common.authenticate(db, login, password, {})
        if not self.uid:
            sys.exit(f"error: login {login!r} failed on database {db!r} at {url}")
        self.models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object")

    def call(self, model, method, *args, **kwargs):
        return self.models.execute_kw(self.db, self.uid, self.password, model, method, list(args), kwargs)

    def find_id(self, model, domain, order=None):
        ids = self.call(model, "search", domain, limit=1, order=order or "id desc")
        return ids[0] if ids else None

    def ref_id(self, xmlid):
        module, name = xmlid.split(".")
        data = self.call(
            "ir.model.data", "search_read",
            [("module", "=", module), ("name", "=", name)], fields=["res_id"], limit=1,
        )
        return data[0]["res_id"] if data else None


def check_loopback(url):
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        sys.exit(f"error: {url} is not a loopback address; use http://127.0.0.1:PORT")


def shoot(page, out_dir, name, path, wait_for, scroll_to=None, before=None):
    """Open ``path``, wait for ``wait_for`` and save ``name``.png."""
    page.goto(path, wait_until="load")
    try:
        page.wait_for_selector(wait_for, timeout=VIEW_TIMEOUT_MS)
    except PlaywrightTimeoutError:
        page.screenshot(path=str(out_dir / f"failed-{name}.png"))
        raise SystemExit(
            f"error: {name}: {wait_for!r} did not show within {VIEW_TIMEOUT_MS} ms "
            f"on {path} (see failed-{name}.png)"
        ) from None
    if before:
        before(page)
    if scroll_to:
        # Scroll the element to the top, less a margin for the heading above it.
        page.evaluate(
            """(selector) => {
                const element = document.querySelector(selector);
                element.scrollIntoView({block: 'start'});
                let scroller = element.parentElement;
                while (scroller && !(scroller.scrollHeight > scroller.clientHeight
                        && /auto|scroll/.test(getComputedStyle(scroller).overflowY))) {
                    scroller = scroller.parentElement;
                }
                (scroller || document.scrollingElement).scrollBy(0, -70);
            }""",
            scroll_to,
        )
    # Let animations and lazy widgets settle; there is no event for that.
    page.wait_for_timeout(800)
    target = out_dir / f"{name}.png"
    page.screenshot(path=str(target))
    print(f"saved {target}")


def open_first_group(page):
    page.locator(".o_group_header").first.click()
    page.wait_for_selector(".o_list_view .o_data_row", timeout=VIEW_TIMEOUT_MS)


def open_all_groups(page):
    """Open every group of a grouped list, so its rows show."""
    headers = page.locator(".o_group_header")
    for index in range(headers.count()):
        headers.nth(index).click()
        page.wait_for_timeout(300)
    page.wait_for_selector(".o_list_view .o_data_row", timeout=VIEW_TIMEOUT_MS)


def take_all(page, demo, out_dir):
    # The pipeline action's path: the navbar then shows the CRM app.
    lead = "/odoo/crm"
    form_ready = ".o_form_view .o_form_sheet"
    list_ready = ".o_list_view .o_data_row"

    qualified_id = demo.find_id(
        "crm.lead",
        [("stage_id.proactive_milestone", "=", "qualified"), ("proactive_channel", "=", "email")],
        order="id",
    )
    assisted_id = demo.find_id(
        "crm.lead", [("activity_ids.activity_type_id.name", "ilike", "Reply in Chat")]
    ) or demo.find_id("crm.lead", [("proactive_channel", "=", "assisted")])
    if not qualified_id:
        sys.exit("error: no qualified lead in the database; run bash setup/feed_emails.sh first")

    # Salesperson
    shoot(page, out_dir, "pipeline", lead, ".o_kanban_record")
    shoot(page, out_dir, "lead_qualified", f"{lead}/{qualified_id}", form_ready)
    shoot(
        page, out_dir, "lead_qualified_chatter", f"{lead}/{qualified_id}",
        ".o-mail-Message", scroll_to=".o-mail-Chatter",
    )
    if assisted_id:
        shoot(page, out_dir, "lead_assisted_reply", f"{lead}/{assisted_id}", ".o-mail-Activity",
              scroll_to=".o-mail-Chatter")
    handoff_id = demo.find_id(
        "crm.lead", [("proactive_intent_level", "=", "high"), ("proactive_handoff_date", "!=", False)]
    )
    if handoff_id:
        # The banner, and the Handoff tab, which is the first tab of the form.
        shoot(page, out_dir, "lead_handoff", f"{lead}/{handoff_id}", "[name=proactive_handoff_alert]")
    else:
        print("no high-intent lead yet: skipped lead_handoff.png (feed demo/emails first)")
    shoot(page, out_dir, "my_activities", "/odoo/action-mail.mail_activity_action_my", ".o_view_controller")

    # Administrator
    settings = "/odoo/action-crm.crm_config_settings_action"
    shoot(page, out_dir, "settings_rollout", settings, "#lead_proactive_rollout",
          scroll_to="#lead_proactive_rollout")
    shoot(page, out_dir, "settings_sms", settings, "#lead_proactive_sms_twilio",
          scroll_to="#lead_proactive_sms_twilio")
    shoot(page, out_dir, "rollout_checklist",
          "/odoo/action-lead_proactive.res_config_settings_action_proactive_rollout", list_ready)
    shoot(page, out_dir, "scripts", "/odoo/action-lead_proactive.mail_template_action_scripts", list_ready)
    cadence_id = demo.find_id("proactive.cadence", [], order="sequence, id")
    shoot(page, out_dir, "followup_sequence",
          f"/odoo/action-lead_proactive.proactive_cadence_action/{cadence_id}", form_ready,
          scroll_to=".o_notebook")
    shoot(page, out_dir, "sla_policies", "/odoo/action-lead_proactive.proactive_sla_policy_action", list_ready)
    # The signals are grouped by kind: open the first group (buying intent).
    shoot(page, out_dir, "intent_signals",
          "/odoo/action-lead_proactive.proactive_intent_signal_action", ".o_group_header",
          before=open_first_group)
    team_id = demo.find_id("crm.team", [("alias_name", "!=", False)], order="sequence, id")
    shoot(page, out_dir, "team_alias", f"/odoo/action-sales_team.crm_team_action_config/{team_id}",
          form_ready)
    shoot(page, out_dir, "touch_log", "/odoo/action-lead_proactive.proactive_touch_action", list_ready)

    # Manager
    shoot(page, out_dir, "kpi_report", "/odoo/action-lead_proactive_kpi.proactive_lead_report_action",
          ".o_pivot")
    shoot(page, out_dir, "leakage", "/odoo/action-lead_proactive_kpi.proactive_leakage_report_action",
          ".o_group_header", before=open_all_groups)
    shoot(page, out_dir, "script_performance",
          "/odoo/action-lead_proactive_kpi.proactive_script_report_action", ".o_group_header",
          before=open_all_groups)
    report_id = demo.find_id("proactive.weekly.report", [], order="week desc, id desc")
    if report_id:
        shoot(page, out_dir, "weekly_report",
              f"/odoo/action-lead_proactive_kpi.proactive_weekly_report_action/{report_id}", form_ready)
    else:
        print("no weekly report yet: skipped weekly_report.png (run docs/prepare_screenshots.py)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069", help="demo server, loopback only")
    parser.add_argument("--db", default="proactive", help="database name")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument(
        "--out", default=str(pathlib.Path(__file__).parent / "images"), help="folder for the PNG files"
    )
    args = parser.parse_args()
    url = args.url.rstrip("/")
    check_loopback(url)
    out_dir = pathlib.Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)

    demo = Demo(url, args.db, args.login, args.password)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        # The demo company and its admin are in Chicago: show times there.
        context = browser.new_context(
            viewport=VIEWPORT, base_url=url, locale="en-US", timezone_id="America/Chicago"
        )
        page = context.new_page()
        page.goto(f"/web/login?db={urllib.parse.quote(args.db)}", wait_until="load")
        page.fill("input[name=login]", args.login)
        page.fill("input[name=password]", args.password)
        page.click("button[type=submit]")
        page.wait_for_selector(".o_main_navbar", timeout=VIEW_TIMEOUT_MS)
        take_all(page, demo, out_dir)
        browser.close()


if __name__ == "__main__":
    main()
