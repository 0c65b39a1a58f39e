/**
 * "Use a server": point Inkling at an OpenAI-compatible server (vLLM, llama.cpp's server, Ollama,
 * another computer's `inkling serve`) instead of the local model. Test connection lists the models
 * and shows what the server supports; the key goes to the host's secret store, never to settings.
 * While a server is in use, one button goes back to the local engine.
 */
import { useState } from 'react';
import { useStore } from 'zustand';
import {
  errorCode,
  errorMessage,
  type RemoteFeatures,
  type RemoteServerRequest,
  type RemoteTestResult,
} from '../../../electron/api';
import { useApp } from '../app/context';

const SAMPLER_LABELS: Record<string, string> = {
  topK: 'Top-k',
  minP: 'Min-p',
  typicalP: 'Typical-p',
  repetitionPenalty: 'Repetition penalty',
};

export function RemoteServer() {
  const { api, engine, settings } = useApp();
  const status = useStore(engine, (s) => s.status);
  const remembered = useStore(settings, (s) => s.settings.remoteServer);
  const [baseUrl, setBaseUrl] = useState(remembered?.baseUrl ?? 'http://127.0.0.1:8000/v1');
  const [apiKey, setApiKey] = useState('');
  const [model, setModel] = useState(remembered?.model ?? '');
  const [tested, setTested] = useState<RemoteTestResult | null>(null);
  const [busy, setBusy] = useState<null | 'test' | 'use' | 'local'>(null);
  const [error, setError] = useState<string | null>(null);
  const [insecure, setInsecure] = useState<string | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const active = status.remote ?? null;

  const request = (): RemoteServerRequest => ({
    baseUrl,
    ...(apiKey ? { apiKey } : {}),
    ...(model ? { model } : {}),
    ...(confirmed ? { allowInsecure: true } : {}),
  });

  const run = async (kind: 'test' | 'use') => {
    setBusy(kind);
    setError(null);
    try {
      if (kind === 'test') {
        const r = await api.testRemoteServer(request());
        setTested(r);
        if (r.features && !model) setModel(r.features.model);
      } else {
        await api.useRemoteServer(request());
        setApiKey('');
      }
      setInsecure(null);
    } catch (e) {
      if (errorCode(e) === 'insecure_url') setInsecure(errorMessage(e));
      else setError(errorMessage(e));
      if (kind === 'test') setTested(null);
    } finally {
      setBusy(null);
    }
  };

  const backToLocal = async () => {
    setBusy('local');
    setError(null);
    try {
      await api.useLocalEngine();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };

  const shown = active ?? tested?.features ?? null;
  return (
    <div className="remote-server" data-testid="remote-server">
      {active ? (
        <div className="remote-active" role="status" data-testid="remote-active">
          <span>
            Suggestions come from <strong>{active.model}</strong> on {active.baseUrl}.
            {status.message ? (
              <span className="remote-note" data-testid="remote-status-message">
                {' '}
                {status.message}
              </span>
            ) : null}
          </span>
          <button
            type="button"
            className="button"
            onClick={() => void backToLocal()}
            disabled={busy !== null}
            data-testid="remote-use-local"
          >
            Use the local engine
          </button>
        </div>
      ) : null}
      <label className="field">
        <span>Server address</span>
        <input
          type="url"
          value={baseUrl}
          onChange={(e) => setBaseUrl(e.target.value)}
          spellCheck={false}
          data-testid="remote-url"
          placeholder="http://127.0.0.1:8000/v1"
        />
      </label>
      <label
        className="field"
        title="Sent as 'Authorization: Bearer …'. Kept by Inkling apart from the settings; leave empty to keep the stored one."
      >
        <span>API key (optional)</span>
        <input
          type="password"
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
          autoComplete="off"
          data-testid="remote-key"
          placeholder={active?.hasKey ? 'stored' : ''}
        />
      </label>
      <label className="field">
        <span>Model</span>
        {tested?.features ? (
          <select value={model} onChange={(e) => setModel(e.target.value)} data-testid="remote-model">
            {tested.features.models.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        ) : (
          <input
            value={model}
            onChange={(e) => setModel(e.target.value)}
            placeholder="listed by Test connection"
            data-testid="remote-model-name"
          />
        )}
      </label>
      {insecure ? (
        <div className="remote-insecure" role="alert" data-testid="remote-insecure">
          <p>{insecure}</p>
          <label>
            <input
              type="checkbox"
              checked={confirmed}
              onChange={(e) => setConfirmed(e.target.checked)}
              data-testid="remote-confirm-insecure"
            />{' '}
            Send it unencrypted anyway
          </label>
        </div>
      ) : null}
      <div className="remote-actions">
        <button
          type="button"
          className="button"
          onClick={() => void run('test')}
          disabled={busy !== null}
          data-testid="remote-test"
        >
          {busy === 'test' ? 'Testing…' : 'Test connection'}
        </button>
        <button
          type="button"
          className="button primary"
          onClick={() => void run('use')}
          disabled={busy !== null}
          data-testid="remote-use"
        >
          {busy === 'use' ? 'Connecting…' : 'Use this server'}
        </button>
      </div>
      {tested ? (
        <p
          className={`remote-verdict ${tested.ok ? 'ok' : 'failed'}`}
          role="status"
          data-testid="remote-verdict"
          data-ok={tested.ok}
        >
          {tested.message}
        </p>
      ) : null}
      {error ? (
        <p className="remote-verdict failed" role="alert" data-testid="remote-error">
          {error}
        </p>
      ) : null}
      {shown ? <Features features={shown} /> : null}
    </div>
  );
}

function Features({ features }: { features: RemoteFeatures }) {
  return (
    <ul className="remote-features" aria-label="What this server supports" data-testid="remote-features">
      <li data-testid="remote-feature-logprobs">Token probabilities: {features.logprobs ? 'yes' : 'no'}</li>
      <li data-testid="remote-feature-heatmap">Heat map: {features.scoring ? 'yes' : 'unavailable for this server'}</li>
      {features.samplers.map((s) => (
        <li key={s.param} data-testid={`remote-sampler-${s.param}`}>
          {SAMPLER_LABELS[s.param] ?? s.param}:{' '}
          {s.supported === 'yes' ? 'read' : s.supported === 'no' ? 'ignored by this server' : 'may be ignored'}
        </li>
      ))}
    </ul>
  );
}
