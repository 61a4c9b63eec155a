"""Interactive explorers for the notebooks (ipywidgets).

Every explorer comes in two forms: ``*_widget(...)`` returns an ipywidgets box to
display (sliders, buttons, a live figure), and ``plot_*(...)`` draws the same
picture once, as a static matplotlib figure, for places where widgets don't
render (GitHub, nbval, a PDF export).
"""
