"""tools/lab.py: the launcher behind ``make lab`` applies the course's settings, never the home's."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "tools"))

from lab import SETTINGS_DIR, lab_launch  # noqa: E402


def _option(argv, name):
    values = [arg.split("=", 1)[1] for arg in argv if arg.startswith(f"--{name}=")]
    assert len(values) == 1, f"expected one --{name}= in {argv}"
    return values[0]


def test_launch_keeps_state_inside_the_root_and_reads_the_repository_settings(tmp_path):
    """Are user settings, workspaces and runtime files kept under <root>/.lab-state, git-ignored?"""
    (tmp_path / "course").mkdir()
    launch = lab_launch(tmp_path, port=8999, token="t", open_browser=False, base_env={"HOME": "/nonexistent", "PATH": "/usr/bin"})
    state = tmp_path / ".lab-state"
    assert launch.cwd == tmp_path.resolve()
    for variable, folder in [("JUPYTERLAB_SETTINGS_DIR", "user-settings"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
                             ("JUPYTER_RUNTIME_DIR", "runtime")]:
        assert Path(launch.env[variable]) == state.resolve() / folder
    assert (state / ".gitignore").read_text().splitlines()[-1] == "*"
    assert _option(launch.argv, "LabApp.app_settings_dir") == str(SETTINGS_DIR)
    assert _option(launch.argv, "ServerApp.root_dir") == str(tmp_path.resolve())
    assert _option(launch.argv, "ServerApp.default_url") == "/lab/tree/course"
    assert _option(launch.argv, "ServerApp.port") == "8999"
    assert _option(launch.argv, "ServerApp.open_browser") == "False"
    assert _option(launch.argv, "IdentityProvider.token") == "t"
    assert launch.env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)
    assert launch.env["HOME"] == "/nonexistent"


def test_launch_gives_nbgrader_the_course_config_under_the_roots_own_config(tmp_path):
    """Does nbgrader get the grader's own configuration for the root and a writable exchange, root's file last?"""
    from traitlets.config.loader import PyFileConfigLoader

    from autograder.config import repository_config

    launch = lab_launch(tmp_path, base_env={"JUPYTER_CONFIG_PATH": "/elsewhere"})
    config_dirs = launch.env["JUPYTER_CONFIG_PATH"].split(os.pathsep)
    assert config_dirs[1:] == ["/elsewhere"]
    config = PyFileConfigLoader("nbgrader_config.py", path=config_dirs[0]).load_config()
    expected = repository_config(tmp_path)
    assert config.CourseDirectory.root == str(tmp_path.resolve())
    assert (config.CourseDirectory.source_directory, config.CourseDirectory.release_directory) == ("solutions", "course")
    for section in ("CourseDirectory", "Execute", "CappedKernelManager", "Autograde", "GenerateFeedback"):
        assert config[section] == expected[section], section
    exchange = tmp_path.resolve() / ".lab-state" / "exchange"
    assert config.Exchange.root == str(exchange) and exchange.is_dir()
    assert launch.cwd == tmp_path.resolve(), "nbgrader reads the root's own nbgrader_config.py from the working directory"


def test_repository_settings_silence_the_news_and_render_every_cell():
    """Does lab-settings/overrides.json turn off the news and update check, and render every cell?"""
    overrides = json.loads((SETTINGS_DIR / "overrides.json").read_text())
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification == {"fetchNews": "false", "checkForUpdates": False}
    assert overrides["@jupyterlab/notebook-extension:tracker"]["windowingMode"] == "none"


@pytest.mark.parametrize("kwargs, message", [
    ({"root": "/no/such/dir"}, "root must be an existing directory"),
    ({"port": 0}, "port must be an int in 1..65535"),
    ({"port": "8888"}, "port must be an int in 1..65535"),
    ({"settings_dir": "/tmp"}, "settings_dir must hold overrides.json"),
])
def test_launch_rejects_bad_arguments_by_name(tmp_path, kwargs, message):
    """Does a bad root, port or settings folder give a ValueError naming it?"""
    kwargs = {"root": tmp_path, **kwargs}
    with pytest.raises(ValueError, match=message):
        lab_launch(kwargs.pop("root"), base_env={}, **kwargs)


@pytest.mark.browser
def test_running_lab_serves_the_course_settings(lab_server):
    """Does the running server (started like make lab) serve the course's defaults, not the schema's?"""
    settings = lab_server.api("GET", "/lab/api/settings/@jupyterlab/apputils-extension:notification")
    properties = settings["schema"]["properties"]
    assert properties["fetchNews"]["default"] == "false"
    assert properties["checkForUpdates"]["default"] is False
    tracker = lab_server.api("GET", "/lab/api/settings/@jupyterlab/notebook-extension:tracker")
    assert tracker["schema"]["properties"]["windowingMode"]["default"] == "none"
    home = Path(lab_server.log).parent
    assert not (home / ".jupyter" / "lab").exists(), "JupyterLab wrote settings or workspaces into HOME"
