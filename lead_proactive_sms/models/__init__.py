# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import res_company
from . import res_config_settings
from . import mail_message
from . import mail_thread
from . import sms_template
from . import proactive_touch
from . import proactive_sms_inbound
from . import crm_lead
from . import proactive_cadence_step
from . import sms_sms
from . import crm_lead_booking
from . import proactive_rollout_item
