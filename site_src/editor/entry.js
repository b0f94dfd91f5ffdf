/* Thinking in JAX — the code-cell editor: CodeMirror 6 with Python.
 *
 * Bundled at build time by esbuild (sitebuild/assets.py) into one script,
 * assets/tij/js/editor.js, that defines the global `TijEditor`. runner.js
 * loads it only when a reader first edits a cell. A classic script, not an ES
 * module, so editing also works on pages opened from file://.
 */
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, drawSelection, highlightActiveLine } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { bracketMatching, indentOnInput, syntaxHighlighting, HighlightStyle } from "@codemirror/language";
import { python } from "@codemirror/lang-python";
import { tags } from "@lezer/highlight";

// Material's own code colours, so the editor matches the highlighted cells in light and dark mode.
const materialColours = HighlightStyle.define([
  { tag: [tags.keyword, tags.controlKeyword, tags.definitionKeyword, tags.moduleKeyword, tags.operatorKeyword],
    color: "var(--md-code-hl-keyword-color)" },
  { tag: [tags.string, tags.special(tags.string)], color: "var(--md-code-hl-string-color)" },
  { tag: [tags.number, tags.bool, tags.null], color: "var(--md-code-hl-number-color)" },
  { tag: tags.comment, color: "var(--md-code-hl-comment-color)" },
  { tag: [tags.function(tags.variableName), tags.function(tags.definition(tags.variableName))],
    color: "var(--md-code-hl-function-color)" },
  { tag: [tags.className, tags.definition(tags.className)], color: "var(--md-code-hl-name-color)" },
  { tag: [tags.operator, tags.compareOperator, tags.arithmeticOperator], color: "var(--md-code-hl-operator-color)" },
  { tag: [tags.punctuation, tags.paren, tags.bracket], color: "var(--md-code-hl-punctuation-color)" },
  { tag: [tags.self, tags.constant(tags.variableName)], color: "var(--md-code-hl-constant-color)" },
]);

/**
 * An editor in `parent` holding `doc`. Shift+Enter calls `onRun`; Escape calls
 * `onLeave` (which moves focus out: Tab indents inside the editor, so Escape is
 * the keyboard way out); every change calls `onChange(text)`.
 */
export function createEditor(parent, doc, { onRun, onLeave, onChange, label }) {
  const own = keymap.of([
    { key: "Shift-Enter", preventDefault: true, run: () => { onRun(); return true; } },
    { key: "Escape", run: () => { onLeave(); return true; } },
  ]);
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        own,
        history(),
        drawSelection(),
        highlightActiveLine(),
        indentOnInput(),
        bracketMatching(),
        python(),
        syntaxHighlighting(materialColours),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.contentAttributes.of({ "aria-label": label }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange(update.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    view,
    getText: () => view.state.doc.toString(),
    setText: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    focus: () => view.focus(),
  };
}
