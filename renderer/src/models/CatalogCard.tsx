/**
 * One known GPT-2 checkpoint: what it is, how big, how much memory each precision needs on this
 * computer (fits / slow / won't fit), a precision choice and the download button — or, while it
 * downloads, the progress.
 */
import { useState } from 'react';
import type { CatalogModel, ModelJob, ModelPrecision } from '../../../electron/api';
import { FIT_TEXT, FIT_TIP, PRECISION_TIP, formatBytes, formatParams } from './format';
import { JobRow } from './JobRow';

/**
 * int8 when it fits — the engine's fast path: about twice fp32's decode speed and a third of its
 * memory, with the quantisation error measured at conversion (docs/BENCHMARKS.md) — else the largest
 * precision that fits (int4 as the last resort).
 */
export function suggestedPrecision(m: CatalogModel): ModelPrecision {
  const fits = m.memory.filter((x) => x.fit === 'fits');
  const fast = fits.find((x) => x.precision === 'int8');
  if (fast) return fast.precision;
  return (fits[0] ?? m.memory.find((x) => x.fit === 'slow') ?? m.memory[m.memory.length - 1]).precision;
}

export function CatalogCard(props: {
  model: CatalogModel;
  job: ModelJob | undefined;
  onDownload: (precision: ModelPrecision) => void;
  onCancel: (jobId: string) => void;
  onResume: (job: ModelJob) => void;
}) {
  const { model: m, job } = props;
  const [precision, setPrecision] = useState<ModelPrecision>(() => suggestedPrecision(m));
  const installed = m.installed.includes(precision);
  const chosen = m.memory.find((x) => x.precision === precision)!;
  const group = `precision-${m.id}`;
  return (
    <article className="catalog-card" aria-labelledby={`cat-${m.id}`} data-testid="catalog-card" data-model={m.id}>
      <header className="card-head">
        <h3 id={`cat-${m.id}`}>{m.name}</h3>
        <code className="repo" title="The Hugging Face repository it downloads from">
          {m.repo}
        </code>
      </header>
      <p className="card-desc">{m.description}</p>
      <dl className="card-facts">
        <div title={`${m.parameters.toLocaleString()} weights in ${m.nLayer} layers`}>
          <dt>Parameters</dt>
          <dd>{formatParams(m.parameters)}</dd>
        </div>
        <div title="Approximate size of the download (model.safetensors); the converted model is stored next to it">
          <dt>Download</dt>
          <dd>≈ {formatBytes(m.downloadBytes)}</dd>
        </div>
        <div title="The license the weights are published under">
          <dt>License</dt>
          <dd>{m.license}</dd>
        </div>
      </dl>
      <fieldset className="precisions" disabled={job?.state === 'running'}>
        <legend>Precision and memory needed</legend>
        {m.memory.map((x) => (
          <label key={x.precision} className={`precision-option${precision === x.precision ? ' selected' : ''}`} title={`${PRECISION_TIP[x.precision]} ${FIT_TIP[x.fit]}`}>
            <input type="radio" name={group} value={x.precision} checked={precision === x.precision} onChange={() => setPrecision(x.precision)} />
            <span className="precision-name">{x.precision}</span>
            <span className="precision-mem">{formatBytes(x.bytes)}</span>
            <span className={`fit fit-${x.fit}`} data-testid="fit-label">
              {FIT_TEXT[x.fit]}
            </span>
            {m.installed.includes(x.precision) ? <span className="installed-mark" aria-label="installed">✓</span> : null}
          </label>
        ))}
      </fieldset>
      {job ? (
        <JobRow job={job} onCancel={() => props.onCancel(job.jobId)} onResume={() => props.onResume(job)} />
      ) : (
        <div className="card-actions">
          <button
            type="button"
            className={`button${installed ? '' : ' primary'}`}
            disabled={installed}
            onClick={() => props.onDownload(precision)}
            aria-label={installed ? `${m.name} ${precision} is installed` : `Download ${m.name} (${precision})`}
            title={
              installed
                ? 'This precision is already installed'
                : `Download ${m.repo}, check every file's hash and convert it to ${precision} on this computer`
            }
            data-testid="download"
          >
            {installed ? `Installed (${precision})` : `Download ${precision}`}
          </button>
          {chosen.fit !== 'fits' ? <span className={`fit-warning fit-${chosen.fit}`}>{FIT_TIP[chosen.fit]}</span> : null}
        </div>
      )}
    </article>
  );
}
