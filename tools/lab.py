"""Open the course in JupyterLab with the course's own settings.

``make lab`` runs ``python tools/lab.py``: JupyterLab starts on the repository,
shows the ``course/`` folder and opens a browser tab. The browser tests start
JupyterLab through the same code (:func:`lab_launch`), on a free port, without a
browser, in a throwaway copy of the repository.

What the launcher sets, and why:

- ``lab-settings/`` (in the repository) is JupyterLab's application settings
  directory: ``overrides.json`` changes the defaults (no news pop-up, no update
  check, every notebook cell rendered, line numbers) and ``page_config.json``
  disables the extension manager (it needs the network). A person's own
  preferences still win over these defaults.
- JupyterLab's user settings, workspaces and the server's runtime files go to a
  state directory inside the root (``.lab-state/``, ignored by git through its
  own ``.gitignore``), so the launcher never writes into the user's home.
- Extensions (nbgrader, ipywidgets) are still found where pip put them.
- The server's root is the repository (so nbgrader's formgrader finds the course
  directory) and it runs with the repository as its working directory, where
  nbgrader reads the repository's ``nbgrader_config.py``. Under it, a generated
  base config on ``JUPYTER_CONFIG_PATH`` applies the same builder as that file,
  :func:`autograder.config.repository_config` for the root (sources in
  ``solutions/``, released notebooks in ``course/``, the grader's limits, kernel
  and feedback rules), plus an nbgrader exchange in the state directory
  (nbgrader's default, /usr/local/share, is not writable); the root's own file
  is read after it.

Usage::

    python tools/lab.py                       # a person: browser opens on course/
    python tools/lab.py --port 8890 --no-browser --root /tmp/copy --token abc
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SETTINGS_DIR = REPO_ROOT / "lab-settings"
STATE_DIR_NAME = ".lab-state"
WELCOME_NOTEBOOK = "course/00_welcome/00_welcome.ipynb"

_DEFAULT_NBGRADER_CONFIG = """\
# Written by tools/lab.py: the course's nbgrader configuration for this root, from the same
# builder as the repository's nbgrader_config.py (read after this file).
import sys
if {repo!r} not in sys.path:
    sys.path.insert(0, {repo!r})
from autograder.config import repository_config
c = get_config()  # noqa: F821
c.merge(repository_config({root!r}))
c.Exchange.root = {exchange!r}
"""


@dataclass
class LabLaunch:
    """Everything needed to start JupyterLab: ``subprocess.Popen(argv, env=env, cwd=cwd)``.

    Attributes
    ----------
    argv : list of str
        The command line (``python -m jupyterlab ...``).
    env : dict of str to str
        The environment: the caller's, plus the settings, workspaces, runtime and
        config-path variables described in the module docstring.
    cwd : pathlib.Path
        The server's working directory (the root, where nbgrader reads its config).
    url : str or None
        ``http://127.0.0.1:<port>`` when a port was given, else None (chosen by
        the server).
    """

    argv: list[str]
    env: dict[str, str]
    cwd: Path
    url: str | None = None
    state_dir: Path | None = None


def _state_directories(root: Path) -> dict[str, Path]:
    """Create ``<root>/.lab-state/{user-settings,workspaces,runtime,config,exchange}`` (git-ignored)."""
    state = root / STATE_DIR_NAME
    parts = {name: state / name for name in ("user-settings", "workspaces", "runtime", "config", "exchange")}
    for path in parts.values():
        path.mkdir(parents=True, exist_ok=True)
    ignore = state / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# JupyterLab state written by tools/lab.py\n*\n", encoding="utf-8")
    parts["state"] = state
    return parts


def _default_url(root: Path) -> str:
    """The page a person lands on: the welcome chapter if released, else ``course/``."""
    if (root / WELCOME_NOTEBOOK).is_file():
        return f"/lab/tree/{WELCOME_NOTEBOOK}"
    if (root / "course").is_dir():
        return "/lab/tree/course"
    return "/lab"


def lab_launch(
    root: str | os.PathLike | None = None,
    *,
    port: int | None = None,
    token: str | None = None,
    open_browser: bool = True,
    settings_dir: str | os.PathLike | None = None,
    base_env: dict[str, str] | None = None,
    python: str | None = None,
    default_url: str | None = None,
) -> LabLaunch:
    """Build the command, environment and working directory that start the course's JupyterLab.

    Parameters
    ----------
    root : path, optional
        The course root (a checkout of this repository or a copy of it). Defaults
        to this repository.
    port : int, optional
        Port on 127.0.0.1; by default the server picks one from 8888 upward.
    token : str, optional
        Access token; by default the server makes one and prints the URL.
    open_browser : bool
        Whether the server opens a browser tab.
    settings_dir : path, optional
        The application settings directory; defaults to the repository's ``lab-settings/``.
    base_env : dict, optional
        The environment to extend; defaults to ``os.environ``.
    python : str, optional
        The interpreter that runs JupyterLab; defaults to ``sys.executable``.
    default_url : str, optional
        The page the browser opens; defaults to the welcome chapter (``/formgrader``
        opens nbgrader's formgrader, as ``python -m autograder formgrader`` does).

    Returns
    -------
    LabLaunch
    """
    root = Path(root if root is not None else REPO_ROOT).resolve()
    if not root.is_dir():
        raise ValueError(f"lab_launch: root must be an existing directory, got {str(root)!r}")
    if port is not None and (not isinstance(port, int) or not 0 < port < 65536):
        raise ValueError(f"lab_launch: port must be an int in 1..65535, got {port!r}")
    settings = Path(settings_dir if settings_dir is not None else SETTINGS_DIR).resolve()
    if not (settings / "overrides.json").is_file():
        raise ValueError(f"lab_launch: settings_dir must hold overrides.json, got {str(settings)!r}")

    dirs = _state_directories(root)
    python = python or sys.executable
    env = dict(os.environ if base_env is None else base_env)
    # nbgrader's gradebook runs `alembic` from the interpreter's bin directory
    # (make lab calls .venv/bin/python without activating the venv).
    bin_dir = str(Path(python).parent)
    env["PATH"] = os.pathsep.join([bin_dir] + [p for p in env.get("PATH", "").split(os.pathsep) if p and p != bin_dir])
    env["JUPYTERLAB_SETTINGS_DIR"] = str(dirs["user-settings"])
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(dirs["workspaces"])
    env["JUPYTER_RUNTIME_DIR"] = str(dirs["runtime"])
    # The course's nbgrader settings; the root's own nbgrader_config.py (read from the
    # working directory, after this one) applies the same builder.
    (dirs["config"] / "nbgrader_config.py").write_text(
        _DEFAULT_NBGRADER_CONFIG.format(repo=str(REPO_ROOT), root=str(root), exchange=str(dirs["exchange"])),
        encoding="utf-8",
    )
    extra = [str(dirs["config"])] + [p for p in env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p]
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(extra)

    argv = [
        python, "-m", "jupyterlab",
        f"--ServerApp.root_dir={root}",
        f"--ServerApp.default_url={default_url or _default_url(root)}",
        f"--LabApp.app_settings_dir={settings}",
        f"--LabApp.user_settings_dir={dirs['user-settings']}",
        f"--LabApp.workspaces_dir={dirs['workspaces']}",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.open_browser=" + ("True" if open_browser else "False"),
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--ServerApp.allow_root=True")  # containers and CI run as root
    url = None
    if port is not None:
        argv += [f"--ServerApp.port={port}", "--ServerApp.port_retries=0"]
        url = f"http://127.0.0.1:{port}"
    if token is not None:
        argv.append(f"--IdentityProvider.token={token}")
    return LabLaunch(argv=argv, env=env, cwd=root, url=url, state_dir=dirs["state"])


def main(argv: list[str] | None = None) -> int:
    """Command line: start JupyterLab on the course and wait until it is stopped (Ctrl+C)."""
    parser = argparse.ArgumentParser(description="Open the CNN course in JupyterLab with the course's settings.")
    parser.add_argument("--root", default=None, help="course root (default: this repository)")
    parser.add_argument("--port", type=int, default=None, help="port on 127.0.0.1 (default: 8888 or the next free one)")
    parser.add_argument("--token", default=None, help="access token (default: a random one)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    args = parser.parse_args(argv)
    try:
        launch = lab_launch(args.root, port=args.port, token=args.token, open_browser=not args.no_browser)
    except ValueError as error:
        parser.error(str(error))
    os.chdir(launch.cwd)
    os.execvpe(launch.argv[0], launch.argv, launch.env)
    return 0  # not reached: exec replaces this process


if __name__ == "__main__":
    sys.exit(main())
