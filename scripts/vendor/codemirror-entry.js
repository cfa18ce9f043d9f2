export { basicSetup, EditorView } from "codemirror";
export { keymap, placeholder } from "@codemirror/view";
export { EditorState, Compartment, Prec } from "@codemirror/state";
export { StreamLanguage, HighlightStyle, syntaxHighlighting } from "@codemirror/language";
export { sparql } from "@codemirror/legacy-modes/mode/sparql";
export { linter, lintGutter, setDiagnostics, forceLinting } from "@codemirror/lint";
export { autocompletion, completeFromList } from "@codemirror/autocomplete";
export { tags } from "@lezer/highlight";
export { turtle } from "@codemirror/legacy-modes/mode/turtle";
