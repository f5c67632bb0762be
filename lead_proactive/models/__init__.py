# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import crm_stage
from . import mail_activity
from . import mail_message
from . import mail_template
from . import mail_thread
from . import proactive_touch
from . import crm_lead
from . import proactive_sla_policy
from . import crm_lead_sla
