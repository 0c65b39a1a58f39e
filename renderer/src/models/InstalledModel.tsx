/**
 * An installed model: its precisions (size, and for converted ones how close they stay to fp32),
 * size on disk, whether it is the default and in use, and use / set default / show in folder /
 * delete (with a confirmation that says how much space it frees).
 */
import { useState } from 'react';
import type { InstalledPrecision, LibraryModel, ModelPrecision } from '../../../electron/api';
import { Modal } from '../components/Modal';
import { PRECISION_TIP, formatBytes } from './format';

function quantText(p: InstalledPrecision): string | null {
  if (!p.quantError) return null;
  return `agrees with fp32 on the top word ${(p.quantError.top1Agreement * 100).toFixed(1)}% of the time; mean KL divergence ${p.quantError.meanKl.toFixed(4)} nats`;
}

const signedPct = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}%`;

/** The chip's short form of an `inkling eval` result: "WikiText-2 +0.4% vs fp32". */
export function evalChipText(p: InstalledPrecision): string | null {
  const v = p.vsFp32;
  if (!v) return null;
  return `${v.task === 'wikitext2' ? 'WikiText-2' : 'LAMBADA'} ${signedPct(v.change)} vs fp32`;
}

/** The chip's tooltip sentence for the same result, with the figures. */
export function evalTitle(p: InstalledPrecision): string | null {
  const v = p.vsFp32;
  if (!v) return null;
  const acc =
    v.accuracy !== undefined && v.fp32Accuracy !== undefined
      ? `; last-word accuracy ${(v.accuracy * 100).toFixed(1)}% against ${(v.fp32Accuracy * 100).toFixed(1)}%`
      : '';
  const figures = `${v.metric} ${v.perplexity.toFixed(2)} against fp32's ${v.fp32Perplexity.toFixed(2)}`;
  const part = v.partial ? ', on part of the test set' : '';
  return `Measured with inkling eval on real text: ${figures} (${signedPct(v.change)}; lower is better)${acc}${part}.`;
}

function sourceText(m: LibraryModel): string {
  if (m.source.kind === 'import') return `Imported from ${m.source.path}`;
  const commit = m.source.commit ? ` @ ${m.source.commit.slice(0, 7)}` : '';
  return `${m.source.repo}${commit}`;
}

export function InstalledModel(props: {
  model: LibraryModel;
  busy: boolean;
  desktop: boolean;
  onUse: (precision?: ModelPrecision) => void;
  onSetDefault: () => void;
  onShow: () => void;
  onDelete: () => Promise<unknown>;
}) {
  const { model: m } = props;
  const [precision, setPrecision] = useState<ModelPrecision>(m.loaded ?? m.precisions[0]?.precision ?? 'fp32');
  const [confirming, setConfirming] = useState(false);
  const inUse = m.loaded !== null && m.loaded === precision;
  return (
    <li className="installed" data-testid="installed-model" data-model={m.id} aria-labelledby={`inst-${m.id}`}>
      <div className="installed-main">
        <div className="installed-title">
          <span id={`inst-${m.id}`} className="installed-name">
            {m.name}
          </span>
          {m.isDefault ? (
            <span className="badge" title="Inkling opens this model when it starts" data-testid="default-badge">
              Default
            </span>
          ) : null}
          {m.loaded ? (
            <span className="badge ok" title={`The model in use for suggestions (${m.loaded})`} data-testid="in-use-badge">
              In use · {m.loaded}
            </span>
          ) : null}
        </div>
        <div className="installed-meta" title={m.dir}>
          {sourceText(m)} · {formatBytes(m.bytes)} on disk
        </div>
        <ul className="installed-precisions" aria-label="Installed precisions">
          {m.precisions.map((p) => {
            const q = quantText(p);
            const e = evalChipText(p);
            return (
              <li
                key={p.precision}
                className={`precision-chip${p.vsFp32?.muchWorse ? ' worse' : ''}`}
                title={`${PRECISION_TIP[p.precision]}${q ? ` Measured: ${q}.` : ''}${e ? ` ${evalTitle(p)}` : ''}`}
                data-testid={`precision-chip-${p.precision}`}
              >
                <strong>{p.precision}</strong> {formatBytes(p.bytes)}
                {p.quantError ? <span className="muted"> · top-1 {(p.quantError.top1Agreement * 100).toFixed(1)}%</span> : null}
                {e ? <span className="muted"> · {e}</span> : null}
              </li>
            );
          })}
        </ul>
        {m.precisionAdvice ? (
          <p className="precision-advice" role="note" data-testid="precision-advice">
            {m.precisionAdvice}
          </p>
        ) : null}
      </div>
      <div className="installed-actions">
        {m.precisions.length > 1 ? (
          <select aria-label={`Precision of ${m.name} to use`} value={precision} onChange={(e) => setPrecision(e.target.value as ModelPrecision)} title="Which converted version to use">
            {m.precisions.map((p) => (
              <option key={p.precision} value={p.precision}>
                {p.precision}
              </option>
            ))}
          </select>
        ) : null}
        <button
          type="button"
          className="button small"
          disabled={props.busy || inUse}
          onClick={() => props.onUse(m.precisions.length > 1 ? precision : undefined)}
          title={inUse ? 'Suggestions already come from this model' : 'Load this model now for suggestions'}
          aria-label={`Use ${m.name}`}
          data-testid="use-model"
        >
          {inUse ? 'In use' : 'Use'}
        </button>
        <button
          type="button"
          className="button small"
          disabled={props.busy || m.isDefault}
          onClick={props.onSetDefault}
          title="Open this model whenever Inkling starts (and load it now)"
          aria-label={`Make ${m.name} the default`}
          data-testid="set-default"
        >
          Set as default
        </button>
        <button
          type="button"
          className="button small"
          disabled={!props.desktop}
          onClick={props.onShow}
          title={props.desktop ? 'Show the model’s folder in your file manager' : `Available in the desktop app. The folder is ${m.dir}`}
          aria-label={`Show ${m.name} in its folder`}
          data-testid="show-in-folder"
        >
          Show in folder
        </button>
        <button
          type="button"
          className="button small danger"
          disabled={props.busy}
          onClick={() => setConfirming(true)}
          title={`Delete this model from disk (${formatBytes(m.bytes)})`}
          aria-label={`Delete ${m.name}`}
          data-testid="delete-model"
        >
          Delete
        </button>
      </div>
      {confirming ? (
        <Modal title={`Delete ${m.name}?`} onCancel={() => setConfirming(false)} testId="confirm-delete">
          <p className="modal-text">
            This frees <strong>{formatBytes(m.bytes)}</strong>: the downloaded checkpoint and every converted version ({m.precisions.map((p) => p.precision).join(', ')}).
            {m.loaded ? ' It is in use, so suggestions stop until you choose another model.' : ''} You can download it again later.
          </p>
          <div className="modal-actions">
            <button type="button" className="button" onClick={() => setConfirming(false)} data-autofocus>
              Cancel
            </button>
            <button
              type="button"
              className="button danger-solid"
              data-testid="confirm-delete-button"
              onClick={() => {
                setConfirming(false);
                void props.onDelete();
              }}
            >
              Delete {formatBytes(m.bytes)}
            </button>
          </div>
        </Modal>
      ) : null}
    </li>
  );
}
