"""Matplotlib figures used by the chapters, one module per kind of picture.

Import the module you need, e.g. ``from cnnkit.plotting import grids``; this
package imports none of them, so each chapter pays only for what it draws.

- :mod:`cnnkit.plotting.images` -- photos, their channels, images side by side;
- :mod:`cnnkit.plotting.grids` -- small matrices with their numbers (``draw_matrix``): a
  sliding window, a padded input with every window position, a pooling window;
- :mod:`cnnkit.plotting.volumes` -- a multi-channel convolution as blocks: input, kernel, outputs;
- :mod:`cnnkit.plotting.backprop` -- rows of small annotated grids with framed cells: where a
  gradient goes (``draw_grid`` is ``draw_matrix`` with the gradient pictures' choices);
- :mod:`cnnkit.plotting.transposed` -- transposed convolution: the scatter-add, overlap
  counts, the checkerboard;
- :mod:`cnnkit.plotting.training` -- chapter 07: training curves, confusion matrix, learned
  filters, feature maps.
"""
