# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_lead_report
from . import test_kpi_snapshot
from . import test_leakage_report
from . import test_script_report
from . import test_weekly_report
from . import test_digest
from . import test_kpi_tour
from . import test_kpi_rollout
from . import test_leakage_grace
from . import test_unknown_source
from . import test_kpi_graph
