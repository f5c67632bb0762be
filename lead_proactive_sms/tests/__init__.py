# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_twilio_signature
from . import test_sms_segments
from . import test_sms_keywords
from . import test_sending_hours
from . import test_sms_webhook
from . import test_sms_flow
from . import test_sms_inbound_concurrency
from . import test_sms_booking
from . import test_sms_inbound_rules
from . import test_sms_rollout
from . import test_intake_sms
from . import test_sms_booking_handover
