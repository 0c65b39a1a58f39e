/**
 * The Models page: downloads in progress, installed models, the catalog with fit labels, import from
 * disk, and where models run. Reached from the toolbar, the welcome screen, Ctrl/Cmd+Shift+M and the
 * menu; Esc or "Back to writing" returns to the editor.
 */
import { useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../app/context';
import { Icon } from '../components/Icon';
import { mod, shortcut } from '../components/keys';
import { CatalogCard } from './CatalogCard';
import { DeviceSettings } from './DeviceSettings';
import { formatBytes } from './format';
import { ImportForm } from './ImportForm';
import { InstalledModel } from './InstalledModel';
import { JobRow } from './JobRow';
import { RemoteServer } from './RemoteServer';
import { ShareModel } from './ShareModel';
import './models.css';

export function ModelsPage() {
  const { models, mode, commands, engine } = useApp();
  const catalog = useStore(models, (s) => s.catalog);
  const library = useStore(models, (s) => s.library);
  const jobs = useStore(models, (s) => s.jobs);
  const busy = useStore(models, (s) => s.busy);
  const error = useStore(models, (s) => s.error);
  const running = useStore(engine, (s) => (s.status.state === 'ready' ? s.status.model : null));
  // A model opened from a folder (`--model`, Load Model) is in use without being in the library.
  const outside = running && library && !library.models.some((m) => m.loaded) ? running : null;
  const st = models.getState();
  const ref = useRef<HTMLElement>(null);
  const desktop = mode === 'electron';

  const close = () => commands.models(); // the page is open: this goes back to writing
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    // On the window: focus may be on the page's body after a button it held was replaced.
    const onKey = (e: KeyboardEvent) => {
      // A dialog on top (delete confirmation) or an open popover handles its own Esc.
      if (e.key === 'Escape' && !e.defaultPrevented && !document.querySelector('.modal-backdrop, .popover')) {
        e.preventDefault();
        close();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per opening
  }, []);

  const jobList = Object.values(jobs).sort((a, b) => a.startedAt - b.startedAt);
  const catalogIds = new Set(catalog?.models.map((m) => m.id) ?? []);
  const otherJobs = jobList.filter((j) => !catalogIds.has(j.modelId) || j.kind === 'import');
  const jobFor = (id: string) => jobList.find((j) => j.modelId === id && j.kind === 'pull');

  return (
    <section className="models-page" aria-labelledby="models-title" data-testid="models-page" ref={ref}>
      <div className="models-inner">
        <header className="models-header">
          <button type="button" className="button back" onClick={close} title="Back to your document (Esc)" data-autofocus data-testid="models-back">
            ← Back to writing
          </button>
          <h1 id="models-title">Models</h1>
          <p className="lede">
            Inkling runs GPT-2 on this computer. Download a model from the Hugging Face Hub, or import one from disk. Every file is checked against its published
            hash before it is used.
            {catalog ? (
              <span className="muted">
                {' '}
                This computer has {formatBytes(catalog.totalMemoryBytes)} of memory. Downloads come from {catalog.endpoint}.
              </span>
            ) : null}
          </p>
        </header>

        {error ? (
          <div className="models-error" role="alert" data-testid="models-error">
            <span>{error}</span>
            <button type="button" className="notice-close" aria-label="Dismiss" title="Dismiss this message" onClick={st.clearError}>
              <Icon name="close" size={14} />
            </button>
          </div>
        ) : null}

        {otherJobs.length > 0 ? (
          <section className="models-section" aria-labelledby="jobs-title">
            <h2 id="jobs-title">Downloads and imports</h2>
            {otherJobs.map((j) => (
              <JobRow key={j.jobId} job={j} showName onCancel={() => void st.cancel(j.jobId)} onResume={() => void st.resume(j)} />
            ))}
          </section>
        ) : null}

        <section className="models-section" aria-labelledby="installed-title">
          <h2 id="installed-title">Installed</h2>
          {outside ? (
            <p className="section-note" data-testid="model-outside-library">
              In use now: <strong>{outside.name}</strong> ({outside.precision}), opened from {outside.dir}. It is not part of the library, so it is not
              listed here; import its folder below to keep it with the others.
            </p>
          ) : null}
          {library === null ? (
            <p className="section-note">Reading the library…</p>
          ) : library.models.length === 0 ? (
            <p className="section-note empty" data-testid="no-models">
              {outside ? 'Nothing in the library yet.' : 'No models yet.'} Download one below — DistilGPT2 or GPT-2 are good first choices — or import a folder
              you already have.
            </p>
          ) : (
            <ul className="installed-list">
              {library.models.map((m) => (
                <InstalledModel
                  key={m.id}
                  model={m}
                  busy={Boolean(busy[m.id])}
                  desktop={desktop}
                  onUse={(p) => void st.use(m.id, p)}
                  onSetDefault={() => void st.setDefault(m.id)}
                  onShow={() => void st.showInFolder(m.id)}
                  onDelete={() => st.remove(m.id)}
                />
              ))}
            </ul>
          )}
          {library && library.broken.length > 0 ? (
            <ul className="broken-list" aria-label="Folders that could not be read">
              {library.broken.map((b) => (
                <li key={b.id}>
                  <strong>{b.id}</strong>: {b.problem}
                </li>
              ))}
            </ul>
          ) : null}
        </section>

        <section className="models-section" aria-labelledby="catalog-title">
          <h2 id="catalog-title">Download from the Hugging Face Hub</h2>
          <p className="section-note">
            Memory is what the model needs while writing at its full 1024-token context. Smaller precisions are converted on this computer after the download.
          </p>
          <div className="catalog-grid">
            {catalog?.models.map((m) => (
              <CatalogCard
                key={m.id}
                model={m}
                job={jobFor(m.id)}
                onDownload={(p) => void st.pull(m.repo, p)}
                onCancel={(id) => void st.cancel(id)}
                onResume={(j) => void st.resume(j)}
              />
            )) ?? <p className="section-note">Reading the catalog…</p>}
          </div>
        </section>

        <section className="models-section" aria-labelledby="import-title">
          <h2 id="import-title">Import from disk</h2>
          <ImportForm desktop={desktop} onImport={(p, precision) => st.importFolder(p, precision)} />
        </section>

        <section className="models-section" aria-labelledby="remote-title">
          <h2 id="remote-title">Use a server</h2>
          <p className="section-note">
            A computer with a GPU, or a team&apos;s server, can write for you: any OpenAI-compatible server (vLLM, llama.cpp&apos;s server, Ollama,
            another computer&apos;s <code>inkling serve</code>) running a GPT-2 model.
          </p>
          <RemoteServer />
        </section>

        <section className="models-section" aria-labelledby="share-title">
          <h2 id="share-title">Share this model</h2>
          <ShareModel />
        </section>

        <section className="models-section" aria-labelledby="device-title">
          <h2 id="device-title">Where models run</h2>
          <DeviceSettings />
        </section>
        <p className="models-foot muted">
          {shortcut(mod(), 'Shift', 'M')} opens this page · Esc goes back to writing
        </p>
      </div>
    </section>
  );
}
