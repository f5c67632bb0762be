# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from unittest.mock import patch

from odoo.tests import BaseCase, tagged

from odoo.addons.lead_proactive.tools.rate_limited_log import RateLimitedLogger

_logger = logging.getLogger(__name__)


@tagged("lead_proactive", "at_install")
class TestRateLimitedLog(BaseCase):
    def test_one_line_per_interval(self):
        log = RateLimitedLogger(_logger, interval=60.0)
        with patch("time.monotonic", return_value=100.0), self.assertLogs(_logger, "WARNING"):
            self.assertTrue(log.warning("sender", "rejected %s", 1))
        with patch("time.monotonic", return_value=130.0):
            self.assertFalse(log.warning("sender", "rejected %s", 2))
        with patch("time.monotonic", return_value=161.0), self.assertLogs(_logger, "WARNING") as logs:
            self.assertTrue(log.warning("sender", "rejected %s", 3))
        self.assertIn("(1 similar lines suppressed)", logs.output[0])

    def test_keys_stay_bounded_in_a_flood(self):
        log = RateLimitedLogger(_logger, interval=60.0, max_keys=10)
        with patch("time.monotonic", return_value=100.0), self.assertLogs(_logger, "WARNING"):
            for index in range(50):
                log.warning("sender-%s" % index, "rejected")
        self.assertLessEqual(len(log._last), 10)
