/**
 * Shown when no model is loaded: what Inkling needs, how to get it (the Models page downloads one),
 * and that writing works anyway.
 */
import { useStore } from 'zustand';
import { useApp } from '../app/context';
import { Icon } from './Icon';
import { mod, shortcut } from './keys';

export function WelcomeScreen() {
  const { ui, commands, engine } = useApp();
  const message = useStore(engine, (s) => s.status.message);
  const startWriting = () => {
    ui.getState().dismissWelcome();
    void commands.ensureDocument().then(commands.focus);
  };
  return (
    <section className="welcome" aria-labelledby="welcome-title" data-testid="welcome">
      <div className="welcome-card">
        <div className="welcome-mark" aria-hidden="true">
          ✒
        </div>
        <h1 id="welcome-title">Welcome to Inkling</h1>
        <p className="lede">
          Inkling continues your writing with GPT-2, running entirely on this computer. Nothing you write leaves it.
        </p>
        {message ? <p className="welcome-note">{message}</p> : null}
        <h2>To get suggestions, add a model</h2>
        <ol className="steps">
          <li>
            <span>
              Choose a model on the Models page: DistilGPT2 (about 350 MB) or GPT-2 (about 550 MB) suit any laptop.
              Inkling downloads it, checks every file and loads it.
            </span>
            <button
              type="button"
              className="button primary"
              onClick={commands.models}
              title={`Open the Models page (${shortcut(mod(), 'Shift', 'M')})`}
              data-testid="welcome-models"
            >
              <Icon name="models" size={16} /> Choose a model…
            </button>
          </li>
          <li>
            <span>Or load a model folder you already have:</span>
            <button
              type="button"
              className="button"
              onClick={() => void commands.loadModel()}
              title="Choose the folder that holds a converted model"
              data-testid="load-model"
            >
              <Icon name="folder" size={16} /> Load a model folder…
            </button>
          </li>
        </ol>
        <p className="welcome-small">
          From the command line, <code>npx inkling pull openai-community/gpt2</code> installs into the same library.
        </p>
        <div className="welcome-actions">
          <button
            type="button"
            className="button"
            onClick={startWriting}
            data-testid="start-writing"
            title="Open the editor now; suggestions arrive once a model is loaded"
          >
            Start writing without a model
          </button>
          <span className="welcome-small">
            The editor, saving and backups all work without one. {shortcut(mod(), 'O')} opens a file.
          </span>
        </div>
      </div>
    </section>
  );
}
