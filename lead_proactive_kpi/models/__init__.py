# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import res_company
from . import res_partner
from . import crm_lead
from . import proactive_lead_report
from . import proactive_kpi_snapshot
from . import proactive_leakage_report
from . import proactive_script_report
from . import proactive_weekly_report
from . import digest_digest
from . import proactive_rollout_item
