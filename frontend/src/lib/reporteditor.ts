// A CodeMirror 6 editor bound to a sharedb text-unicode doc, with the
// cursors and selections of the others drawn from doc presence.
//
// Local changes become ops in code points (src/lib/textops.ts); remote ops
// become transactions annotated Transaction.remote, which the binding does
// not send back. The editor lives in a shadow root so that CodeMirror's
// styles go to an adopted stylesheet rather than a <style> element, which the
// Content-Security-Policy (style-src 'self') would block.

import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { markdown } from '@codemirror/lang-markdown';
import { EditorState, StateEffect, StateField, Transaction, type Extension, type Range } from '@codemirror/state';
import { Decoration, EditorView, keymap, WidgetType, type DecorationSet } from '@codemirror/view';
import type { Doc, DocPresence, LocalPresence } from 'sharedb/lib/client/index.js';
import { colorOf, type ReportPresence } from './reportsync';
import { changesToOp, codePoints, opToChanges, utf16Offset, type TextOp, type Utf16Change } from './textops';

export interface RemoteCursor {
  key: string;
  name: string;
  color: number;
  /** UTF-16 offsets in the editor's text. */
  anchor: number;
  head: number;
}

class CaretWidget extends WidgetType {
  constructor(
    readonly name: string,
    readonly color: number,
  ) {
    super();
  }
  eq(other: CaretWidget): boolean {
    return other.name === this.name && other.color === this.color;
  }
  toDOM(): HTMLElement {
    const caret = document.createElement('span');
    caret.className = `cm-remote-caret cm-remote-c${this.color}`;
    const label = document.createElement('span');
    label.className = 'cm-remote-name';
    label.textContent = this.name;
    caret.append(label);
    return caret;
  }
  ignoreEvent(): boolean {
    return true;
  }
}

const setRemote = StateEffect.define<RemoteCursor[]>();

function decorate(cursors: RemoteCursor[], len: number): DecorationSet {
  const ranges: Range<Decoration>[] = [];
  for (const c of cursors) {
    const anchor = Math.min(c.anchor, len);
    const head = Math.min(c.head, len);
    const from = Math.min(anchor, head);
    const to = Math.max(anchor, head);
    if (from < to) ranges.push(Decoration.mark({ class: `cm-remote-sel cm-remote-c${c.color}` }).range(from, to));
    ranges.push(Decoration.widget({ widget: new CaretWidget(c.name, c.color), side: 1 }).range(head));
  }
  return Decoration.set(ranges, true);
}

const remoteCursors = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(set, tr) {
    for (const e of tr.effects) if (e.is(setRemote)) return decorate(e.value, tr.state.doc.length);
    return set.map(tr.changes);
  },
  provide: (f) => EditorView.decorations.from(f),
});

/** Dark enough for white text (contrast at least 4.5:1) and visible as a caret. */
const PALETTE = ['#b42318', '#1d4ed8', '#047857', '#7e22ce', '#a14a07', '#0e7490'];

function colorRules(): Record<string, Record<string, string>> {
  const rules: Record<string, Record<string, string>> = {};
  PALETTE.forEach((c, i) => {
    rules[`.cm-remote-caret.cm-remote-c${i}`] = { borderInlineStartColor: c };
    rules[`.cm-remote-c${i} .cm-remote-name`] = { backgroundColor: c };
    rules[`.cm-remote-sel.cm-remote-c${i}`] = { backgroundColor: `${c}2e` };
  });
  return rules;
}

const theme = EditorView.theme({
  '&': {
    fontSize: '1rem',
    border: '1px solid var(--border, #c8ccd2)',
    borderRadius: 'var(--radius, 6px)',
    backgroundColor: 'var(--surface, #fff)',
    color: 'var(--text, #1b1f24)',
    minBlockSize: '24rem',
  },
  '&.cm-focused': { outline: '3px solid var(--focus, #2563eb)', outlineOffset: '2px' },
  '.cm-scroller': { fontFamily: 'inherit', lineHeight: '1.6', minBlockSize: '24rem' },
  '.cm-content': { padding: '1rem', caretColor: 'var(--text, #1b1f24)' },
  '.cm-remote-caret': {
    position: 'relative',
    borderInlineStart: '2px solid',
    marginInline: '-1px',
  },
  '.cm-remote-name': {
    position: 'absolute',
    insetBlockEnd: '100%',
    insetInlineStart: '-2px',
    fontSize: '0.72rem',
    lineHeight: '1.2',
    fontWeight: '600',
    padding: '0 0.3rem',
    borderRadius: '3px',
    whiteSpace: 'nowrap',
    color: '#fff',
    pointerEvents: 'none',
    userSelect: 'none',
  },
  ...colorRules(),
});

export interface BindOptions {
  /** The element the shadow root is attached to. */
  host: HTMLElement;
  doc: Doc;
  presence: DocPresence;
  /** Whether this person may edit (can_edit); otherwise the editor is read-only and sends no cursor. */
  editable: boolean;
  /** The accessible name of the text area. */
  label: string;
  /** Right-to-left pages get a right-to-left editor. */
  dir: 'ltr' | 'rtl';
  /** Called after each local op was submitted. */
  onLocalOp: () => void;
}

export interface BoundEditor {
  view: EditorView;
  destroy(): void;
}

const LOCAL = { local: true };

/** bindEditor makes an editor on host showing doc (subscribed, of type text-unicode) and keeps the two in step. */
export function bindEditor(o: BindOptions): BoundEditor {
  const root = o.host.shadowRoot ?? o.host.attachShadow({ mode: 'open' });
  const parent = document.createElement('div');
  root.replaceChildren(parent);
  let local: LocalPresence | null = o.editable ? o.presence.create() : null;

  const sendSelection = (view: EditorView) => {
    if (!local) return;
    const text = view.state.doc.toString();
    const { anchor, head } = view.state.selection.main;
    local.submit({ sel: [codePoints(text, 0, anchor), codePoints(text, 0, head)] } satisfies ReportPresence, () => {});
  };

  const extensions: Extension[] = [
    history(),
    keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
    markdown(),
    EditorView.lineWrapping,
    remoteCursors,
    theme,
    EditorState.readOnly.of(!o.editable),
    EditorView.contentAttributes.of({
      'aria-label': o.label,
      dir: o.dir,
      ...(o.editable ? {} : { 'aria-readonly': 'true' }),
    }),
    EditorView.updateListener.of((u) => {
      for (const tr of u.transactions) {
        if (!tr.docChanged || tr.annotation(Transaction.remote)) continue;
        const changes: Utf16Change[] = [];
        tr.changes.iterChanges((fromA, toA, _fromB, _toB, inserted) => {
          changes.push({ from: fromA, to: toA, insert: inserted.toString() });
        });
        const op = changesToOp(tr.startState.doc.toString(), changes);
        if (op) {
          o.doc.submitOp(op, { source: LOCAL });
          o.onLocalOp();
        }
      }
      if (u.selectionSet || u.docChanged || u.focusChanged) {
        if (u.view.hasFocus) sendSelection(u.view);
      }
    }),
  ];

  const view = new EditorView({
    root,
    parent,
    state: EditorState.create({ doc: String(o.doc.data ?? ''), extensions }),
  });

  const showRemote = () => {
    const text = view.state.doc.toString();
    const cursors: RemoteCursor[] = [];
    for (const [key, raw] of Object.entries(o.presence.remotePresences)) {
      const v = raw as ReportPresence | null;
      if (!v || !Array.isArray(v.sel) || !v.user) continue;
      cursors.push({
        key,
        name: v.user.name,
        color: colorOf(v.user.id),
        anchor: utf16Offset(text, v.sel[0]),
        head: utf16Offset(text, v.sel[1]),
      });
    }
    view.dispatch({ effects: setRemote.of(cursors) });
  };

  const onOp = (op: TextOp, source: unknown) => {
    if (source === LOCAL) return;
    const changes = opToChanges(view.state.doc.toString(), op);
    view.dispatch({ changes, annotations: [Transaction.remote.of(true), Transaction.addToHistory.of(false)] });
  };
  // A hard rollback (or a fresh snapshot) replaces the whole text.
  const onLoad = () => {
    const text = String(o.doc.data ?? '');
    if (text === view.state.doc.toString()) return;
    view.dispatch({
      changes: { from: 0, to: view.state.doc.length, insert: text },
      annotations: [Transaction.remote.of(true), Transaction.addToHistory.of(false)],
    });
  };
  o.doc.on('op', onOp);
  o.doc.on('load', onLoad);
  o.presence.on('receive', showRemote);
  showRemote();

  return {
    view,
    destroy() {
      o.doc.off('op', onOp);
      o.doc.off('load', onLoad);
      o.presence.off('receive', showRemote);
      local?.destroy(() => {});
      local = null;
      view.destroy();
    },
  };
}
