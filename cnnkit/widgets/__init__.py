"""ipywidgets explorers of the course, one module per explorer.

Importing this package does not import ipywidgets; each explorer imports it when
it is built, so ``import cnnkit`` stays light and works without a browser.
"""
