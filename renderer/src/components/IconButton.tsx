import type { ReactNode } from 'react';
import { Icon, type IconName } from './Icon';

/** A toolbar button: icon, accessible label, and a tooltip that says what it does and its key. */
export function IconButton(props: {
  icon: IconName;
  label: string;
  tooltip: string;
  onClick: () => void;
  disabled?: boolean;
  pressed?: boolean;
  testId?: string;
  children?: ReactNode;
}) {
  return (
    <button
      type="button"
      className="icon-button"
      aria-label={props.label}
      title={props.tooltip}
      onClick={props.onClick}
      disabled={props.disabled}
      aria-pressed={props.pressed}
      data-testid={props.testId}
    >
      <Icon name={props.icon} />
      {props.children}
    </button>
  );
}
