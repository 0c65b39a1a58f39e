/** Status-bar item while a download or import runs: what and how far; a click opens the Models page. */
import { useStore } from 'zustand';
import { useApp } from '../app/context';
import { jobLine } from './format';

export function DownloadStatus() {
  const { models } = useApp();
  const jobs = useStore(models, (s) => s.jobs);
  const running = Object.values(jobs).filter((j) => j.state === 'running');
  if (running.length === 0) return null;
  const j = running[0];
  const pct = Math.round(j.fraction * 100);
  const verb = j.phase === 'converting' ? 'Converting' : j.kind === 'pull' ? 'Downloading' : 'Importing';
  return (
    <button type="button" className="status-item status-link" onClick={() => models.getState().openPage()} title={`${jobLine(j)} — open the Models page`} data-testid="download-status">
      {verb} {j.name} {pct}%{running.length > 1 ? ` (+${running.length - 1})` : ''}
    </button>
  );
}
