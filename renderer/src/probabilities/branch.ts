/**
 * Branching: the writer picks another token where the model wrote one; that token replaces it and
 * the generated text after it, and the model continues from there, streaming into the document.
 * Typing anywhere stops the branch (its request is cancelled and nothing more is inserted).
 *
 * A branch is one undo step, like an accepted suggestion. CodeMirror's history joins a change to the
 * step before it only when it comes within `newGroupDelay` of it, adjacent, with no user event of
 * another kind, so every streamed piece carries no user event and the clock time of the branch's
 * first step; the last transaction closes the step, so typing afterwards is a step of its own.
 */
import {
  Annotation,
  StateEffect,
  StateField,
  Transaction,
  type EditorState,
  type Extension,
  type TransactionSpec,
} from '@codemirror/state';
import { isolateHistory } from '@codemirror/commands';
import { EditorView, type DecorationSet } from '@codemirror/view';
import {
  errorMessage,
  type CompletionParams,
  type InklingApi,
  type TaskEventMessage,
  type TokenChoice,
} from '../../../electron/api';
import { docIdFacet } from '../editor/setup';
import { recordTokens, runEnd, type FoundToken, type TokenInfo } from './tokens';
import { generatedText, growGeneration } from '../editor/generations/state';

/** Marks the branch's own insertions (they do not stop it). */
const branchAnnotation = Annotation.define<true>();
const startBranch = StateEffect.define<{ requestId: string; start: number }>();
const endBranch = StateEffect.define<null>();

interface Branch {
  requestId: string;
  /** The history clock of the branch's first step: every streamed piece joins that step. */
  time: number;
  /** Where the continuation starts (after the chosen token) and where the next piece goes. */
  start: number;
  pos: number;
}

export const branchField = StateField.define<Branch | null>({
  create: () => null,
  update(value, tr) {
    let b = value;
    if (b && tr.docChanged) {
      if (!tr.annotation(branchAnnotation))
        b = null; // the writer edited: the branch stops
      else b = { ...b, start: tr.changes.mapPos(b.start, -1), pos: tr.changes.mapPos(b.pos, 1) };
    }
    for (const e of tr.effects) {
      if (e.is(startBranch))
        b = {
          requestId: e.value.requestId,
          time: tr.annotation(Transaction.time) ?? Date.now(),
          start: e.value.start,
          pos: e.value.start,
        };
      else if (e.is(endBranch)) b = null;
    }
    return b;
  },
});

/**
 * The branch's first step: `text` (the chosen token) replaces [from, to) — the token and the
 * generated run after it — and the continuation will stream in after it.
 */
export function branchStartSpec(at: {
  from: number;
  to: number;
  text: string;
  token: TokenInfo;
  requestId: string;
}): TransactionSpec {
  const start = at.from + at.text.length;
  return {
    changes: { from: at.from, to: at.to, insert: at.text },
    selection: { anchor: start },
    effects: [
      recordTokens.of({ from: at.from, tokens: [at.token] }),
      startBranch.of({ requestId: at.requestId, start }),
    ],
    annotations: [
      branchAnnotation.of(true),
      isolateHistory.of('before'),
      generatedText.of({ source: 'branch', text: at.text }),
    ],
    userEvent: 'input.branch',
    scrollIntoView: true,
  };
}

/** One streamed piece of the branch, inserted where the last one ended. */
export function branchTokenSpec(state: EditorState, text: string): TransactionSpec | null {
  const b = state.field(branchField, false);
  if (!b || !text) return null;
  return {
    changes: { from: b.pos, insert: text },
    annotations: [branchAnnotation.of(true), Transaction.time.of(b.time), growGeneration.of(true)],
  };
}

/** The branch ended; `tokens` (when the text is still what streamed) become generated tokens. */
export function branchEndSpec(state: EditorState, tokens?: readonly TokenInfo[]): TransactionSpec {
  const b = state.field(branchField, false);
  const effects: StateEffect<unknown>[] = [endBranch.of(null)];
  if (b && tokens) effects.push(recordTokens.of({ from: b.start, tokens }));
  return { effects, annotations: isolateHistory.of('after') };
}

export interface BranchDeps {
  api: Pick<InklingApi, 'runTask' | 'cancelTask' | 'onTaskEvent'>;
  /** The continue parameters for this document (the sampling controls). */
  params(docId: string): CompletionParams;
  notify(kind: 'info' | 'error', text: string): void;
}

let seq = 0;

export function createBrancher(generated: StateField<DecorationSet>, deps: BranchDeps) {
  const extension: Extension = branchField;

  async function branch(view: EditorView, found: FoundToken, choice: TokenChoice): Promise<void> {
    const docId = view.state.facet(docIdFacet);
    const previous = view.state.field(branchField, false);
    if (previous) deps.api.cancelTask(previous.requestId).catch(() => undefined);
    const { end, tokens } = runEnd(view.state, generated, found.to);
    const requestId = `branch-${Date.now().toString(36)}-${++seq}`;
    const start = found.from + choice.text.length;
    view.dispatch(
      branchStartSpec({
        from: found.from,
        to: end,
        text: choice.text,
        token: { text: choice.text, logprob: choice.logprob, top: found.info.top },
        requestId,
      }),
    );
    const textBefore = view.state.doc.sliceString(0, start); // all of it: the host picks the window
    const trailingBlank = /[ \t]$/.test(textBefore);
    let first = true;
    const ours = () => {
      const b = view.dom.isConnected ? view.state.field(branchField, false) : null;
      return b && b.requestId === requestId ? b : null;
    };
    const off = deps.api.onTaskEvent(({ requestId: id, event }: TaskEventMessage) => {
      if (id !== requestId || event.kind !== 'token' || event.alternative !== 0) return;
      const b = ours();
      if (!b) {
        deps.api.cancelTask(requestId).catch(() => undefined);
        return;
      }
      // The model's leading space goes when the text already ends in one (as continueResult does).
      let text = event.text;
      if (first && trailingBlank && text.startsWith(' ')) text = text.slice(1);
      first = false;
      const spec = branchTokenSpec(view.state, text);
      if (spec) view.dispatch(spec);
    });
    try {
      const params = deps.params(docId);
      const result = await deps.api.runTask({
        requestId,
        docId,
        kind: 'continue',
        lane: 'branch',
        textBefore,
        topAlternatives: 5,
        // About as long as what it replaces, one alternative.
        params: {
          ...params,
          alternatives: 1,
          maxNewTokens: Math.max(4, Math.min(256, tokens || (params.maxNewTokens ?? 32))),
        },
      });
      const b = ours();
      if (!b) return;
      const alt = result.alternatives[0];
      view.dispatch(
        branchEndSpec(
          view.state,
          alt && view.state.doc.sliceString(b.start, b.pos) === alt.text ? alt.tokens : undefined,
        ),
      );
      // Broken off mid-way (a server's stream was cut): what arrived stays, as a failure's does; say why.
      if (result.interrupted) deps.notify('error', `The branch stopped part-way: ${result.interrupted.message}`);
    } catch (e) {
      if (ours()) view.dispatch(branchEndSpec(view.state));
      deps.notify('error', `The branch could not continue: ${errorMessage(e)}`);
    } finally {
      off();
    }
  }

  return { extension, branch };
}
