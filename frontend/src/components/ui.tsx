import { useId, type ButtonHTMLAttributes, type ReactNode, type Ref } from 'react';
import { useTranslation } from 'react-i18next';

type Variant = 'primary' | 'secondary' | 'ghost' | 'danger';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  ref?: Ref<HTMLButtonElement>;
  variant?: Variant;
  size?: 'sm' | 'md';
  busy?: boolean;
  icon?: ReactNode;
}

export function Button({ variant = 'secondary', size = 'md', busy = false, icon, children, className, disabled, ...rest }: ButtonProps) {
  const classes = ['btn', `btn-${variant}`, size === 'sm' ? 'btn-sm' : '', className ?? ''].filter(Boolean).join(' ');
  return (
    <button type="button" className={classes} disabled={disabled || busy} aria-busy={busy || undefined} {...rest}>
      {busy ? <Spinner small /> : icon}
      {children !== undefined && <span>{children}</span>}
    </button>
  );
}

export function Spinner({ small = false, label }: { small?: boolean; label?: string }) {
  return <span className={small ? 'spinner spinner-sm' : 'spinner'} role={label ? 'status' : undefined} aria-label={label} />;
}

export function Loading() {
  const { t } = useTranslation();
  return (
    <div className="loading" role="status">
      <Spinner />
      <span>{t('common.loading')}</span>
    </div>
  );
}

export function Card({ title, actions, children, className }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }) {
  const id = useId();
  return (
    <section className={['card', className ?? ''].filter(Boolean).join(' ')} aria-labelledby={title ? id : undefined}>
      {(title || actions) && (
        <header className="card-header">
          {title && (
            <h2 id={id} className="card-title">
              {title}
            </h2>
          )}
          {actions && <div className="card-actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

export type Tone = 'neutral' | 'accent' | 'success' | 'warning' | 'danger' | 'info';

export function Badge({ tone = 'neutral', children, title }: { tone?: Tone; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

/** `value` is 0..1; without a value the bar is indeterminate. */
export function ProgressBar({ value, label, tone = 'accent' }: { value: number | null; label: string; tone?: Tone }) {
  const pct = value === null ? null : Math.max(0, Math.min(1, value)) * 100;
  return (
    <div
      className={`progress progress-${tone}${pct === null ? ' progress-indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct === null ? undefined : Math.round(pct)}
    >
      <div className="progress-fill" style={pct === null ? undefined : { inlineSize: `${pct}%` }} />
    </div>
  );
}

export function PageHeader({ title, subtitle, actions }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1 className="page-title">{title}</h1>
        {subtitle && <p className="page-subtitle">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

export function EmptyState({ icon, title, children }: { icon?: ReactNode; title: ReactNode; children?: ReactNode }) {
  return (
    <div className="empty">
      {icon && <div className="empty-icon">{icon}</div>}
      <p className="empty-title">{title}</p>
      {children && <div className="empty-body">{children}</div>}
    </div>
  );
}

export function Stat({ label, value, hint }: { label: ReactNode; value: ReactNode; hint?: ReactNode }) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {hint && <div className="stat-hint">{hint}</div>}
    </div>
  );
}

/**
 * A table that may scroll sideways (or down): a named region that takes the focus, so keyboard users can
 * scroll it with the arrow keys and screen readers announce what it holds.
 */
export function TableWrap({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  return (
    <div className={['table-wrap', className ?? ''].filter(Boolean).join(' ')} role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

// Digits, signs and separators only: no letter to give the text a direction of its own.
// (Persian and Arabic-Indic digits and separators, written as escapes.)
const NEUTRAL = /^[\s\d\u06F0-\u06F9\u0660-\u0669.,\u066B\u066C%+\-\u2212()/:]*$/;

/**
 * A value from the user's data inside Persian text, isolated: a number keeps its sign where it was written
 * (−2, not 2−), words take their own direction.
 */
export function DataValue({ value, className }: { value: string; className?: string }) {
  return (
    <bdi dir={NEUTRAL.test(value) ? 'ltr' : 'auto'} className={className}>
      {value}
    </bdi>
  );
}

/** Latin ids (repo names, file paths, usernames) inside Persian text keep their own direction. */
export function Ltr({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <bdi dir="ltr" className={['ltr', className ?? ''].filter(Boolean).join(' ')}>
      {children}
    </bdi>
  );
}
