/*
 * What Django's admin scripts leave in English or unnamed, on every admin page
 * (templates/admin/base_site.html).
 *
 * - DJANGO_ADMIN_STRINGS lists messages of the admin's scripts that Django's own
 *   zh_Hans catalogue lacks (the 抄送单位 picker's help and links); listed here so that
 *   makemessages keeps them in the project's catalogue (locale/, djangojs domain).
 * - The yes/no icons' alt text (True, False, None) is translated.
 * - The filter_horizontal picker puts an aria-label on a bare <span> (a role is needed
 *   for a name): it becomes an image with that name.
 * - Form controls in tables (tabular inlines, list_editable columns) have no <label>:
 *   each is named after its column's header.
 * - The autocomplete boxes (select2) are named after their field's label, and the two
 *   boxes of a date-and-time field after the label and their part (日期, 时间).
 */
(function () {
  "use strict";
  const gettext_noop = window.gettext_noop || ((s) => s);

  const DJANGO_ADMIN_STRINGS = [
    gettext_noop('Choose %s by selecting them and then select the "Choose" arrow button.'),
    gettext_noop('Remove %s by selecting them and then select the "Remove" arrow button.'),
    gettext_noop("Choose all %s"),
    gettext_noop("Remove all %s"),
    gettext_noop("Choose selected %s"),
    gettext_noop("Remove selected %s"),
    gettext_noop("(click to clear)"),
    // Django writes the alt text of its yes/no icons in English, untranslated.
    gettext_noop("Yes"),
    gettext_noop("No"),
    gettext_noop("Unknown"),
  ];
  const ICON_TEXT = { True: "Yes", False: "No", None: "Unknown" };

  // Read by makemessages only: the admin's own scripts ask for these strings.
  void DJANGO_ADMIN_STRINGS;

  function unnamed(control) {
    return !(control.labels && control.labels.length) &&
      !control.getAttribute("aria-label") && !control.getAttribute("aria-labelledby");
  }

  function nameTableControls(table) {
    const heads = [];
    const headRow = table.tHead && table.tHead.rows[0];
    if (!headRow) return;
    for (const th of headRow.cells) {
      // A sortable column's header also holds its sort priority; its name is in .text.
      const name = (th.querySelector(".text") || th).textContent.replace(/\s+/g, " ").trim();
      for (let i = 0; i < th.colSpan; i++) heads.push(name);
    }
    for (const row of table.tBodies.length ? table.tBodies[0].rows : []) {
      let column = 0;
      for (const cell of row.cells) {
        const name = heads[column];
        column += cell.colSpan;
        if (!name) continue;
        cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach((control) => {
          if (unnamed(control)) control.setAttribute("aria-label", name);
        });
      }
    }
  }

  // select2 names its box after the chosen value only (empty until one is chosen), and
  // its list of chosen values also holds a clear button, which a list may not hold.
  function nameAutocompletes() {
    document.querySelectorAll("select.admin-autocomplete[id]").forEach((select) => {
      const label = document.querySelector(`label[for="${select.id}"]`);
      const box = select.nextElementSibling;
      if (!label || !box) return;
      const name = label.textContent.replace(/[:：]\s*$/, "").trim();
      box.querySelectorAll(".select2-selection, span.select2-selection__rendered, .select2-search__field")
        .forEach((el) => {
          if (el.getAttribute("aria-label") !== name) el.setAttribute("aria-label", name);
        });
      box.querySelectorAll("ul.select2-selection__rendered").forEach((list) => {
        list.removeAttribute("aria-labelledby");
        if (list.getAttribute("role") !== "presentation") list.setAttribute("role", "presentation");
      });
    });
  }

  // A date-and-time field has one label for its two boxes, each preceded by its part's name.
  function nameSplitDateTimes() {
    document.querySelectorAll("p.datetime").forEach((p) => {
      const row = p.closest(".form-row, .fieldBox");
      const label = row && row.querySelector("label");
      p.querySelectorAll("input:not([type=hidden])").forEach((input) => {
        if (!unnamed(input)) return;
        const part = input.previousSibling ? input.previousSibling.textContent : "";
        const name = [label ? label.textContent : "", part].join(" ");
        input.setAttribute("aria-label", name.replace(/[:：\s]+/g, " ").trim());
      });
    });
  }

  function translateYesNoIcons() {
    const gettext = window.gettext || ((s) => s);
    document.querySelectorAll('img[src*="/admin/img/icon-"][alt]').forEach((img) => {
      const english = ICON_TEXT[img.getAttribute("alt")];
      if (english) img.setAttribute("alt", gettext(english));
    });
  }

  function fix() {
    translateYesNoIcons();
    document.querySelectorAll("span[aria-label]:not([role])").forEach((span) => {
      span.setAttribute("role", "img");
    });
    document.querySelectorAll("table").forEach(nameTableControls);
    nameAutocompletes();
    nameSplitDateTimes();
  }

  function start() {
    fix();
    let pending = false;
    new MutationObserver(() => {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(() => {
        pending = false;
        fix();
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
