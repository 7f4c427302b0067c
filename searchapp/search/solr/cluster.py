"""A real SolrCloud on this machine, for development and tests: `DevCluster`.

The cluster is the Maven project `solr/` at the top of a checkout: solr-test-framework's
MiniSolrCloudCluster (an embedded ZooKeeper and N Solr nodes over plain HTTP on 127.0.0.1), run
in one JVM. This module builds it when needed, starts it and talks to it over the JVM's stdin
and stdout (one JSON line per answer). The JVM ends when its stdin closes, so a test run or a
`searchapp solr-dev` that dies never leaves it behind.

    with DevCluster(nodes=2) as cluster:
        cluster.nodes        # ["http://127.0.0.1:41234/solr", ...]
        cluster.zk           # "127.0.0.1:40123/solr" (ZooKeeper address with its chroot)
        cluster.stop_node(1) # returns once ZooKeeper has seen it leave; start_node(1) brings it back

It is a development tool: the Solr engine talks to any SolrCloud by URL and needs none of this.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path

# The Maven project, found from the checkout this module lives in (it is not shipped).
PROJECT = Path(__file__).resolve().parents[3] / "solr"
MAIN_CLASS = "searchapp.solr.DevCluster"
# Two Solr nodes and ZooKeeper in one JVM run in well under a gigabyte on test-sized collections.
DEFAULT_HEAP = "1g"
# A reused --dir is wiped only when this file says a dev cluster made it.
MARKER = ".searchapp-solr-dev"


class SolrUnavailable(RuntimeError):
    """The dev cluster cannot be built or started here; the message says why."""


def missing_tools(project: Path = PROJECT) -> str | None:
    """Why the dev cluster cannot run on this machine (for a test's skip), or None."""
    if not (project / "pom.xml").is_file():
        return f"the Solr dev cluster project is not here ({project}): run from a checkout"
    if shutil.which("java") is None:
        return "java is not installed (the Solr dev cluster needs Java 17)"
    if not is_built(project) and shutil.which("mvn") is None:
        return "mvn is not installed (it builds the Solr dev cluster, solr/pom.xml)"
    return None


def is_built(project: Path = PROJECT) -> bool:
    """Whether target/ holds a build at least as new as the pom and the sources."""
    built = project / "target" / "classes" / "searchapp" / "solr" / "DevCluster.class"
    if not built.is_file() or not (project / "target" / "dependency").is_dir():
        return False
    sources = [project / "pom.xml", *(p for p in (project / "src").rglob("*") if p.is_file())]
    return built.stat().st_mtime >= max(p.stat().st_mtime for p in sources)


def build(project: Path = PROJECT) -> None:
    """Compile the launcher and copy its jars to target/dependency (the first time, Maven
    downloads Solr's dependency tree, several hundred MB, into ~/.m2)."""
    problem = missing_tools(project)
    if problem:
        raise SolrUnavailable(problem)
    if is_built(project):
        return
    done = subprocess.run(["mvn", "-B", "-q", "package"], cwd=project, capture_output=True, text=True)
    if done.returncode != 0:
        raise SolrUnavailable(f"mvn package failed in {project}:\n{(done.stdout + done.stderr)[-3000:]}")


def classpath(project: Path = PROJECT) -> str:
    target = project / "target"
    return os.pathsep.join([str(target / "classes"), str(target / "dependency" / "*")])


class DevCluster:
    """A MiniSolrCloudCluster in a child JVM; `start()` (or `with`) waits until it serves.

    base_dir: where ZooKeeper's and the nodes' data go (a fresh temporary folder, removed at
    close, when None); an existing folder must be empty or a previous dev cluster's, whose data
    is wiped (a restarted cluster has new ports, so the old state could not be reused).
    configsets: name -> conf folder, uploaded to ZooKeeper before the nodes start.
    """

    def __init__(self, nodes: int = 2, base_dir: Path | str | None = None,
                 configsets: Mapping[str, Path | str] | None = None, heap: str = DEFAULT_HEAP,
                 project: Path = PROJECT, timeout: float = 300.0):
        self.node_count, self.heap, self.project, self.timeout = nodes, heap, project, timeout
        self.configsets = dict(configsets or {})
        self._temporary = base_dir is None
        self.base_dir = Path(base_dir) if base_dir is not None else None
        self.log_path: Path | None = None  # the JVM's stderr, in base_dir
        self.zk = ""
        self.nodes: list[str] = []
        self.up: list[bool] = []
        self._process: subprocess.Popen | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> DevCluster:
        self.base_dir = self._prepare_dir()
        try:
            build(self.project)
            self._launch()
            self._take(self._answer())
        except BaseException:
            self.close()
            raise
        return self

    def _launch(self) -> None:
        assert self.base_dir is not None
        self.log_path = self.base_dir / "cluster.log"
        command = ["java", f"-Xmx{self.heap}", "-cp", classpath(self.project), MAIN_CLASS,
                   "--nodes", str(self.node_count), "--dir", str(self.base_dir / "cloud")]
        for name, conf in self.configsets.items():
            command += ["--config", f"{name}={Path(conf).resolve()}"]
        with open(self.log_path, "ab") as log:
            # Its own session: a Ctrl-C meant for the parent reaches the JVM as a clean close.
            self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             stderr=log, text=True, start_new_session=True)
        threading.Thread(target=self._read_lines, daemon=True).start()

    def close(self) -> None:
        """Shut the nodes and ZooKeeper down (waits for the JVM to end; idempotent)."""
        process, self._process = self._process, None
        if process is not None:
            try:
                assert process.stdin is not None
                process.stdin.write("quit\n")
                process.stdin.close()
            except OSError:
                pass  # the JVM has already gone
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._temporary and self.base_dir is not None:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> DevCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # -- faults -------------------------------------------------------------------------------

    def stop_node(self, index: int) -> None:
        """Stop node `index` (its Jetty: the node leaves the cluster as if it had crashed)."""
        self._command(f"stop {index}")

    def start_node(self, index: int) -> None:
        """Start node `index` again on its old port; returns once it is live again."""
        self._command(f"start {index}")

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def live_nodes(self) -> list[str]:
        return [url for url, up in zip(self.nodes, self.up) if up]

    # -- the JVM's protocol -------------------------------------------------------------------

    def _prepare_dir(self) -> Path:
        if self.base_dir is None:
            return Path(tempfile.mkdtemp(prefix="searchapp-solr-"))
        path = self.base_dir.resolve()
        if path.exists() and any(path.iterdir()):
            if not (path / MARKER).exists():
                raise SolrUnavailable(f"{path} is not empty and not a dev cluster's folder")
            shutil.rmtree(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / MARKER).write_text("A Solr dev cluster's data: wiped when the next one starts here.\n")
        return path

    def _read_lines(self) -> None:
        process = self._process
        assert process is not None and process.stdout is not None
        for line in process.stdout:
            self._lines.put(line)
        self._lines.put(None)  # the JVM has ended

    def _answer(self) -> dict:
        try:
            line = self._lines.get(timeout=self.timeout)
        except queue.Empty:
            raise SolrUnavailable(f"no answer from the Solr dev cluster in {self.timeout:.0f} s"
                                  f"{self._log_tail()}") from None
        if line is None:
            raise SolrUnavailable(f"the Solr dev cluster ended{self._log_tail()}")
        answer = json.loads(line)
        if "error" in answer:
            raise SolrUnavailable(f"the Solr dev cluster refused: {answer['error']}")
        return answer

    def _command(self, line: str) -> None:
        if self._process is None or self._process.stdin is None:
            raise SolrUnavailable("the Solr dev cluster is not running")
        self._process.stdin.write(line + "\n")
        self._process.stdin.flush()
        self._take(self._answer())

    def _take(self, answer: dict) -> None:
        self.zk, self.nodes, self.up = answer["zk"], answer["nodes"], answer["up"]

    def _log_tail(self) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()[-30:] if self.log_path else []
        except OSError:
            return ""
        return ": its log ends with\n" + "\n".join(lines) if lines else ""
