"""Whether a process on this machine is still running: leases and leftovers of killed
processes (a curation job's owner, a rebuild's folder) are taken over only when it is not."""

from __future__ import annotations

import os


def alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True
