# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import threading
import time


class RateLimitedLogger:
    """Log through ``logger`` at most once per ``interval`` seconds per key,
    adding how many lines were suppressed since the last one. Keys are kept
    for at most ``max_keys`` senders, so a flood of keys cannot grow memory."""

    def __init__(self, logger, interval=60.0, max_keys=1000):
        self.logger = logger
        self.interval = interval
        self.max_keys = max_keys
        self._lock = threading.Lock()
        self._last = {}  # key -> (monotonic time of the last line, suppressed count)

    def warning(self, key, message, *args):
        """Log ``message % args`` as a warning unless ``key`` logged one
        within the interval. Returns whether the line was logged."""
        now = time.monotonic()
        with self._lock:
            last, suppressed = self._last.get(key, (None, 0))
            if last is not None and now - last < self.interval:
                self._last[key] = (last, suppressed + 1)
                return False
            if len(self._last) >= self.max_keys:
                recent = {k: v for k, v in self._last.items() if now - v[0] < self.interval}
                if len(recent) >= self.max_keys:
                    # Every key logged within the interval: keep the newest
                    # half, so memory stays bounded under a flood of senders.
                    newest = sorted(recent.items(), key=lambda item: item[1][0])
                    recent = dict(newest[len(newest) // 2 :])
                self._last = recent
            self._last[key] = (now, 0)
        self.logger.warning(message + " (%s similar lines suppressed)", *args, suppressed)
        return True
