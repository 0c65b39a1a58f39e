/**
 * The sampling controls: a slider with a number field per parameter, the seed, word lists (stop
 * texts, banned words, DRY's breakers) and the sampler chain's order. Every control has a label,
 * a one-line explanation shown under it (the engine's full description is its tooltip), a reset
 * to the preset's value, and a keyboard path; what cannot be valid is refused (letters in a number
 * field) or clamped into range with a note.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../app/context';
import { MAX_LIST_LENGTH, MAX_SEED, SAMPLER_NAMES, type SamplerName } from '../../../electron/api';
import { PaneIcon } from '../panes/parts';
import {
  SAMPLER_LABELS,
  clampValue,
  escapeText,
  format,
  isOff,
  moveItem,
  oneLine,
  parseNumber,
  parseSeed,
  randomSeed,
  sliderNote,
  sliderRange,
  spec,
  unescapeText,
  type NumericName,
} from './values';

const NUMBER_CHARS = /^[-+0-9.,eE]*$/;

/** Whether the server in use reads sampler `name` ('no' / 'unknown'), or null (local engine, or a parameter every server reads). */
function useServerIgnores(name: string): 'no' | 'unknown' | null {
  const supported = useStore(
    useApp().engine,
    (st) => st.status.remote?.samplers.find((x) => x.param === name)?.supported ?? null,
  );
  return supported === 'no' || supported === 'unknown' ? supported : null;
}

/** What a control resets to: the preset's value (or the engine default when no preset is chosen). */
export interface ResetTo {
  value: number;
  /** "Inkling default", or "the default" without a preset. */
  from: string;
}

/** Under a control: what it does, and the note about the last value typed (clamped, refused). */
function ParamFooter({ description, note }: { description: string; note: string | null }) {
  return (
    <>
      <p className="param-help">{description}</p>
      {note ? (
        <p className="param-note" role="status">
          {note}
        </p>
      ) : null}
    </>
  );
}

export function ParamControl({
  name,
  value,
  onChange,
  reset,
}: {
  name: NumericName;
  value: number;
  onChange: (v: number) => void;
  reset?: ResetTo;
}) {
  const s = spec(name);
  const ignored = useServerIgnores(name);
  const r = sliderRange(s);
  const note2 = sliderNote(s);
  const id = useId();
  const [text, setText] = useState(format(s, value));
  const [note, setNote] = useState<string | null>(null);
  useEffect(() => setText(format(s, value)), [value]); // eslint-disable-line react-hooks/exhaustive-deps
  const commit = () => {
    const p = parseNumber(s, text);
    if (!p.ok) {
      setNote(p.error);
      setText(format(s, value));
      return;
    }
    setNote(p.note ?? null);
    setText(format(s, p.value));
    if (p.value !== value) onChange(p.value);
  };
  const step = (dir: 1 | -1, big: boolean) => {
    const v = clampValue(s, value + dir * r.step * (big ? 10 : 1));
    setNote(null);
    onChange(v);
  };
  return (
    <div className="param" title={s.description} data-testid={`param-${name}`}>
      <div className="param-head">
        <label htmlFor={id}>{s.label}</label>
        {isOff(s, value) ? <span className="param-off">off</span> : null}
        {ignored ? (
          <span
            className="param-off"
            data-testid={`param-${name}-ignored`}
            title="The server in use does not read this setting (see Models → Use a server)."
          >
            {ignored === 'no' ? 'ignored by the server' : 'the server may ignore it'}
          </span>
        ) : null}
        {reset ? (
          <button
            type="button"
            className="param-reset"
            disabled={reset.value === value}
            onClick={() => {
              setNote(null);
              onChange(reset.value);
            }}
            aria-label={`Reset ${s.label} to ${format(s, reset.value)} (${reset.from})`}
            title={
              reset.value === value
                ? `Same as ${reset.from}`
                : `Back to ${format(s, reset.value)}, the value of ${reset.from}`
            }
            data-testid={`param-${name}-reset`}
          >
            <PaneIcon name="refresh" size={12} /> {reset.value === value ? null : format(s, reset.value)}
          </button>
        ) : null}
      </div>
      <div className="param-inputs">
        <input
          type="range"
          min={r.min}
          max={r.max}
          step={r.step}
          value={Math.min(Math.max(value, r.min), r.max)}
          onChange={(e) => {
            setNote(null);
            onChange(clampValue(s, Number(e.target.value)));
          }}
          aria-label={`${s.label} slider`}
          aria-describedby={`${id}-help`}
          data-testid={`param-${name}-slider`}
        />
        <input
          id={id}
          type="text"
          inputMode={s.type === 'number' ? 'decimal' : 'numeric'}
          className="param-number"
          value={text}
          onChange={(e) => {
            // Letters and other characters that can never make a number are refused as typed.
            if (NUMBER_CHARS.test(e.target.value)) setText(e.target.value);
            else setNote(`${s.label} takes numbers only.`);
          }}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              commit();
            } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
              e.preventDefault();
              step(e.key === 'ArrowUp' ? 1 : -1, e.shiftKey);
            }
          }}
          aria-describedby={`${id}-help`}
          data-testid={`param-${name}-input`}
        />
      </div>
      <p id={`${id}-help`} className="param-help" data-testid={`param-${name}-help`}>
        {oneLine(s.description)}
        {note2 ? ` ${note2}` : ''}
        <span className="visually-hidden">
          {' '}
          From {format(s, r.min)} to {format(s, s.max ?? r.max)}.
        </span>
      </p>
      {note ? (
        <p className="param-note" role="status" data-testid={`param-${name}-note`}>
          {note}
        </p>
      ) : null}
    </div>
  );
}

export function SeedControl({ value, onChange }: { value: number | null; onChange: (v: number | null) => void }) {
  const s = spec('seed');
  const id = useId();
  const [text, setText] = useState(value === null ? '' : String(value));
  const [note, setNote] = useState<string | null>(null);
  useEffect(() => setText(value === null ? '' : String(value)), [value]);
  const commit = () => {
    const p = parseSeed(text);
    if (!p.ok) {
      setNote(p.error);
      setText(value === null ? '' : String(value));
      return;
    }
    setNote(p.note ?? null);
    onChange(p.value);
  };
  return (
    <fieldset className="param-group" title={s.description} data-testid="param-seed">
      <legend>Seed</legend>
      <div className="seed-row" role="radiogroup" aria-label="Seed">
        <label className="check">
          <input
            type="radio"
            name={`${id}-seed`}
            checked={value === null}
            onChange={() => onChange(null)}
            data-testid="seed-random"
          />
          <span>New each time</span>
        </label>
        <label className="check">
          <input
            type="radio"
            name={`${id}-seed`}
            checked={value !== null}
            onChange={() => onChange(value ?? randomSeed())}
            data-testid="seed-fixed"
          />
          <span>Fixed</span>
        </label>
        <input
          type="text"
          inputMode="numeric"
          className="param-number"
          aria-label="Seed number"
          value={text}
          disabled={value === null}
          onChange={(e) =>
            /^\d*$/.test(e.target.value)
              ? setText(e.target.value)
              : setNote(`The seed is a whole number from 0 to ${MAX_SEED}.`)
          }
          onBlur={commit}
          onKeyDown={(e) => e.key === 'Enter' && (e.preventDefault(), commit())}
          data-testid="seed-input"
        />
        <button
          type="button"
          className="icon-button small"
          onClick={() => onChange(randomSeed())}
          aria-label="Pick a new fixed seed"
          title="Pick a new fixed seed at random"
        >
          <PaneIcon name="dice" />
        </button>
      </div>
      <ParamFooter description={s.description} note={note} />
    </fieldset>
  );
}

export function WordList(props: {
  name: 'stop' | 'bannedWords' | 'drySequenceBreakers';
  values: string[];
  onChange: (v: string[]) => void;
  placeholder: string;
}) {
  const s = spec(props.name);
  const [text, setText] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const escaped = props.name !== 'bannedWords'; // stop texts and breakers may be line breaks: typed as \n
  const add = () => {
    const word = escaped ? unescapeText(text) : text.trim();
    if (!word || (props.name === 'bannedWords' && !word.trim())) {
      setNote(props.name === 'bannedWords' ? 'Type a word to ban.' : 'Type the text (\\n for a line break).');
      return;
    }
    if (props.values.includes(word)) {
      setNote('Already in the list.');
      return;
    }
    if (props.values.length >= MAX_LIST_LENGTH) {
      setNote(`At most ${MAX_LIST_LENGTH}.`);
      return;
    }
    props.onChange([...props.values, word]);
    setText('');
    setNote(null);
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      add();
    } else if (e.key === 'Backspace' && text === '' && props.values.length) {
      props.onChange(props.values.slice(0, -1));
    }
  };
  return (
    <fieldset className="param-group" title={s.description} data-testid={`param-${props.name}`}>
      <legend>{s.label}</legend>
      <ul className="chips" aria-label={s.label}>
        {props.values.map((w) => (
          <li key={w} className="chip" data-testid="chip">
            <span>{escapeText(w)}</span>
            <button
              type="button"
              aria-label={`Remove “${escapeText(w)}”`}
              onClick={() => props.onChange(props.values.filter((x) => x !== w))}
            >
              <PaneIcon name="close" size={12} />
            </button>
          </li>
        ))}
      </ul>
      <div className="chip-input">
        <input
          type="text"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKey}
          placeholder={props.placeholder}
          aria-label={`Add to ${s.label}`}
          data-testid={`${props.name}-input`}
        />
        <button type="button" className="button small" onClick={add} data-testid={`${props.name}-add`}>
          Add
        </button>
      </div>
      <ParamFooter description={s.description} note={note} />
    </fieldset>
  );
}

/**
 * The sampler chain: samplers that run, in order, then the ones switched off. Move the focused one
 * with Alt+↑ / Alt+↓ (or its arrow buttons); the checkbox switches it on or off.
 */
export function SamplerOrder({ order, onChange }: { order: SamplerName[]; onChange: (o: SamplerName[]) => void }) {
  const s = spec('samplerOrder');
  const off = SAMPLER_NAMES.filter((n) => !order.includes(n));
  const items = [...order, ...off];
  const refs = useRef(new Map<SamplerName, HTMLLIElement>());
  const [focus, setFocus] = useState<SamplerName | null>(null);
  const [announce, setAnnounce] = useState('');
  useEffect(() => {
    if (focus) refs.current.get(focus)?.focus();
  }, [focus, order]);
  const move = (name: SamplerName, delta: number) => {
    const i = order.indexOf(name);
    if (i < 0) return;
    const next = moveItem(order, i, delta);
    if (next.indexOf(name) === i) return;
    onChange(next);
    setFocus(name);
    setAnnounce(`${SAMPLER_LABELS[name].label}: step ${next.indexOf(name) + 1} of ${next.length}`);
  };
  const toggle = (name: SamplerName, on: boolean) => onChange(on ? [...order, name] : order.filter((n) => n !== name));
  return (
    <fieldset className="param-group" title={s.description} data-testid="sampler-order">
      <legend>Sampler order</legend>
      <p className="param-help">
        The samplers run top to bottom. Focus one and press Alt+↑ / Alt+↓ to move it; untick to switch it off.
      </p>
      <ol className="sampler-list">
        {items.map((name) => {
          const i = order.indexOf(name);
          const on = i >= 0;
          return (
            <li
              key={name}
              ref={(el) => void (el ? refs.current.set(name, el) : refs.current.delete(name))}
              tabIndex={0}
              className={`sampler${on ? '' : ' off'}`}
              data-testid="sampler-item"
              data-name={name}
              aria-label={`${SAMPLER_LABELS[name].label}${on ? `, step ${i + 1}` : ', off'}`}
              title={SAMPLER_LABELS[name].description}
              onKeyDown={(e) => {
                if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
                  e.preventDefault();
                  move(name, e.key === 'ArrowUp' ? -1 : 1);
                } else if (!e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
                  e.preventDefault();
                  const at = items.indexOf(name) + (e.key === 'ArrowUp' ? -1 : 1);
                  refs.current.get(items[Math.max(0, Math.min(items.length - 1, at))])?.focus();
                } else if (e.key === ' ' && e.target === e.currentTarget) {
                  e.preventDefault();
                  toggle(name, !on);
                  setFocus(name);
                }
              }}
            >
              <input
                type="checkbox"
                checked={on}
                onChange={(e) => toggle(name, e.target.checked)}
                aria-label={`Run ${SAMPLER_LABELS[name].label}`}
                tabIndex={-1}
              />
              <span className="sampler-step">{on ? i + 1 : '–'}</span>
              <span className="sampler-name">{SAMPLER_LABELS[name].label}</span>
              <span className="sampler-moves">
                <button
                  type="button"
                  className="icon-button small"
                  tabIndex={-1}
                  aria-label={`Move ${SAMPLER_LABELS[name].label} up`}
                  disabled={!on || i === 0}
                  onClick={() => move(name, -1)}
                >
                  <PaneIcon name="up" size={13} />
                </button>
                <button
                  type="button"
                  className="icon-button small"
                  tabIndex={-1}
                  aria-label={`Move ${SAMPLER_LABELS[name].label} down`}
                  disabled={!on || i === order.length - 1}
                  onClick={() => move(name, 1)}
                >
                  <PaneIcon name="down" size={13} />
                </button>
              </span>
            </li>
          );
        })}
      </ol>
      <p className="visually-hidden" aria-live="polite">
        {announce}
      </p>
    </fieldset>
  );
}
