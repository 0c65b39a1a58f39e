/** A modal dialog: labelled, traps nothing but focuses its first control, Esc = cancel. */
import { useEffect, useRef, type ReactNode } from 'react';

export function Modal(props: {
  title: string;
  onCancel: () => void;
  children: ReactNode;
  testId?: string;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const { onCancel } = props;
  useEffect(() => {
    const el = ref.current;
    const first =
      el?.querySelector<HTMLElement>('[data-autofocus]') ?? el?.querySelector<HTMLElement>('input, button, select');
    first?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        onCancel();
      }
    };
    el?.addEventListener('keydown', onKey);
    return () => el?.removeEventListener('keydown', onKey);
  }, [onCancel]);
  return (
    <div className="modal-backdrop">
      <div
        className={`modal${props.wide ? ' wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby="modal-title"
        ref={ref}
        data-testid={props.testId}
      >
        <h2 id="modal-title" className="modal-title">
          {props.title}
        </h2>
        {props.children}
      </div>
    </div>
  );
}
