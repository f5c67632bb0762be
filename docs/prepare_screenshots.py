# Run inside `odoo shell` on the demo database before docs/screenshots.py:
# compute this week's KPI snapshots and weekly report, so the manager's
# screens show the demo leads. The weekly report is normally made by its
# Monday cron for the week before, and users cannot create one.
import datetime

Snapshot = env["proactive.kpi.snapshot"]
this_week = Snapshot._recent_weeks()[-1]
Snapshot._compute_week(this_week)

Report = env["proactive.weekly.report"].sudo()
report = Report.search([("company_id", "=", env.company.id), ("week", "=", this_week)])
if not report:
    report = Report.create({"company_id": env.company.id, "week": this_week})
report._compute_figures()
env.cr.commit()
print(f"weekly report {report.id} for the week of {this_week.isoformat()}")
