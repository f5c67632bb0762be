# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Statistics for the script performance report, without the ORM."""

import math

# A script is flagged as underperforming by a one-sided two-proportion z-test
# at p < 0.05: its reply rate is below its siblings' with a z statistic of at
# least this value (the 95th percentile of the standard normal distribution).
Z_CRITICAL_ONE_SIDED_05 = 1.6448536269514722
# The normal approximation behind the z-test needs enough sends on both sides:
# the script and its siblings combined each need at least this many.
MIN_SENDS = 30


def one_sided_p_value(z):
    """Return P(Z >= z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2))
