/**
 * Shown when no model is loaded: what Inkling needs, how to get it, and that writing works anyway.
 * (The model-library issue replaces the CLI steps with an in-app catalog.)
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
            <span>Download GPT-2 (about 500 MB) with the command line:</span>
            <code className="command">npx inkling pull openai-community/gpt2</code>
          </li>
          <li>
            <span>Then load its folder here:</span>
            <button type="button" className="button" onClick={() => void commands.loadModel()} title="Choose the folder that holds a converted model" data-testid="load-model">
              <Icon name="folder" size={16} /> Load a model folder…
            </button>
          </li>
        </ol>
        <p className="welcome-small">
          Smaller or larger models work the same way: <code>distilbert/distilgpt2</code>, <code>openai-community/gpt2-medium</code>.
        </p>
        <div className="welcome-actions">
          <button type="button" className="button primary" onClick={startWriting} data-testid="start-writing" title="Open the editor now; suggestions arrive once a model is loaded">
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
