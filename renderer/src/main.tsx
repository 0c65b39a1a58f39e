/** Renderer entry: get the API, build the app (app/root.ts), render, start. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getBridge } from './bridge';
import { AppCtx } from './app/context';
import { createApp } from './app/root';
import { startApp } from './app/start';
import { App } from './components/App';
import './styles/app.css';

const ctx = createApp(getBridge());
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppCtx.Provider value={ctx}>
      <App />
    </AppCtx.Provider>
  </StrictMode>,
);
void startApp(ctx);
