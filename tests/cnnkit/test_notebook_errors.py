"""A syntax error in an exercise cell: do the test cells below say so instead of a bare NameError?"""

from __future__ import annotations

import nbclient
import nbformat
import pytest

from cnnkit.notebook_errors import explain_undefined_name


def test_the_last_defining_cell_with_a_syntax_error_is_named_with_line_and_message():
    """Is the line, Python's message and the code of the broken cell given?"""
    cells = ["def corr2d(x, k):\n    return x\n", "import numpy as np\n",
             "def corr2d(x, k):\n    kh, kw = k.shape\n    for i in range(3)\n        pass\n"]
    reason = explain_undefined_name("corr2d", cells)
    assert reason == ("the cell where you define corr2d has a SyntaxError on line 3 (expected ':'): "
                      "`for i in range(3)`. Fix that cell and run it again.")


@pytest.mark.parametrize("cells", [
    [],                                                      # never written
    ["def corr2d(x, k):\n    return x\n"],                   # compiles: the name is undefined for another reason
    ["def corr2d_loops(x, k):\n    return x +\n"],           # a longer name is another function
    ["def corr2d(x, k):\n    return x +\n", "def corr2d(x, k):\n    return x\n"],  # fixed later
])
def test_no_explanation_when_the_definition_is_not_broken(cells):
    """Does it stay silent unless the last cell defining the name fails to compile?"""
    assert explain_undefined_name("corr2d", cells) is None


def test_answers_classes_indentation_and_magics():
    """Are `answer_x = ...`, classes and IndentationError covered, and %magics not taken for errors?"""
    assert "SyntaxError on line 1" in explain_undefined_name("answer_shape", ["answer_shape = (8, 16,"])
    assert "IndentationError on line 3" in explain_undefined_name(
        "ReLU", ["class ReLU:\n    def forward(self, x):\n    return x\n"])
    magic = "%matplotlib inline\ndef f():\n    return 1\n"
    assert explain_undefined_name("f", [magic], transform=lambda s: s.replace("%matplotlib inline", "")) is None


def test_a_real_kernel_reports_the_syntax_error_in_the_test_cell():
    """In a real IPython kernel, does the test cell's NameError carry the explanation, and only there?"""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in [
        "%matplotlib inline\nimport numpy as np\nimport cnnkit.checking as check",
        "def corr2d(x, k):\n    out = np.zeros((2, 2)\n    return out",
        "check.assert_close(corr2d(np.ones((2, 2)), np.ones((1, 1))), np.ones((2, 2)))",
        "def helper():\n    return undefined_inside\nhelper()",
        "print(never_defined)",
    ]]
    nbclient.NotebookClient(nb, timeout=60, allow_errors=True, kernel_name="python3").execute()
    errors = [(o.ename, o.evalue) for cell in nb.cells for o in cell.outputs if o.output_type == "error"]
    assert errors[0][0] == "SyntaxError"
    assert errors[1] == ("NameError", "name 'corr2d' is not defined: the cell where you define corr2d has a "
                         "SyntaxError on line 2 ('(' was never closed): `out = np.zeros((2, 2)`. "
                         "Fix that cell and run it again.")
    assert errors[2] == ("NameError", "name 'undefined_inside' is not defined")
    assert errors[3] == ("NameError", "name 'never_defined' is not defined")
