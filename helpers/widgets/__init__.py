"""Interactive explorers for the notebooks (ipywidgets).

Every explorer comes in two forms: ``*_widget(...)`` returns an ipywidgets box to
display (sliders, buttons, a live figure), and ``plot_*(...)`` draws the same
picture once, as a static matplotlib figure, for places where widgets don't
render (GitHub, nbval, a PDF export).
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
