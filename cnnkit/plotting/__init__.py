"""Matplotlib figures used by the chapters, one module per kind of picture.

Import the module you need, e.g. ``from cnnkit.plotting import grids``; this
package imports none of them, so each chapter pays only for what it draws.

- :mod:`cnnkit.plotting.images` -- photos, channels, image / kernel / feature map side by side;
- :mod:`cnnkit.plotting.grids` -- small matrices with their numbers: a sliding window,
  a padded input with every window position, a pooling window;
- :mod:`cnnkit.plotting.volumes` -- a multi-channel convolution as blocks: input, kernel, outputs.
"""
