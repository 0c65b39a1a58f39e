/** The window: toolbar with tabs, the page (welcome screen or editor), status bar, dialogs. */
import { useEffect } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../app/context';
import { resolvedTheme } from '../stores';
import { Dialogs } from './Dialogs';
import { EditorPane } from './EditorPane';
import { Notices } from './Notices';
import { StatusBar } from './StatusBar';
import { Toolbar } from './Toolbar';
import { WelcomeScreen } from './WelcomeScreen';
import { SidePanel } from '../panes/SidePanel';
import { HeatLegend, PanesOverlay } from '../panes/Overlays';
import { ModelsPage } from '../models';
import { FocusExit, MarkdownPreview } from '../desk/FocusAndPreview';

const FONTS = {
  serif:
    "'Iowan Old Style', 'Palatino Linotype', Palatino, 'Book Antiqua', Charter, 'Bitstream Charter', 'Source Serif Pro', 'Noto Serif', Georgia, serif",
  sans: "system-ui, -apple-system, 'Segoe UI', Inter, Roboto, 'Noto Sans', 'Helvetica Neue', Arial, sans-serif",
  mono: "'SF Mono', 'JetBrains Mono', 'Cascadia Mono', Menlo, Consolas, 'DejaVu Sans Mono', monospace",
} as const;

function useAppearance(): void {
  const { settings } = useApp();
  const theme = useStore(settings, resolvedTheme);
  const font = useStore(settings, (s) => s.settings.fontFamily);
  const size = useStore(settings, (s) => s.settings.fontSize);
  useEffect(() => {
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    const apply = () => settings.getState().setSystemDark(media.matches);
    apply();
    media.addEventListener('change', apply);
    return () => media.removeEventListener('change', apply);
  }, [settings]);
  useEffect(() => {
    const root = document.documentElement;
    root.dataset.theme = theme;
    root.style.setProperty('--editor-font', FONTS[font]);
    root.style.setProperty('--editor-font-size', `${size}px`);
  }, [theme, font, size]);
}

function useTitle(): void {
  const { documents } = useApp();
  const meta = useStore(documents, (s) => (s.activeId ? s.docs[s.activeId] : undefined));
  useEffect(() => {
    document.title = meta ? `${meta.dirty ? '• ' : ''}${meta.name} — Inkling` : 'Inkling';
  }, [meta]);
}

function useShortcutsAndUnload(): void {
  const { documents, generations } = useApp();
  useEffect(() => {
    // Browser mode: warn before leaving with unsaved text (backups keep it either way).
    const onUnload = (e: BeforeUnloadEvent) => {
      void documents.getState().flushBackups();
      // A history change still waiting for its half-second save goes out now (a reload would lose it).
      void generations.flush();
      if (Object.values(documents.getState().docs).some((d) => d.dirty)) e.preventDefault();
    };
    window.addEventListener('beforeunload', onUnload);
    return () => window.removeEventListener('beforeunload', onUnload);
  }, [documents, generations]);
}

export function App() {
  const { engine, ui, documents, models, desk } = useApp();
  useAppearance();
  useTitle();
  useShortcutsAndUnload();
  const engineState = useStore(engine, (s) => s.status.state);
  const welcomeDismissed = useStore(ui, (s) => s.welcomeDismissed);
  const hasDocs = useStore(documents, (s) => s.order.length > 0);
  const modelsOpen = useStore(models, (s) => s.pageOpen);
  const showWelcome = engineState === 'no_model' && !welcomeDismissed && !modelsOpen;
  const focusMode = useStore(desk, (s) => s.focusMode) && !showWelcome && !modelsOpen;
  const preview = useStore(desk, (s) => s.preview) && !showWelcome && !modelsOpen;
  return (
    <div className={`app${focusMode ? ' focus-mode' : ''}`} data-focus-mode={focusMode ? 'on' : 'off'}>
      <Toolbar />
      <div className="workspace">
        <main className="page">
          {showWelcome ? <WelcomeScreen /> : null}
          <EditorPane hidden={showWelcome || modelsOpen || preview} />
          {preview ? <MarkdownPreview /> : null}
          {!showWelcome && !hasDocs ? <div className="empty-page" /> : null}
          {modelsOpen ? <ModelsPage /> : null}
          {!showWelcome && !modelsOpen ? <HeatLegend /> : null}
        </main>
        {!showWelcome && !modelsOpen ? <SidePanel /> : null}
      </div>
      <StatusBar />
      <Dialogs />
      <Notices />
      <PanesOverlay />
      <FocusExit />
    </div>
  );
}
