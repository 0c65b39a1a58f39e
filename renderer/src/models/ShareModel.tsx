/**
 * "Share this model with other apps on this computer": starts the app's own `inkling serve` on the
 * local model (127.0.0.1, a free port, a key for this session) and shows the address and key to
 * paste into another tool.
 */
import { useEffect, useState } from 'react';
import { errorMessage, type ShareStatus } from '../../../electron/api';
import { useApp } from '../app/context';

export function ShareModel() {
  const { api } = useApp();
  const [status, setStatus] = useState<ShareStatus>({ running: false });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.getShareStatus().then(setStatus, () => undefined);
  }, [api]);

  const toggle = async (on: boolean) => {
    setBusy(true);
    setError(null);
    try {
      setStatus(await api.shareModel(on));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="remote-server" data-testid="share-model">
      <div className="remote-actions">
        <button
          type="button"
          className="button"
          onClick={() => void toggle(!status.running)}
          disabled={busy}
          data-testid="share-toggle"
        >
          {status.running ? 'Stop sharing' : 'Share this model with other apps on this computer'}
        </button>
      </div>
      {status.running ? (
        <div className="remote-features" data-testid="share-info">
          <label className="field">
            <span>Address</span>
            <input readOnly value={status.url} data-testid="share-url" onFocus={(e) => e.target.select()} />
          </label>
          <label className="field">
            <span>API key (this session only)</span>
            <input readOnly value={status.apiKey} data-testid="share-key" onFocus={(e) => e.target.select()} />
          </label>
          <p className="section-note">
            Any OpenAI-compatible tool on this computer can use <strong>{status.model}</strong> with these: model &quot;
            {status.model}&quot;, legacy completions (<code>/v1/completions</code>). It stops when Inkling closes or
            another model is loaded.
          </p>
        </div>
      ) : null}
      {error ? (
        <p className="remote-verdict failed" role="alert" data-testid="share-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
