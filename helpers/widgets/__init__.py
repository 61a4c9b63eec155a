"""Interactive explorers for the notebooks (ipywidgets): what draws and reacts, nothing that computes.

Every explorer comes in two forms, drawn by the same code: ``*_widget(...)`` returns an
ipywidgets box to display (sliders, buttons, a live figure), and ``plot_*(...)`` draws the
same picture once, as a static matplotlib figure, for places where widgets don't render
(GitHub, nbval, a PDF export).  What they show is computed elsewhere:
:mod:`helpers.pdf` (the PDF explorer), :mod:`helpers.perceptron` (the perceptron stepper),
:mod:`helpers.gradient_descent` (the learning-rate explorer).  The live figures redraw
through :class:`helpers.widgets.fast_figure.FastFigure`.
"""

from helpers.widgets.gradient_descent import learning_rate_widget, plot_learning_rates
from helpers.widgets.pdf_explorer import pdf_explorer_widget, plot_pdf_explorer
from helpers.widgets.perceptron import perceptron_stepper_widget, plot_perceptron_steps

__all__ = [
    "learning_rate_widget",
    "pdf_explorer_widget",
    "perceptron_stepper_widget",
    "plot_learning_rates",
    "plot_pdf_explorer",
    "plot_perceptron_steps",
]
