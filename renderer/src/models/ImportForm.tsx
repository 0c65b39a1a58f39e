/**
 * Import a model from disk: a Hugging Face checkpoint folder (converted here) or a Hugging Face ONNX
 * export (used as is). The desktop app opens a folder dialog; the browser version takes a path.
 */
import { useState, type FormEvent } from 'react';
import { MODEL_PRECISIONS, type ModelPrecision } from '../../../electron/api';
import { PRECISION_TIP } from './format';

export function ImportForm(props: { desktop: boolean; onImport: (path: string | undefined, precision: ModelPrecision) => Promise<boolean> }) {
  const [path, setPath] = useState('');
  const [precision, setPrecision] = useState<ModelPrecision>('fp32');
  const [busy, setBusy] = useState(false);
  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (!props.desktop && !path.trim()) return;
    setBusy(true);
    try {
      if (await props.onImport(props.desktop ? undefined : path.trim(), precision)) setPath('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="import-form" onSubmit={(e) => void submit(e)} data-testid="import-form">
      <p className="section-note">
        A Hugging Face checkpoint folder (<code>config.json</code>, <code>model.safetensors</code>, <code>vocab.json</code>, <code>merges.txt</code>) is copied and
        converted; a Hugging Face ONNX export (<code>onnx/model.onnx</code>) is copied and used as it is.
      </p>
      <div className="import-row">
        {props.desktop ? null : (
          <input
            type="text"
            className="path-input"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            placeholder="/full/path/to/model-folder"
            spellCheck={false}
            aria-label="Folder to import"
            data-testid="import-path"
          />
        )}
        <label className="inline-field" title="Checkpoint folders are converted to this precision">
          <span>Convert to</span>
          <select value={precision} onChange={(e) => setPrecision(e.target.value as ModelPrecision)} aria-label="Precision to convert an imported checkpoint to">
            {MODEL_PRECISIONS.map((p) => (
              <option key={p} value={p} title={PRECISION_TIP[p]}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button" disabled={busy || (!props.desktop && !path.trim())} data-testid="import-submit">
          {props.desktop ? 'Choose a folder…' : 'Import'}
        </button>
      </div>
    </form>
  );
}
