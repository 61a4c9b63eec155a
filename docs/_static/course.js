// The course website: what the theme leaves undone on a phone and for assistive technology.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Navigation: pydata-sphinx-theme and sphinx-book-theme attach their click handlers (open the
  // sidebar as a dialog on a phone, collapse it on a desktop) only to the first .primary-toggle /
  // .secondary-toggle of the page, a button hidden in this layout. The visible ones pass it on.
  for (const kind of ["primary", "secondary"]) {
    const [first, ...others] = document.querySelectorAll(`.${kind}-toggle`);
    for (const button of others) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        first.click();
      });
    }
  }

  // The primary sidebar (site title, search, the course's pages) as a landmark, so that nothing of the
  // page is outside one (axe: region).
  const sidebar = document.getElementById("pst-primary-sidebar");
  if (sidebar && !sidebar.hasAttribute("role")) {
    sidebar.setAttribute("role", "complementary");
    sidebar.setAttribute("aria-label", "The course");
  }

  // A table header cell with no text (a DataFrame's corner, an empty Markdown header) is no header.
  for (const th of document.querySelectorAll("article th")) {
    if (!th.textContent.trim() && !th.querySelector("img, svg")) {
      const td = document.createElement("td");
      for (const attribute of th.attributes) td.setAttribute(attribute.name, attribute.value);
      th.replaceWith(td);
    }
  }

  // A box that scrolls sideways shows a cue (course.css) and takes the keyboard's focus, so that it
  // can be scrolled without a mouse; its name says so to a screen reader.
  const boxes =
    'div.math, mjx-container[display="true"], .pst-scrollable-table-container, div.cell_output, div.highlight pre';
  const mark = () => {
    for (const box of document.querySelectorAll(boxes)) {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("course-scrolls", scrolls);
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "group");
        box.setAttribute("aria-label", "scrolls sideways");
      }
    }
  };
  mark();
  window.addEventListener("resize", mark);
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) MathJax.startup.promise.then(mark);
  window.addEventListener("load", mark);
});
