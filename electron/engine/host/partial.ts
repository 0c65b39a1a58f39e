/**
 * What a generation had streamed when the engine host died: the client keeps the token events it
 * passed on, so a crash after some text resolves the request with that text (every alternative
 * `cut`, the crash in `interrupted`) instead of failing it — the writer keeps the suggestion they
 * were reading, as with a remote server's cut stream. Before any token, the request fails as before.
 */
import type { ErrorPayload } from '../../common/errors';
import type { GenerateEvent, GenerateResult, GeneratedAlternative, WindowInfo } from './protocol';

type Prefill = Extract<GenerateEvent, { kind: 'prefill' }>;

export class PartialGeneration {
  private readonly alts: GeneratedAlternative[] = [];
  private prefill: Prefill | null = null;
  private readonly t0: number;
  private prefillAt = 0;
  private firstAt = 0;
  private lastAt = 0;
  private count = 0;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.t0 = now();
  }

  /** Every event the request streams, in order. */
  add(e: GenerateEvent): void {
    const t = this.now();
    if (e.kind === 'prefill') {
      this.prefill = e;
      this.prefillAt = t;
      return;
    }
    while (this.alts.length <= e.alternative)
      this.alts.push({ text: '', tokenIds: [], logprobs: [], finishReason: 'cut' });
    const a = this.alts[e.alternative];
    a.text += e.text;
    a.tokenIds.push(e.tokenId);
    a.logprobs.push(e.logprob);
    if (e.top) (a.top ??= []).push(e.top);
    this.count++;
    if (this.firstAt === 0) this.firstAt = t;
    this.lastAt = t;
  }

  /** Tokens received, all alternatives together. */
  get tokens(): number {
    return this.count;
  }

  /**
   * The result of what arrived: each alternative `cut` (an alternative that had already ended at a
   * stop text or end-of-text is marked `cut` too: its end was not reported before the crash). An
   * alternative that had not begun is left out rather than shown as an empty suggestion.
   */
  result(interrupted: ErrorPayload): GenerateResult {
    const p = this.prefill;
    const window: WindowInfo = {
      documentTokens: p?.documentTokens ?? 0,
      memoryTokens: p?.memoryTokens ?? 0,
      windowStart: p?.windowStart ?? 0,
      scannedChars: p?.scannedChars ?? 0,
    };
    const steps = Math.max(0, ...this.alts.map((a) => a.tokenIds.length));
    const decodeMs = this.lastAt - this.firstAt;
    return {
      alternatives: this.alts
        .filter((a) => a.tokenIds.length > 0)
        .map((a) => ({ ...a, tokenIds: [...a.tokenIds], logprobs: [...a.logprobs] })),
      stats: {
        ...window,
        promptTokens: p?.promptTokens ?? 0,
        reusedTokens: p?.reusedTokens ?? 0,
        readTokens: p ? p.promptTokens - p.reusedTokens : 0,
        truncatedTokens: p?.truncatedTokens ?? 0,
        prefillMs: p ? this.prefillAt - this.t0 : 0,
        timeToFirstTokenMs: this.firstAt - this.t0,
        decodeTokensPerS: steps > 1 && decodeMs > 0 ? ((steps - 1) * 1000) / decodeMs : 0,
        generatedTokens: this.count,
      },
      interrupted,
    };
  }
}
