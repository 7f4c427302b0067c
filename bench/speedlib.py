"""Shared helpers of the speed benchmarks: where the corpora are, machine facts,
percentiles, free ports, process-tree memory, starting and stopping servers.

Not a benchmark itself; imported by make_corpus.py, ingest_speed.py,
search_latency.py and load.py.
"""

from __future__ import annotations

import json
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "bench" / "out"
# Big generated files (corpus, indexes, databases) live here, outside git.
WORK_DIR = OUT_DIR / "work"


def corpora_dir() -> Path:
    base = os.environ.get("SEARCHAPP_CORPORA")
    return Path(base) if base else REPO.parent / "shared" / "corpora"


def require_corpora(*names: str) -> Path:
    """The corpora folder; exit with a clear message when a needed part is absent."""
    root = corpora_dir()
    missing = [n for n in names if not (root / n).is_dir()]
    if missing:
        sys.exit(f"corpora not found: {', '.join(str(root / n) for n in missing)} "
                 "(set SEARCHAPP_CORPORA to the folder holding reuters21578/ and bbc/)")
    return root


def machine_info() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "memory_gb": mem_gb, "cpu": cpu,
            "python": platform.python_version(), "platform": platform.platform(),
            "code": code_version(), "when": time.strftime("%Y-%m-%d %H:%M:%S")}


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil
    return ordered[int(rank) - 1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- memory -----------------------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def process_tree(pid: int) -> list[int]:
    children = _children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


# Where each memory figure is read: RSS (all resident pages), RssAnon (the process's own
# heap: Python objects, caches), PSS (pages shared between processes, such as memory shared
# since fork, counted once in a sum rather than per process).
_MEMORY = {"rss": ("status", "VmRSS:"), "anon": ("status", "RssAnon:"),
           "pss": ("smaps_rollup", "Pss:")}


def memory_bytes(pid: int, figure: str = "rss") -> int:
    """One memory figure of a process, in bytes (0 once it is gone)."""
    name, key = _MEMORY[figure]
    try:
        with open(f"/proc/{pid}/{name}") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_memory(pid: int, *figures: str) -> dict[str, int]:
    """The figures summed over the process and its descendants, all from one look at the
    process tree; "processes" is how many there were."""
    pids = process_tree(pid)
    out = {f: sum(memory_bytes(p, f) for p in pids) for f in figures}
    out["processes"] = len(pids)
    return out


def tree_rss(pid: int) -> tuple[int, int]:
    """(sum of RSS over the process and its descendants, number of processes)."""
    m = tree_memory(pid, "rss")
    return m["rss"], m["processes"]


def code_version() -> str:
    """The commit measured, with '+changes' when the package had uncommitted edits."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout
    commit = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    return commit + ("+changes" if git("status", "--porcelain", "searchapp").strip() else "")


# -- servers ------------------------------------------------------------------------------


def wait_http(url: str, timeout: float = 120.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                r.read()
                return
        except Exception:
            time.sleep(0.3)
    raise RuntimeError(f"no answer from {url} within {timeout:.0f} s")


def wait_read_ahead(log_path: Path, workers: int = 2, timeout: float = 90.0) -> float:
    """Wait until each gunicorn worker has logged the end of its read-ahead of frequent
    words (gunicorn.conf.py), so that searches are measured on a server as it runs after
    its first half minute, not against its own start-up reads. Returns the seconds waited;
    gives up quietly after `timeout` (an engine without read-ahead logs at once)."""
    started = time.monotonic()
    pattern = re.compile(r"read \d+ MB of postings ahead|reading postings ahead failed")
    while time.monotonic() - started < timeout:
        if len(pattern.findall(log_path.read_text(errors="replace"))) >= workers:
            break
        time.sleep(0.5)
    return time.monotonic() - started


def start_gunicorn(index_dir: Path, port: int, log_path: Path, instance: Path,
                   extra_env: dict | None = None) -> subprocess.Popen:
    """The production server: gunicorn with the repository's own gunicorn.conf.py."""
    # Production refuses to start without a secret key: give this throwaway instance one.
    env = dict(os.environ, SEARCHAPP_INDEX_DIR=str(index_dir),
               SEARCHAPP_BIND=f"127.0.0.1:{port}", SEARCHAPP_INSTANCE=str(instance),
               SEARCHAPP_SECRET_KEY=secrets.token_hex(32))
    env.update(extra_env or {})
    # Not a `with`: the server process writes to the log after this function returns.
    log = open(log_path, "w")  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(REPO / "gunicorn.conf.py")],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen | None) -> None:
    """SIGTERM the server's process group (it was started in its own session), then wait."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def write_json(name: str, data: dict) -> Path:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / name
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return path


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"
