"""Known mistakes, one module per chapter topic, for the hidden tests' diagnosis.

Each module (``convolution``, ``padding_stride``, ``pooling``, ``backprop``,
``conv1x1``, ``transposed``, ``lenet``, ``beyond_2d``) exports one dict per exercise,
``{description: function}``. A function takes the same arguments as the cnnkit
reference and returns what a learner's plausible wrong version returns; the
description completes the sentence "your output equals what you get when ...",
in the learner's words ("the kernel is not flipped (that is cross-correlation)").

A hidden test passes the dict to :func:`cnnkit.checking.check_function`::

    from cnnkit.mistakes import pooling as known
    check.check_function(max_pool2d, cnnkit.max_pool2d, cases, name="max_pool2d",
                         mistakes=known.MAX_POOL2D)

Every mistake stands for a wrong entry of the chapter's bank (``tests/banks/``),
and ``tests/cnnkit/test_mistakes_<topic>.py`` proves it reproduces that entry.
"""
