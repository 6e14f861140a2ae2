/*
 * The rich-text editor (django-prose-editor) in Chinese, wherever it appears (the
 * admin's issue and meeting forms, the units' 信息报送 form): loaded with the editor by
 * the widget (bulletins/html.py) after the site's JavaScript catalogue (/jsi18n/).
 *
 * The editor builds its toolbar with English titles that it never passes through
 * gettext; they are translated here through the catalogue (djangojs domain, locale/),
 * whose strings are listed in EDITOR_LABELS so that makemessages keeps them (the
 * editor's dialogs ask window.gettext themselves). The editing area gets the name of
 * its field's label, which the editor leaves unnamed.
 */
(function () {
  "use strict";
  const noop = (s) => s;
  const gettext_noop = window.gettext_noop || noop;

  const EDITOR_LABELS = [
    gettext_noop("paragraph"),
    gettext_noop("Paragraph"),
    gettext_noop("Heading 1"),
    gettext_noop("Heading 2"),
    gettext_noop("Heading 3"),
    gettext_noop("Heading 4"),
    gettext_noop("Heading 5"),
    gettext_noop("Heading 6"),
    gettext_noop("heading 1"),
    gettext_noop("heading 2"),
    gettext_noop("heading 3"),
    gettext_noop("heading 4"),
    gettext_noop("heading 5"),
    gettext_noop("heading 6"),
    gettext_noop("unordered list"),
    gettext_noop("ordered list"),
    gettext_noop("List properties"),
    gettext_noop("blockquote"),
    gettext_noop("horizontal rule"),
    gettext_noop("bold"),
    gettext_noop("italic"),
    gettext_noop("underline"),
    gettext_noop("strike"),
    gettext_noop("subscript"),
    gettext_noop("superscript"),
    gettext_noop("insert link"),
    gettext_noop("remove link"),
    gettext_noop("Insert table"),
    gettext_noop("Add column"),
    gettext_noop("Delete column"),
    gettext_noop("Add row"),
    gettext_noop("Delete row"),
    gettext_noop("Merge cells"),
    gettext_noop("Split cell"),
    gettext_noop("Toggle header cell"),
    gettext_noop("Delete table"),
    gettext_noop("undo"),
    gettext_noop("redo"),
    gettext_noop("edit HTML"),
    gettext_noop("figure"),
    gettext_noop("Code"),
    gettext_noop("Code block"),
    // The editor's dialogs ask window.gettext for these themselves.
    gettext_noop("Cancel"),
    gettext_noop("Insert"),
    gettext_noop("Update"),
    gettext_noop("URL"),
    gettext_noop("Title"),
    gettext_noop("Edit Link"),
    gettext_noop("Open in new window"),
    gettext_noop("Edit HTML"),
    gettext_noop("Prettify"),
    gettext_noop("The HTML contents of the editor. Note that the allowed HTML is restricted by the editor schema."),
    gettext_noop("Insert Table"),
    gettext_noop("Table Properties"),
    gettext_noop("Rows"),
    gettext_noop("Columns"),
    gettext_noop("Include header row"),
    gettext_noop("Image URL"),
    gettext_noop("Alternative Text"),
    gettext_noop("Caption"),
    gettext_noop("Add caption"),
    gettext_noop("Remove caption"),
    gettext_noop("Edit Figure"),
    gettext_noop("Insert Figure"),
    gettext_noop("Edit Image"),
    gettext_noop("Browse..."),
    gettext_noop("Start at"),
    gettext_noop("List type"),
    gettext_noop("Decimal numbers"),
    gettext_noop("Lowercase letters"),
    gettext_noop("Uppercase letters"),
    gettext_noop("Lowercase Roman numerals"),
    gettext_noop("Uppercase Roman numerals"),
    gettext_noop("Bullets"),
    gettext_noop("Toggle fullscreen"),
  ];

  const known = new Set(EDITOR_LABELS);
  function translated(text) {
    const gettext = window.gettext || noop;
    return known.has(text) ? gettext(text) : text;
  }

  function translateButton(button) {
    const current = button.getAttribute("title");
    const original = known.has(current) ? current : button.dataset.i18nTitle || current;
    if (!original) return;
    button.dataset.i18nTitle = original;
    const label = translated(original);
    if (button.getAttribute("title") !== label) button.setAttribute("title", label);
    if (button.hasAttribute("aria-label") && button.getAttribute("aria-label") !== label) {
      button.setAttribute("aria-label", label);
    }
  }

  function translateOption(option) {
    const target = option.firstElementChild || option;
    const original = option.dataset.i18nText || target.textContent;
    option.dataset.i18nText = original;
    const label = translated(original);
    if (target.textContent !== label) target.textContent = label;
  }

  function nameEditingArea(editor) {
    const textarea = editor.querySelector("textarea[id]");
    const area = editor.querySelector("[contenteditable=true]");
    if (!textarea || !area || area.hasAttribute("aria-labelledby")) return;
    const label = document.querySelector(`label[for="${textarea.id}"]`);
    if (!label) return;
    if (!label.id) label.id = `${textarea.id}-label`;
    area.setAttribute("aria-labelledby", label.id);
  }

  function fix(root) {
    root.querySelectorAll(".prose-menubar__button[title]").forEach(translateButton);
    root.querySelectorAll(".prose-menubar__option").forEach(translateOption);
    root.querySelectorAll(".prose-editor").forEach(nameEditingArea);
  }

  let pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(() => {
      pending = false;
      fix(document);
    });
  }

  function start() {
    fix(document);
    new MutationObserver(schedule).observe(document.body, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["title"],
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
