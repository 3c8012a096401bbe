"""What a person does in JupyterLab, as Playwright steps: open, Run All, save, drag, validate.

Every step waits for what a person would wait for (the kernel going idle, the
prompts losing their ``[*]``, the saved marker) with a deadline, and fails with a
message saying what it was waiting for.
"""

from __future__ import annotations

import json
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat

EXPLORER = ".cnnkit-explorer"
STATUS = ".cnnkit-status"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"

# What an explorer shows, as text: pictures (blob URLs change only when the kernel
# sends new bytes), the status line, HTML and Output widgets. Control read-outs are
# left out: a slider updates its own read-out without the kernel.
_SNAPSHOT_JS = """(explorer) => {
    const parts = [];
    explorer.querySelectorAll('img').forEach(img => parts.push(img.getAttribute('src') || ''));
    explorer.querySelectorAll('.widget-html-content, .widget-output, svg').forEach(
        node => parts.push(node.innerHTML));
    return parts.join('\\n');
}"""


@dataclass
class LabServer:
    """A running JupyterLab: base ``url``, ``token``, its ``root`` directory and log file."""

    url: str
    token: str
    root: Path
    log: Path

    def api(self, method: str, path: str) -> object:
        """Call the server's REST API; returns the decoded JSON (or None for an empty reply)."""
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as reply:
            body = reply.read()
        return json.loads(body) if body else None

    def shut_down_kernels(self) -> None:
        """End every session (and its kernel), so the next test has both cores."""
        for session in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{session['id']}")

    def last_error(self) -> str:
        """The last exception line of the server's log (``Name: message``), or ``""``."""
        import re

        lines = self.log.read_text(errors="replace").splitlines()
        errors = [line.strip() for line in lines if re.match(r"^\s*[A-Za-z_.]+(Error|Exception): ", line)]
        return errors[-1] if errors else ""

    def page_url(self, path: str) -> str:
        separator = "&" if "?" in path else "?"
        return f"{self.url}{path}{separator}token={self.token}"


def wait_for(condition, *, timeout: float, what: str, interval: float = 0.25):
    """Poll ``condition()`` until it returns a truthy value; AssertionError naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def open_notebook(page, server: LabServer, path: str, *, workspace: str) -> None:
    """Open ``path`` (relative to the server root) in a fresh workspace and wait for an idle kernel."""
    page.goto(server.page_url(f"/lab/workspaces/{workspace}/tree/{path}?reset"))
    page.locator(".jp-NotebookPanel .jp-Notebook").first.wait_for(state="visible", timeout=60_000)
    indicator = page.locator('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status="idle"]')
    indicator.first.wait_for(state="attached", timeout=90_000)
    time.sleep(1.0)  # the first idle comes before the kernel is fully wired to the page


def news_toasts(page) -> int:
    """How many notification toasts ask about or show Jupyter news."""
    return page.locator(".Toastify__toast", has_text="news").count()


def _menu_command(page, menu: str, command: str) -> None:
    """Click ``menu`` in the menu bar, then its item ``command`` once it is enabled."""
    page.locator(".lm-MenuBar-item", has_text=menu).first.click()
    item = page.locator(f'.lm-Menu-item[data-command="{command}"]').first
    item.wait_for(state="visible", timeout=10_000)
    wait_for(lambda: "lm-mod-disabled" not in (item.get_attribute("class") or ""), timeout=10,
             what=f"menu item {command} to be enabled")
    item.click()


def activate_notebook(page) -> None:
    """Click the first cell's prompt, so the notebook is JupyterLab's current widget (command mode)."""
    page.locator(".jp-NotebookPanel .jp-Cell .jp-InputPrompt").first.click()


def _prompts(page) -> list[str]:
    return page.locator(".jp-NotebookPanel .jp-CodeCell .jp-InputPrompt").all_inner_texts()


def run_all(page, *, timeout: float) -> None:
    """Run ▸ Run All Cells, then wait until no prompt shows ``[*]`` and the kernel is idle."""
    def started():
        return any("*" in p or any(c.isdigit() for c in p) for p in _prompts(page))

    for attempt in range(3):
        activate_notebook(page)
        try:
            _menu_command(page, "Run", "runmenu:run-all")
            wait_for(started, timeout=20, what="the first cell to start running")
            break
        except AssertionError:
            page.keyboard.press("Escape")
            if attempt == 2:
                raise

    def finished():
        idle = page.locator('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status="idle"]').count() > 0
        return idle and not any("*" in prompt for prompt in _prompts(page))

    wait_for(finished, timeout=timeout, what="Run All to finish (prompts still show [*])", interval=0.5)
    time.sleep(0.5)
    wait_for(finished, timeout=timeout, what="Run All to finish (second look)", interval=0.5)


def save(page) -> None:
    """File ▸ Save Notebook, then wait for the tab to lose its unsaved-changes mark."""
    _menu_command(page, "File", "docmanager:save")
    wait_for(lambda: page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").count() == 0,
             timeout=30, what="the notebook to be saved")


def cell_errors(notebook) -> list[dict]:
    """Error outputs of a saved notebook: index, grade_id, whether a test or answer cell, ``ename: evalue``."""
    errors = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors.append({
                    "cell": index,
                    "grade_id": meta.get("grade_id"),
                    "test_cell": bool(meta.get("grade")) and not meta.get("solution", False),
                    "answer_cell": bool(meta.get("solution", False)),
                    "error": f"{output.get('ename')}: {output.get('evalue')}",
                })
    return errors


def unexecuted_cells(notebook) -> list[int]:
    """Indices of non-empty code cells with no execution count in a saved notebook."""
    return [i for i, cell in enumerate(notebook.cells)
            if cell.cell_type == "code" and cell.source.strip() and cell.get("execution_count") is None]


def widget_view_count(notebook) -> int:
    """How many widget views the saved notebook's outputs hold."""
    return sum(
        1 for cell in notebook.cells if cell.cell_type == "code"
        for output in cell.get("outputs", []) if WIDGET_VIEW_MIME in output.get("data", {})
    )


def read_saved(server: LabServer, path: str):
    return nbformat.read(server.root / path, as_version=4)


def broken_widget_views(page) -> list[str]:
    """Widget views in the page that are empty, zero-sized, still loading or show an error."""
    return page.evaluate("""() => {
        const problems = [];
        document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea-output').forEach((output, i) => {
            const widget = output.querySelector('.jupyter-widgets, .widget-error, .jupyter-widget-error');
            const text = output.innerText || '';
            if (!widget && !text.includes('Loading widget') && !text.includes('Error displaying widget')) return;
            const box = output.getBoundingClientRect();
            if (text.includes('Error displaying widget')) problems.push(`output ${i}: ${text.slice(0, 200)}`);
            else if (text.includes('Loading widget')) problems.push(`output ${i}: still "Loading widget..."`);
            else if (box.width < 2 || box.height < 2) problems.push(`output ${i}: widget view has no size`);
            else if (!output.querySelector('.jupyter-widgets').children.length) problems.push(`output ${i}: empty widget view`);
        });
        return problems;
    }""")


def rendered_widget_views(page) -> int:
    """How many output areas in the page hold a rendered widget view."""
    return page.locator(".jp-NotebookPanel .jp-OutputArea-output:has(> .jupyter-widgets)").count()


def explorers(page):
    """Locator of every cnnkit explorer shown in the open notebook."""
    return page.locator(f".jp-NotebookPanel {EXPLORER}")


def snapshot(explorer) -> str:
    """What an explorer shows (pictures, status, HTML/Output widgets), as one string."""
    return explorer.evaluate(_SNAPSHOT_JS)


def kernel_idle(page) -> bool:
    """Whether the open notebook's kernel reports idle."""
    return page.locator('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status="idle"]').count() > 0


def settle(page, explorer, *, timeout: float, quiet: float = 1.5) -> str:
    """Wait until the kernel is idle and what the explorer shows has not changed for ``quiet`` s."""
    deadline = time.monotonic() + timeout
    previous, stable_since = snapshot(explorer), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.25)
        current = snapshot(explorer)
        if current != previous or not kernel_idle(page):
            previous, stable_since = current, time.monotonic()
        elif time.monotonic() - stable_since >= quiet:
            break
    return previous


def _wait_change(page, explorer, before: str, timeout: float) -> bool:
    """Whether what the explorer shows changes within ``timeout`` s (then waits until it settles)."""
    try:
        wait_for(lambda: snapshot(explorer) != before, timeout=timeout, what="the explorer to change")
    except AssertionError:
        return False
    settle(page, explorer, timeout=timeout)
    return True


def screenshot(page, explorer, path) -> None:
    """Save the whole explorer as a PNG, growing the window when it is taller than the screen."""
    height = explorer.evaluate("e => e.getBoundingClientRect().height")
    size = page.viewport_size
    if height + 250 > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": int(height) + 250})
        time.sleep(0.5)
    explorer.scroll_into_view_if_needed()
    explorer.screenshot(path=str(path))
    page.set_viewport_size(size)


def drive_explorer(page, explorer, *, timeout: float = 20) -> str:
    """Key a slider (or pick another dropdown option) until what the explorer shows changes.

    Returns a description of the control that made the kernel answer; raises
    AssertionError when no control changed anything within ``timeout`` seconds each.
    """
    tried = []
    handles = explorer.locator(".widget-slider .noUi-handle")
    for i in range(handles.count()):
        handle = handles.nth(i)
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        for key in (("ArrowLeft", "ArrowRight") if at_max else ("ArrowRight", "ArrowLeft")):
            before = settle(page, explorer, timeout=timeout)
            handle.focus()
            handle.press(key)
            if _wait_change(page, explorer, before, timeout):
                return f"slider {i} ({key})"
            tried.append(f"slider {i} {key}")
    selects = explorer.locator(".widget-dropdown select")
    for i in range(selects.count()):
        select = selects.nth(i)
        options = select.locator("option").all_inner_texts()
        current = select.input_value()
        values = select.evaluate("s => Array.from(s.options).map(o => o.value)")
        others = [v for v in values if v != current]
        if not others:
            continue
        before = snapshot(explorer)
        select.select_option(others[0])
        if _wait_change(page, explorer, before, timeout):
            return f"dropdown {i} ({options[values.index(others[0])]})"
        tried.append(f"dropdown {i}")
    buttons = explorer.locator(".widget-toggle-button:not(.mod-active)")
    if buttons.count():
        before = snapshot(explorer)
        buttons.first.click()
        if _wait_change(page, explorer, before, timeout):
            return "toggle button"
        tried.append("toggle button")
    raise AssertionError(
        "no control of the explorer changed what it shows "
        f"(tried: {', '.join(tried) or 'nothing: it has no slider, dropdown or toggle buttons'})"
    )


def press_validate(page, *, timeout: float) -> tuple[str, str]:
    """Press nbgrader's Validate button; return ``("success" | "failed" | "error", dialog text)``."""
    page.locator(".jp-NotebookPanel-toolbar .validate-button").first.click()
    dialog = page.locator(".jp-Dialog", has_text="Validation Results")
    dialog.wait_for(state="visible", timeout=timeout * 1000)
    text = dialog.inner_text()
    if dialog.locator(".validation-success").count():
        verdict = "success"
    elif dialog.locator(".validation-failed").count():
        verdict = "failed"
    else:
        verdict = "error"
    dialog.locator(".jp-Dialog-button").last.click()
    return verdict, text
