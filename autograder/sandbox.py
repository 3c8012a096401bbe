"""Run the grading kernel under bubblewrap (``bwrap``): it sees its own folder, not the course.

Inside the sandbox the kernel sees

- the system (``/usr`` and the ``/bin``, ``/lib*`` links), a handful of
  ``/etc`` files the loader and fonts need, and the Python it runs with (the
  venv and the interpreter it links to), all read-only;
- the ``cnnkit`` and ``autograder`` packages, read-only (not the rest of the
  repository: no ``solutions/``, ``course/`` or ``tests/``);
- its working folder at the path nbgrader executes the notebook in, as a
  private writable *copy* without the notebooks: the executed notebook holds
  the hidden tests and the integrity checks' nonce, and a kernel that could
  write to the real folder could plant a symlink that nbgrader later writes
  through;
- a private ``/tmp`` (also ``HOME``), ``/dev`` and ``/proc`` (its own
  processes only), the files it is given to read (the integrity manifest),
  matplotlib's font list (built once per grader process, so that each kernel
  does not spend a second rebuilding it) and a folder with its connection
  file and sockets.

It shares no network (``--unshare-net``: ZMQ talks over unix sockets, the
``ipc`` transport), no environment variables but a fixed few, no
capabilities, and dies with the grader (``--die-with-parent``). Everything
else (the scratch course's ``source/``, the gradebook, ``release/``, other
submissions, the home folder) does not exist in its view.

The kernel is not put in a new session (``--new-session``): jupyter_client
already starts it in its own session without a terminal, and the cell timeout
interrupts the whole process group with SIGINT, which bwrap itself ignores
(see :meth:`KernelJail.wrap`).
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import os
import shutil
import site
import subprocess
import sys
import tempfile

from autograder.errors import UsageError

SANDBOX_MODES = ("auto", "on", "off")
_SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_ETC = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/fonts",
        "/etc/alternatives", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf")
_ISOLATION = ["--unshare-all", "--die-with-parent", "--cap-drop", "ALL"]
_KEPT_VARIABLES = ("LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ")
_MATPLOTLIB_FOLDER = "/tmp/matplotlib"
#: A unix socket path must fit in 107 bytes; ZMQ appends "-<port>".
_MAX_SOCKET_PREFIX = 90


@functools.lru_cache(maxsize=None)
def sandbox_problem() -> str | None:
    """Why bubblewrap cannot sandbox the kernel here, or None when it works (probed once)."""
    if not sys.platform.startswith("linux"):
        return f"bubblewrap runs on Linux only, this is {sys.platform}"
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bwrap is not on PATH (Debian/Ubuntu: apt-get install bubblewrap)"
    command = [bwrap, *_ISOLATION, *_system_mounts(), "--proc", "/proc", "--dev", "/dev", "--", "true"]
    try:
        probe = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as error:
        return f"{bwrap} could not run: {error}"
    if probe.returncode != 0:
        detail = (probe.stderr.strip().splitlines() or [f"exit status {probe.returncode}"])[-1]
        return f"{bwrap} cannot create a sandbox here: {detail}"
    return None


def resolve_sandbox(mode: str, stream=None) -> bool:
    """Whether to sandbox the kernel for ``--sandbox MODE``; says which on one line of ``stream``.

    Parameters
    ----------
    mode : {"auto", "on", "off"}
        ``auto`` sandboxes where bubblewrap works; ``on`` insists.
    stream : file, optional
        Where the one line goes (default ``sys.stderr``).

    Raises
    ------
    ValueError
        On Windows (the kernel's limits need POSIX), for an unknown mode, or
        for ``on`` where bubblewrap does not work.
    """
    stream = stream or sys.stderr
    if os.name != "posix":
        raise UsageError("grading needs Linux or macOS: the kernel's memory cap and wall limit use POSIX "
                         "resource limits and process groups; on Windows, run the grader in WSL")
    if mode not in SANDBOX_MODES:
        raise UsageError(f"--sandbox must be one of {', '.join(SANDBOX_MODES)}, got {mode!r}")
    macos = "; on macOS the memory cap is not enforced (RLIMIT_AS)" if sys.platform == "darwin" else ""
    if mode == "off":
        stream.write(f"sandbox: off (--sandbox off): student code can read what the grader can{macos}\n")
        return False
    problem = sandbox_problem()
    if problem is None:
        stream.write("sandbox: on (bubblewrap): student code sees its own folder, no course files, no network\n")
        return True
    if mode == "on":
        raise UsageError(f"--sandbox on: {problem}")
    stream.write(f"sandbox: off ({problem}): student code can read what the grader can{macos}\n")
    return False


def _system_mounts() -> list[str]:
    """bwrap arguments mirroring the system folders (merged-/usr links stay links)."""
    arguments = []
    for path in _SYSTEM:
        if os.path.islink(path):
            arguments += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            arguments += ["--ro-bind", path, path]
    for path in _ETC:
        arguments += ["--ro-bind-try", path, path]
    return arguments


def _within(path: str, roots) -> bool:
    """Whether ``path`` is one of ``roots`` or inside one."""
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def _outermost(paths) -> list[str]:
    """The existing ``paths`` that no other one (nor a system folder) contains, shortest first."""
    kept: list[str] = []
    for path in sorted({os.path.abspath(p) for p in paths if p and os.path.exists(p)}, key=len):
        if not _within(path, [*_SYSTEM, *kept]):
            kept.append(path)
    return kept


@functools.lru_cache(maxsize=None)
def python_roots() -> tuple[str, ...]:
    """The folders the kernel's Python needs read-only: prefixes, site-packages, our two packages."""
    paths = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.realpath(sys.executable)), *site.getsitepackages()]
    user_site = site.getusersitepackages()
    if user_site in sys.path:
        paths.append(user_site)
    for package in ("cnnkit", "autograder"):
        spec = importlib.util.find_spec(package)
        paths.append(os.path.dirname(spec.origin))
    return tuple(_outermost([*paths, *(os.path.realpath(p) for p in paths)]))


def package_parents() -> list[str]:
    """The folders holding the grader's own cnnkit and autograder, first on the kernel's path.

    The kernel must import the very cnnkit the grader's integrity manifest describes (a
    copy on PYTHONPATH included), not whatever the venv's editable install points at.
    """
    return list(dict.fromkeys(os.path.dirname(os.path.dirname(importlib.util.find_spec(package).origin))
                              for package in ("cnnkit", "autograder")))


@functools.lru_cache(maxsize=None)
def _font_manager():
    """matplotlib's font list without the fonts the sandbox hides, or None without matplotlib."""
    try:
        import matplotlib.font_manager as font_manager
    except Exception:  # the kernel will build its own list, or fail on its own import
        return None
    visible = [*_SYSTEM, *python_roots()]
    manager = copy.copy(font_manager.fontManager)
    manager.ttflist = [font for font in manager.ttflist if _within(font.fname, visible)]
    manager.afmlist = [font for font in manager.afmlist if _within(font.fname, visible)]
    return manager


class KernelJail:
    """The per-kernel folders of a sandbox and the bwrap command line around the kernel.

    Parameters
    ----------
    cwd : str
        The folder nbgrader executes the notebook in; the kernel sees a copy of
        its files (notebooks left out) at the same path.
    scratch : str, optional
        Where the jail's own folders go (default: the temporary folder).
    readable : list of str
        Files the kernel may read besides Python, read-only.
    """

    def __init__(self, cwd: str, scratch: str | None = None, readable=()):
        self.cwd = os.path.abspath(cwd)
        self.readable = [os.path.abspath(p) for p in readable]
        from autograder.config import SOURCE_DIRECTORY

        for root in python_roots():
            for hidden in (self.cwd, str(SOURCE_DIRECTORY)):
                if _within(hidden, [root]):
                    raise RuntimeError(f"sandbox: the Python folder {root} contains {hidden}, which the "
                                       "kernel must not see; install Python outside it")
        self.root = tempfile.mkdtemp(prefix="kernel-", dir=scratch)
        if len(self.root) > _MAX_SOCKET_PREFIX - 10:  # a deep scratch folder: sockets go to /tmp
            from autograder.owned_folders import fresh_owned_folder

            shutil.rmtree(self.root)
            self.root = str(fresh_owned_folder("ag-kernel-", "/tmp"))  # the jails of killed graders go first
        self.sockets = os.path.join(self.root, "s")
        self.workdir = os.path.join(self.root, "w")
        os.mkdir(self.sockets, 0o700)
        shutil.copytree(self.cwd, self.workdir, symlinks=True, ignore=shutil.ignore_patterns("*.ipynb"))
        self.connection_file = os.path.join(self.sockets, "kernel.json")
        self.socket_prefix = os.path.join(self.sockets, "k")
        self.font_list = self._write_font_list()

    def _write_font_list(self) -> str | None:
        manager = _font_manager()
        if manager is None:
            return None
        from matplotlib.font_manager import FontManager, json_dump

        path = os.path.join(self.root, f"fontlist-v{FontManager.__version__}.json")
        json_dump(manager, path)
        return path

    def wrap(self, command: list[str]) -> list[str]:
        """``command`` run inside the sandbox.

        ``sh`` ignores SIGINT before it becomes bwrap (an ignored signal stays
        ignored across exec), so the cell-timeout interrupt sent to the process
        group reaches the kernel, which installs its own handler, without
        killing bwrap.
        """
        from autograder.kernel import KERNEL_ENVIRONMENT

        environment = {name: os.environ[name] for name in _KEPT_VARIABLES if name in os.environ}
        # JPY_PARENT_PID=1: the kernel's parent is the sandbox's init, so ipykernel neither watches
        # it (bwrap --die-with-parent does) nor prints its "Ctrl-C will not work" banner.
        environment.update(KERNEL_ENVIRONMENT, HOME="/tmp", TMPDIR="/tmp", JPY_PARENT_PID="1",
                           MPLCONFIGDIR=_MATPLOTLIB_FOLDER, PYTHONPATH=os.pathsep.join(package_parents()),
                           PATH=os.pathsep.join([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]))
        arguments = [shutil.which("bwrap") or "bwrap", *_ISOLATION, *_system_mounts(),
                     "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
        for root in python_roots():
            arguments += ["--ro-bind", root, root]
        for path in self.readable:
            arguments += ["--ro-bind", path, path]
        if self.font_list:
            arguments += ["--ro-bind", self.font_list, f"{_MATPLOTLIB_FOLDER}/{os.path.basename(self.font_list)}"]
        arguments += ["--bind", self.sockets, self.sockets, "--bind", self.workdir, self.cwd,
                      "--remount-ro", "/", "--chdir", self.cwd, "--clearenv"]
        for name, value in sorted(environment.items()):
            arguments += ["--setenv", name, value]
        return ["/bin/sh", "-c", 'trap "" INT; exec "$0" "$@"', *arguments, "--", *command]

    def remove(self) -> None:
        """Delete the jail's folders (the kernel's copy of its working folder included)."""
        shutil.rmtree(self.root, ignore_errors=True)
