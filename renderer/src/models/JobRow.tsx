/** One download or import: progress bar, what is happening, and cancel / resume / discard. */
import type { ModelJob } from '../../../electron/api';
import { jobLine } from './format';

export function JobRow({ job, onCancel, onResume, showName = false }: { job: ModelJob; onCancel: () => void; onResume: () => void; showName?: boolean }) {
  const running = job.state === 'running';
  const resumable = !running && job.kind === 'pull' && Boolean(job.repo);
  const pct = Math.round(Math.max(0, Math.min(1, job.fraction)) * 100);
  const what = `${job.kind === 'pull' ? 'Download' : 'Import'} of ${job.name} (${job.precision})`;
  const offline = job.state === 'failed' && job.error?.code === 'offline';
  /** Offline, the way that works: the page's "Import from disk" form. */
  const toImport = () => {
    const form = document.querySelector<HTMLElement>('[data-testid="import-form"]');
    form?.scrollIntoView({ block: 'center' });
    form?.querySelector<HTMLElement>('input:not([type=hidden]), button')?.focus();
  };
  return (
    <div className={`job job-${job.state}`} data-testid="model-job" data-state={job.state} data-phase={job.phase} data-model={job.modelId}>
      {showName ? (
        <div className="job-name">
          {job.name} <span className="muted">{job.precision}</span>
        </div>
      ) : null}
      <div className="job-bar-row">
        <div
          className="job-bar"
          role="progressbar"
          aria-label={`${what}: ${job.phase}`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={pct}
          aria-valuetext={`${pct}% — ${jobLine(job)}`}
          data-testid="job-progress"
        >
          <div className={`job-bar-fill${job.phase === 'converting' ? ' converting' : ''}`} style={{ width: `${pct}%` }} />
        </div>
        <span className="job-pct">{pct}%</span>
      </div>
      <div className="job-line-row">
        <span className={`job-line${job.state === 'failed' ? ' job-error' : ''}`} data-testid="job-line" role={job.state === 'failed' ? 'alert' : undefined}>
          {jobLine(job)}
        </span>
        <span className="job-actions">
          {running ? (
            <button type="button" className="button small" onClick={onCancel} title="Stop now; the part already downloaded is kept, so you can resume later" data-testid="job-cancel" aria-label={`Cancel ${what}`}>
              Cancel
            </button>
          ) : null}
          {offline ? (
            <button type="button" className="button small primary" onClick={toImport} title="Import a model folder that is already on this computer" data-testid="job-import">
              Import from disk…
            </button>
          ) : null}
          {resumable ? (
            <button type="button" className="button small primary" onClick={onResume} title="Continue from where it stopped" data-testid="job-resume" aria-label={`Resume ${what}`}>
              {job.state === 'failed' ? (offline ? 'Try again' : 'Retry') : 'Resume'}
            </button>
          ) : null}
          {!running ? (
            <button type="button" className="button small" onClick={onCancel} title="Delete the part downloaded so far" data-testid="job-discard" aria-label={`Discard ${what}`}>
              Discard
            </button>
          ) : null}
        </span>
      </div>
    </div>
  );
}
