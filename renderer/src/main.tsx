/** Renderer entry: get the API, build the stores and commands, render, start. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getBridge } from './bridge';
import { AppCtx, createAppContext } from './app/context';
import { startApp } from './app/start';
import { App } from './components/App';
import './styles/app.css';

const ctx = createAppContext(getBridge());
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppCtx.Provider value={ctx}>
      <App />
    </AppCtx.Provider>
  </StrictMode>,
);
void startApp(ctx);
