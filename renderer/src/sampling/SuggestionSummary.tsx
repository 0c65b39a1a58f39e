/**
 * Where a suggestion's length and number of alternatives are used (Settings, the Continue pane),
 * this line shows them and opens the one place they are set: the Sampling pane's Continue
 * settings (also the document's own, when it has them).
 */
import { useStore } from 'zustand';
import { useApp } from '../app/context';
import { useActiveDoc } from '../panes/parts';

export function SuggestionSummary({ onOpen, compact = false }: { onOpen?: () => void; compact?: boolean }) {
  const { panes } = useApp();
  const { docId } = useActiveDoc();
  useStore(panes.sampling, (s) => s.library); // follow changes made in the Sampling pane
  const docKey = panes.docKey(docId);
  const { settings, overridden } = panes.sampling.getState().effective('continue', docKey);
  const tokens = typeof settings.params.maxNewTokens === 'number' ? settings.params.maxNewTokens : null;
  const alternatives = typeof settings.params.alternatives === 'number' ? settings.params.alternatives : null;
  const open = () => {
    panes.sampling.getState().setTarget('continue');
    panes.panel.getState().show('sampling', true);
    onOpen?.();
  };
  return (
    <div className={`suggestion-summary${compact ? ' compact' : ''}`} data-testid="suggestion-summary">
      <span>
        {compact ? 'Up to ' : 'Suggestions: up to '}
        <strong data-testid="summary-tokens">{tokens ?? '…'}</strong> tokens,{' '}
        <strong data-testid="summary-alternatives">{alternatives ?? '…'}</strong>{' '}
        {alternatives === 1 ? 'alternative' : 'alternatives'}
        {overridden ? ' (this document’s own settings)' : ''}.
      </span>
      <button
        type="button"
        className="button small"
        onClick={open}
        data-testid="summary-change"
        title="Length and alternatives are set once, in the Sampling pane's Continue settings; Tab suggestions and the Continue pane both use them"
      >
        Change…
      </button>
    </div>
  );
}
