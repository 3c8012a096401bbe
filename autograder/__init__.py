"""autograder: nbgrader configuration and the instructor CLI of the CNN course."""

import sys

# jsonschema (which nbformat, and so nbgrader, imports) imports rfc3987-syntax when it is
# installed (jupyter-events pulls it in) and compiles its 38 lark grammars on import: 1.3-1.8 s of
# CPU in every grading process, the parent, each worker and each Dask task's first import, for
# the "iri" string formats no notebook or gradebook schema uses. A None entry makes that optional
# import fail at once, as if the package were absent; jsonschema then simply skips those formats.
sys.modules.setdefault("rfc3987_syntax", None)
