/**
 * Records the token stream of each ghost-text request (text and probability per token, and the
 * top alternatives once the result arrives), so an accepted suggestion keeps its probabilities.
 * Bounded: only the last few requests are kept.
 */
import type { CompletionEvent, GenerateResult } from '../../../electron/api';
import type { TokenInfo, TokenSource } from './tokens';

const KEEP = 16;

export class TokenRecorder implements TokenSource {
  private readonly requests = new Map<string, TokenInfo[][]>();

  onEvent({ requestId, event }: CompletionEvent): void {
    if (event.kind !== 'token') return;
    let alts = this.requests.get(requestId);
    if (!alts) {
      this.requests.set(requestId, (alts = []));
      while (this.requests.size > KEEP) this.requests.delete(this.requests.keys().next().value as string);
    }
    (alts[event.alternative] ??= []).push({ text: event.text, logprob: event.logprob, top: [] });
  }

  /** Fills in the top alternatives and fits the token texts to the final text of each alternative. */
  onResult(requestId: string, result: GenerateResult): void {
    const alts = this.requests.get(requestId);
    if (!alts) return;
    result.alternatives.forEach((alt, a) => {
      const tokens = alts[a];
      if (!tokens) return;
      tokens.forEach((t, i) => {
        // The same objects the document's marks hold: filling them in updates accepted text too.
        t.top = (alt.top?.[i] ?? []).map((c) => ({ text: c.text, logprob: c.logprob }));
      });
      const streamed = tokens.map((t) => t.text).join('');
      if (streamed !== alt.text && alt.text.startsWith(streamed) && tokens.length)
        tokens[tokens.length - 1].text += alt.text.slice(streamed.length);
    });
  }

  tokens(requestId: string, alternative: number): TokenInfo[] | null {
    return this.requests.get(requestId)?.[alternative] ?? null;
  }
}
