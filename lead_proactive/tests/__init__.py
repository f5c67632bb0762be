from . import test_lead_capture
from . import test_lead_guard
from . import test_sample_emails
from . import test_mail_tools
from . import test_lead_parser
from . import test_lead_sla
from . import test_lead_tour
