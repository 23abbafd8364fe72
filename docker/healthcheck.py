"""The container's health check: does this container's web server answer /healthz?

Standard library only, so it costs a few milliseconds and no content loading (`wegwijs health`
is the deeper check: content and database). Exit 0 when healthy, 1 otherwise.
"""

import os
import sys
import urllib.request

URL = f"http://127.0.0.1:{os.environ.get('PORT', '8080')}/healthz"

try:
    with urllib.request.urlopen(URL, timeout=4) as response:  # noqa: S310 (a fixed local URL)
        sys.exit(0 if response.status == 200 else 1)
except OSError:
    sys.exit(1)
