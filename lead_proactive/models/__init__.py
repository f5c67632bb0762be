# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import crm_stage
from . import mail_activity
from . import mail_message
from . import mail_template
from . import mail_thread
from . import proactive_touch
from . import crm_lead
from . import mail_template_followup
from . import proactive_cadence
from . import proactive_cadence_step
from . import proactive_touch_followup
from . import crm_lead_followup
from . import proactive_intent_signal
from . import proactive_touch_routing
from . import mail_template_routing
from . import crm_team_routing
from . import crm_lead_routing
