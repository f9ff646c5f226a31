import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, type ButtonProps } from './ui';

interface ConfirmButtonProps extends Omit<ButtonProps, 'onClick'> {
  onConfirm: () => void;
  question: ReactNode;
  confirmLabel?: ReactNode;
}

/**
 * A destructive action asks inline (no modal to trap focus in): the first click shows the question and moves
 * the focus to «yes»; answering (or Escape) gives the focus back to the button that asked, while it is still there.
 */
export function ConfirmButton({ onConfirm, question, confirmLabel, children, variant = 'danger', ...rest }: ConfirmButtonProps) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  const yesRef = useRef<HTMLButtonElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const answered = useRef(false);
  const questionId = useId();
  useEffect(() => {
    if (asking) yesRef.current?.focus();
    else if (answered.current) triggerRef.current?.focus();
    answered.current = false;
  }, [asking]);
  const close = () => {
    answered.current = true;
    setAsking(false);
  };
  if (!asking) {
    return (
      <Button ref={triggerRef} variant={variant} {...rest} onClick={() => setAsking(true)}>
        {children}
      </Button>
    );
  }
  return (
    <span
      className="confirm"
      role="group"
      aria-labelledby={questionId}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          close();
        }
      }}
    >
      <span className="confirm-question" id={questionId}>
        {question}
      </span>
      <button
        ref={yesRef}
        type="button"
        className="btn btn-danger btn-sm"
        onClick={() => {
          close();
          onConfirm();
        }}
      >
        {confirmLabel ?? t('common.yes')}
      </button>
      <button type="button" className="btn btn-ghost btn-sm" onClick={close}>
        {t('common.cancel')}
      </button>
    </span>
  );
}
